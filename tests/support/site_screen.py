"""A remote station's screen for tests: its own screen server on a free loopback port, on a loop in
a thread of its own, showing a main device's screen (a ScreenDevice); its touch inputs go to that
device's runtime as the station daemon's SiteInput path would bring them."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from device.site.station_screen import StationScreenServer
from device.site.station_screen_link import StationLink
from tests.support.loop_thread import LoopThread
from tests.support.screen import ScreenDevice

T = TypeVar("T")


class StationScreenDevice(LoopThread):
    """`with StationScreenDevice(main, upstream, token) as st:` serves station `station`'s page."""

    def __init__(
        self,
        main: ScreenDevice,
        upstream: str,
        token: str,
        *,
        station: str = "s1",
        kiosk: bool = False,
        lang: str = "ru",
        back_shown_s: float = 0.5,
    ) -> None:
        super().__init__("station-screen")
        self.main = main
        self.upstream = upstream
        self.token = token
        self.station = station
        self.kiosk = kiosk
        self.lang = lang
        self.back_shown_s = back_shown_s
        self.inputs: list[tuple[str, bool]] = []
        self.link: StationLink | None = None
        self.server: StationScreenServer | None = None
        self.port = 0

    async def _run(self) -> None:
        link = self.link = StationLink(kiosk=self.kiosk, lang=lambda: self.lang)
        link.back_shown_s = self.back_shown_s
        self.server = StationScreenServer(
            link,
            station=self.station,
            kiosk=self.kiosk,
            lang=lambda: self.lang,
            upstream=self.upstream,
            token=self.token,
            submit=self._submit,
            host="127.0.0.1",
            port=0,
        )
        await self.server.start()
        self.port = self.server.port
        self._ready.set()
        assert self._stop is not None
        try:
            await self._stop.wait()
        finally:
            await self.server.stop()

    def _submit(self, code: str, keyed: bool) -> None:
        self.inputs.append((code, keyed))
        main, station = self.main, self.station
        assert main.loop is not None and main.runtime is not None
        runtime = main.runtime
        main.loop.call_soon_threadsafe(lambda: runtime.submit(station, code, keyed=keyed))

    def call(self, fn: Callable[[StationLink], T]) -> T:
        """Run `fn` with the station's link on its loop (as the station daemon would) and return its result."""
        assert self.loop is not None and self.link is not None
        link = self.link
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn(link))
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(10)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{'kiosk' if self.kiosk else 'station'}/{self.station}"
