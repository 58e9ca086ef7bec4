"""A kiosk daemon for end-to-end tests: the daemon's own wiring (build_runtime, build_screen) from
a pvz.toml with a kiosk station, simulated doors, the sim speaker and the local screen, run on an
event loop in a thread of its own so a browser can be driven from the test's thread. Its store
is the kiosk site of tests/support/kiosk.py (supply K1 accepted and placed at the counter c1);
the scanners are scripted, the doors are the SimDoors the wiring built, scripted by the test."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

from device.config import load_config
from device.kiosk_speech import KioskSpeech
from device.runtime import Runtime
from device.screen.server import ScreenServer
from device.wiring import build_runtime, build_screen, open_store
from drivers.doors.sim_doors import SimDoors
from drivers.scanner.sim_input import ScriptSource
from drivers.speech.sim_speech import SimSpeaker
from tests.support.config import station, write_config
from tests.support.factory import KEY
from tests.support.kiosk import COUNTER, KIOSK, kiosk_site
from tests.support.kiosk import DOORS as SITE_DOORS
from tests.support.loop_thread import LoopThread

T = TypeVar("T")
DOORS = 20  # the kiosk site's doors are 14 … 18

EXTRA = f"""
[doors]
backend = "sim"
count = {DOORS}

[kiosk]
speaker = "sim"
"""


def kiosk_config(directory: Path, *, lang: str = "ru") -> Path:
    """The site's store stocked (its parcels kept past today), and the daemon's config beside it."""
    store, _, _ = kiosk_site(directory / "pvz.db")
    with store.transaction() as conn:
        # The site was stocked on the factory's fixed day: its storage runs on past today's date.
        conn.execute("UPDATE parcels SET deadline = '2999-12-31'")
    store.close()
    kiosk = station(KIOSK).replace(f'name = "{KIOSK}"\n', f'name = "{KIOSK}"\nkind = "kiosk"\n')
    config = write_config(directory, stations=kiosk + station(COUNTER), key=KEY.hex(), extra=EXTRA)
    if lang != "ru":
        config.write_text(config.read_text().replace("[device]\n", f'[device]\nlanguage = "{lang}"\n', 1))
    return config


class KioskDaemon(LoopThread):
    """`with KioskDaemon(config) as kd:` runs it; `kd.url()` is the kiosk's page."""

    def __init__(self, config_file: Path, *, without_sensor: frozenset[int] = frozenset()) -> None:
        super().__init__("kiosk-daemon")
        self.config_file = config_file
        self.without_sensor = without_sensor  # doors whose opening nobody can see
        self.runtime: Runtime | None = None
        self.screen: ScreenServer | None = None
        self.sources: dict[str, ScriptSource] = {}

    async def _run(self) -> None:
        config = load_config(self.config_file)
        store = open_store(config, self.config_file, owner=True)
        try:
            runtime = self.runtime = build_runtime(config, self.config_file, store)
            for name, io in runtime.stations.items():
                # Scripted scanners that stay open (stdin would end at once under pytest).
                self.sources[name] = ScriptSource(name=f"{name}/scanner0")
                io.sources = [self.sources[name]]
            if self.without_sensor:
                assert runtime.doors is not None
                runtime.doors.doors = SimDoors(DOORS, without_sensor=self.without_sensor)
            doors = self.doors
            for _, door in SITE_DOORS.values():
                doors.load(door)  # the parcels the store has behind the doors are in the cells
            screen = build_screen(config, runtime)
            assert screen is not None
            self.screen = screen
            runtime.start()
            await screen.start()
            self._ready.set()
            try:
                await runtime.run(stop=self._stop)
            finally:
                await screen.stop()
        finally:
            store.close()

    # From the test's thread.

    @property
    def doors(self) -> SimDoors:
        assert self.runtime is not None and self.runtime.doors is not None
        doors = self.runtime.doors.doors
        assert isinstance(doors, SimDoors)
        return doors

    @property
    def speaker(self) -> SimSpeaker:
        assert self.runtime is not None
        speech = [w for w in self.runtime.watchers if isinstance(w, KioskSpeech)]
        assert len(speech) == 1 and isinstance(speech[0].speaker, SimSpeaker)
        return speech[0].speaker

    def scan(self, station: str, *codes: str) -> None:
        assert self.loop is not None
        for code in codes:
            self.loop.call_soon_threadsafe(self.sources[station].feed, code)

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the daemon's loop (where its state lives) and return what it returns."""
        assert self.loop is not None
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(10)

    def url(self, path: str = "/") -> str:
        assert self.screen is not None
        return f"http://127.0.0.1:{self.screen.port}{path}"
