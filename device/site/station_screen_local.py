"""The page a remote station shows on its own while the main device's screen cannot be reached:
the link's words as the message, nothing of the store (which only the main device holds)."""

from __future__ import annotations

from typing import Any

from device.screen.kiosk_view import kiosk_snapshot
from device.screen.view import Message, labels


def local_snapshot(station: str, *, kiosk: bool, lang: str, link: dict[str, Any]) -> dict[str, Any]:
    """A whole page's state made here: the link's words as the message, nothing of the store."""
    message = Message(0, link["title"], (link["next"],), "error", None, "")
    if kiosk:
        part = {
            "station": station,
            "kiosk": True,
            "lang": lang,
            "screen": message.json(),
            "prompt": None,
            "order": None,
            "keypad": False,
            "locked": None,
        }
        return {**kiosk_snapshot(part, lang), "link": link}
    return {
        "station": station,
        "screen": message.json(),
        "prompt": "",
        "workflow": None,
        "clerk": None,
        "order": None,
        "acceptance": None,
        "buttons": [],
        "keypad": False,
        "tickets": None,
        "stations": [station],
        "lang": lang,
        "labels": labels(lang),
        "prints": [],
        "rack": {"cells": [], "lit": {}},
        "hardware": {"parts": []},
        "link": link,
    }
