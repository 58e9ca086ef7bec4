"""The local screen's panel of tickets: the open ones, and support's latest answers, in words."""

from __future__ import annotations

import sqlite3
from datetime import tzinfo
from typing import Any

from device.store.clock import instant
from workflows.messages import Msg

SHOWN = 6  # open tickets on the panel, newest first; the rest are in `pvz tickets ls --open`
ANSWERS = 3  # support's latest answers


def tickets_panel(conn: sqlite3.Connection, lang: str, tz: tzinfo | None) -> dict[str, Any]:
    """Open tickets (how many, the newest few) and the latest resolutions, each in words."""
    count = int(conn.execute("SELECT count(*) FROM tickets WHERE state = 'open'").fetchone()[0])
    rows = conn.execute(
        "SELECT ticket_id, kind, parcel, opened_at FROM tickets WHERE state = 'open' ORDER BY id DESC LIMIT ?",
        (SHOWN,),
    ).fetchall()
    answers = conn.execute(
        "SELECT ticket_id, kind, parcel, resolution, resolved_at FROM tickets WHERE state = 'resolved' "
        "ORDER BY resolved_at DESC, id DESC LIMIT ?",
        (ANSWERS,),
    ).fetchall()
    return {
        "count": count,
        "empty": Msg("scr_tickets_none").render(lang) if count == 0 else None,
        "open": [
            {
                "ticket": r[0],
                "kind": Msg(f"tk_kind_{r[1]}").render(lang),
                "parcel": r[2],
                "at": _clock(r[3], tz),
            }
            for r in rows
        ],
        "answers": [
            {
                "ticket": r[0],
                "kind": Msg(f"tk_kind_{r[1]}").render(lang),
                "parcel": r[2],
                "text": Msg("tk_resolved_news", {"ticket": r[0], "text": r[3]}).render(lang),
                "at": _clock(r[4], tz),
            }
            for r in answers
        ],
    }


def _clock(ts: str, tz: tzinfo | None) -> str:
    """The time of day at the site ("14:05")."""
    moment = instant(ts)
    return (moment.astimezone(tz) if tz is not None else moment).strftime("%H:%M")
