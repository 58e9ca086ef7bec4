"""What a remote station's clerk (or kiosk customer) is told about its link to the main device.

A remote station decides nothing: every input waits for the main device's answer. Its screen says
so on top of whatever the main device shows for it: "waiting for the main device" while an input
is not answered, "the main device cannot be reached: nothing you scan is done" while the main
device is offline, the site broker cannot be reached or the main device's screen does not answer,
and "the main device is back" for a while after. The station daemon feeds it (`broker`, `main`,
`waiting`, `settled`); the station's screen server (device/site/station_screen.py) feeds `screen`
and sends each change to its pages as a `link` event.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from typing import Any

from workflows.messages import Msg

BACK_SHOWN_S = 8.0  # how long "the main device is back" stays before the banner goes


class Link(enum.Enum):
    OK = "ok"
    WAITING = "waiting"
    DOWN = "down"
    BACK = "back"
    NOTICE = "notice"  # something the station itself told its clerk (an input given up)


class Why(enum.Enum):
    """Why the main device is out of reach, in the order the clerk should check it."""

    NETWORK = "network"  # the site broker cannot be reached from here
    MAIN = "main"  # the broker is there, the main device's status is offline
    SCREEN = "screen"  # the main device's screen server does not answer this station


TONE = {Link.OK: "ok", Link.WAITING: "warn", Link.DOWN: "error", Link.BACK: "ok", Link.NOTICE: "error"}
Listener = Callable[[dict[str, Any]], None]


class StationLink:
    """The station's link as its screen shows it; each change goes to every listener as a payload.

    What shows, first match wins: down (and why), waiting, back (for `back_shown_s` after down),
    the station's own notice, nothing. Starts down for the network: until the station daemon says
    the broker is up and the main device online, nothing scanned here can be done.
    """

    def __init__(self, *, kiosk: bool = False, lang: Callable[[], str] = lambda: "ru") -> None:
        self.kiosk = kiosk
        self.lang = lang
        self.back_shown_s = BACK_SHOWN_S
        self._up = {Why.NETWORK: False, Why.MAIN: False, Why.SCREEN: True}
        self._pending: set[str] = set()
        self._notice: tuple[Msg, tuple[Msg, ...]] | None = None
        self._back: asyncio.TimerHandle | None = None
        self._showing_back = False
        self._was_down = True  # at start too: the clerk sees the link come up
        self.state = Link.DOWN
        self.why: Why | None = Why.NETWORK
        self.listeners: list[Listener] = []
        self.changes = 0

    # Fed by the station daemon.

    def broker(self, up: bool) -> None:
        """The site broker connected (True) or lost (False)."""
        self._set(Why.NETWORK, up)

    def main(self, online: bool) -> None:
        """The main device's retained status said online or offline."""
        self._set(Why.MAIN, online)

    def waiting(self, key: str) -> None:
        """An input (its id, or its station) has had no answer for [site] reply_wait_s."""
        self._pending.add(key)
        self._update()

    def settled(self, key: str) -> None:
        """That input was answered, refused, or given up: it no longer waits."""
        self._pending.discard(key)
        self._update()

    def notice(self, said: tuple[Msg, tuple[Msg, ...]] | None) -> None:
        """What the station told its clerk by itself (an input given up), shown until the next
        answer (None) clears it: the main device's page knows nothing of it."""
        if said != self._notice:
            self._notice = said
            self._update(force=True)

    # Fed by the station's screen server.

    def screen(self, up: bool) -> None:
        """The main device's screen server answered (True) or could not be reached (False)."""
        self._set(Why.SCREEN, up)

    def _set(self, part: Why, up: bool) -> None:
        if self._up[part] != up:
            self._up[part] = up
            self._update()

    def _update(self, *, force: bool = False) -> None:
        why = next((part for part in Why if not self._up[part]), None)
        if why is not None:
            self._was_down = True
            self._end_back()
            state = Link.DOWN
        else:
            if self._was_down:
                self._start_back()
            self._was_down = False
            if self._pending:
                state = Link.WAITING
            elif self._showing_back:
                state = Link.BACK
            elif self._notice is not None:
                state = Link.NOTICE
            else:
                state = Link.OK
        if (state, why) == (self.state, self.why) and not force:
            return
        self.state, self.why = state, why
        self._tell()

    def _tell(self) -> None:
        self.changes += 1
        payload = self.payload()
        for listener in list(self.listeners):
            listener(payload)

    def _start_back(self) -> None:
        self._showing_back = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a script): "back" stays until the next change
        self._back = loop.call_later(self.back_shown_s, self._back_over)

    def _end_back(self) -> None:
        self._showing_back = False
        if self._back is not None:
            self._back.cancel()
            self._back = None

    def _back_over(self) -> None:
        self._back = None
        self._showing_back = False
        self._update()

    def payload(self) -> dict[str, Any]:
        """The `link` event's data: the state for the page's styling, and the words to show."""
        lang = self.lang()
        if self.state is Link.NOTICE and self._notice is not None:
            title, lines = self._notice
            return {
                "state": self.state.value,
                "tone": TONE[self.state],
                "title": title.render(lang),
                "next": " ".join(line.render(lang) for line in lines),
            }
        title_key, next_key = _words(self.state, self.why, kiosk=self.kiosk)
        return {
            "state": self.state.value,
            "tone": TONE[self.state],
            "title": "" if title_key is None else Msg(title_key).render(lang),
            "next": "" if next_key is None else Msg(next_key).render(lang),
        }

    def down(self) -> bool:
        return self.state is Link.DOWN

    def status(self) -> dict[str, Any]:
        return {
            "link": self.state.value,
            "why": None if self.why is None else self.why.value,
            "waiting": len(self._pending),
            "changes": self.changes,
        }


def _words(state: Link, why: Why | None, *, kiosk: bool) -> tuple[str | None, str | None]:
    if state is Link.OK:
        return None, None
    if kiosk:
        if state is Link.WAITING:
            return "site_kiosk_waiting", "site_kiosk_waiting_next"
        if state is Link.DOWN:
            return "site_kiosk_down", "site_kiosk_down_next"
        return None, None  # a customer needs no "back": the kiosk just works again
    if state is Link.WAITING:
        return "site_waiting", "site_waiting_next"
    if state is Link.DOWN and why is Why.SCREEN:
        return "site_screen_down", "site_screen_down_next"
    if state is Link.DOWN:
        assert why is not None
        return "site_down", f"site_down_{why.value}"
    return "site_back", "site_back_next"
