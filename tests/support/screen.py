"""A device with the local screen for tests: a real store, engine, runtime and screen server on a
free port, run on an event loop in a thread of its own so that a browser (or plain HTTP) can be
driven from the test's thread; scans are fed to its scripted scanners."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from device.runtime import Runtime
from device.screen.feed import Feed
from device.screen.hub import ScreenHub
from device.screen.server import ScreenServer
from device.station_io import StationIO
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from drivers.scanner.sim_input import ScriptSource
from tests.support.factory import M, P, new_engine, new_store, standard_manifest
from tests.support.loop_thread import LoopThread

T = TypeVar("T")

# Order 55555555: cash on delivery over three parcels (2 500,00 + 3 683,50 + 1 000,00 ₽), one 18+.
COD_ORDER = "55555555"
COD_PARCELS = ("55555555-0001-1", "55555555-0002-1", "55555555-0003-1")
COD_CODE = "5555"
COD_PHONE = "+7 916 555-12-34"  # the page shows its ending only: "•••• 1234"


def cod_manifest() -> M:
    return M(
        "S5",
        [
            P(COD_PARCELS[0], COD_ORDER, cod=250000),
            P(COD_PARCELS[1], COD_ORDER, cod=368350, age=True, size="M"),
            P(COD_PARCELS[2], COD_ORDER, cod=100000),
        ],
        codes={COD_ORDER: COD_CODE},
        phones={COD_ORDER: COD_PHONE},
    )


class ScreenDevice(LoopThread):
    """`with ScreenDevice(tmp_path) as dev:` runs it; `dev.url(station)` is a station's page."""

    def __init__(
        self,
        path: Path,
        *,
        lang: str = "ru",
        stations: tuple[str, ...] = ("s1",),
        host: str = "127.0.0.1",
        langs: dict[str, str] | None = None,
        kiosks: frozenset[str] = frozenset(),
        setup: Callable[[ScreenDevice], None] | None = None,
    ) -> None:
        super().__init__("screen-device")
        self.path = path
        self.lang = lang
        self.station_names = stations
        self.host = host
        self.langs = langs or {}
        self.kiosks = kiosks
        self.hub: ScreenHub | None = None
        self.setup = setup
        self.port = 0
        self.runtime: Runtime | None = None
        self.server: ScreenServer | None = None
        self.sources: dict[str, ScriptSource] = {}
        self.printers: dict[str, SimPrinter] = {}

    async def _run(self) -> None:
        store = new_store(self.path / "pvz.db", standard_manifest(), cod_manifest())
        engine = new_engine(store, self.lang, signed_in=())
        ios = []
        for name in self.station_names:
            self.sources[name] = ScriptSource(name=f"{name}/scanner0")
            self.printers[name] = SimPrinter(out_dir=self.path / "prints" / name, name=f"{name}/printer")
            ios.append(
                StationIO(
                    name,
                    [self.sources[name]],
                    printer=self.printers[name],
                    status_light=SimStatusLight(),
                    buzzer=SimBuzzer(),
                    lang=self.langs.get(name),
                )
            )
        self.runtime = Runtime(engine, stations=ios, rack=SimCellLights(), lang=self.lang)
        hub = self.hub = ScreenHub(Feed(), kiosks=self.kiosks)
        hub.attach(self.runtime)
        for io in ios:
            io.screen = hub.screen(io.name)
        if self.setup is not None:
            self.setup(self)
        self.server = ScreenServer(hub, host=self.host, port=0)
        self.runtime.start()
        await self.server.start()
        self.port = self.server.port
        self._ready.set()
        try:
            await self.runtime.run(stop=self._stop)
        finally:
            await self.server.stop()
            store.close()

    # From the test's thread.

    def scan(self, station: str, *codes: str) -> None:
        assert self.loop is not None
        for code in codes:
            self.loop.call_soon_threadsafe(self.sources[station].feed, code)

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the device's loop (where its state lives) and return what it returns."""
        assert self.loop is not None
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(10)

    def url(self, station: str | None = None, host: str | None = None) -> str:
        base = f"http://{host or '127.0.0.1'}:{self.port}"
        return base + ("/" if station is None else f"/station/{station}")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(host, self.port, timeout=10)
        try:
            data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            conn.request(method, path, body=data, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def state(self, station: str) -> dict[str, Any]:
        status, _, body = self.request("GET", f"/state?station={station}")
        assert status == 200, status
        result: dict[str, Any] = json.loads(body)
        return result


def read_events(
    host: str, port: int, path: str, *, count: int, last_id: str | None = None, timeout: float = 10.0
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, event, data) of the first `count` events of a stream, as a browser's EventSource reads them."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = last_id
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    assert response.status == 200, response.status
    fields: dict[str, str] = {}
    seen = 0
    try:
        while seen < count:
            line = response.fp.readline().decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    seen += 1
                    yield fields.get("id", ""), fields.get("event", "message"), json.loads(fields["data"])
                fields = {}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            fields[key] = value
    finally:
        conn.close()
