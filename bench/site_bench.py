"""Site benchmark: a remote station's input to its answer at the station, through a real Mosquitto
and a real `pvz run` main device (docs/site.md).

`python -m bench.site_bench [--scans 2000] [--out FILE]`. Three station devices (plain MQTT clients
speaking sync/site.py, as the station daemon does) each send an input and wait for its reply; the
time is from the station's publish to the reply's arrival on the station's loop: the main device's
decode and checks, Engine.handle with its durable commit (the answer written in the decision's
transaction, synchronous=FULL), feedback, the reply's publish and both broker hops. Each input is
a parcel's barcode looked up at an idle, signed-in counter (`parcel_where`).

- `one_station`: `--scans` inputs from one station, one after another;
- `three_stations`: `--scans` inputs from each of three stations at once: scans/s over all, and
  the latency each saw while the others worked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from bench.stats import stats
from sync.site import SiteInput, SiteReply, SiteTopics
from sync.transport import Inbound
from tests.support.broker import Broker, free_port
from tests.support.factory import CLERK, SITE
from tests.support.site_station import main_device, new_id, start_main
from tests.support.sync import new_link

CODES = ("11111111-0001-1", "22222222-0001-1", "33333333-0001-1", "44444444-0001-1")
WARMUP = 50
# The site broker as the site's config has it: TCP_NODELAY on its sockets too, or each small reply
# waits out the peer's delayed ACK (about 40 ms a hop); pvz's own links set it (sync/transport.py).
SITE_BROKER = "listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true"


class Station:
    """A station device that times each input to its reply."""

    def __init__(self, port: int, device: str, name: str) -> None:
        self.device = device
        self.name = name
        self.topics = SiteTopics(SITE)
        self.link = new_link(port, device)
        self.waiting: dict[str, asyncio.Future[SiteReply]] = {}

    async def start(self) -> None:
        self.link.subscribe(self.topics.of(self.device, "reply"), self._on_reply)
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)

    def _on_reply(self, msg: Inbound) -> None:
        reply = msgspec.json.decode(msg.payload, type=SiteReply)
        future = self.waiting.pop(reply.id, None)
        if future is not None and not future.done():
            future.set_result(reply)

    async def one(self, code: str, timeout: float = 5.0) -> tuple[int, SiteReply]:
        input_id = new_id()
        future: asyncio.Future[SiteReply] = asyncio.get_running_loop().create_future()
        self.waiting[input_id] = future
        body = msgspec.json.encode(SiteInput(input_id, self.name, code.encode()))
        start = time.monotonic_ns()
        await self.link.publish(self.topics.of(self.device, "input"), body, 1)
        reply = await asyncio.wait_for(future, timeout)
        return time.monotonic_ns() - start, reply

    async def many(self, count: int) -> list[int]:
        samples = []
        for i in range(count):
            took, reply = await self.one(CODES[i % len(CODES)])
            assert reply.refused is None and reply.feedback["msg"]["key"] == "parcel_where", reply
            samples.append(took)
        return samples


async def _until_up(station: Station) -> None:
    """The main device answers (it is started, subscribed and reading inputs)."""
    for _ in range(200):
        try:
            await station.one(CODES[0], timeout=0.5)
            return
        except TimeoutError:
            continue
    raise RuntimeError("the main device never answered")


async def _measure(port: int, scans: int) -> dict[str, Any]:
    stations = [Station(port, f"pvz-{n}", n) for n in "abc"]
    for station in stations:
        await station.start()
    try:
        await _until_up(stations[0])
        await stations[2].one(CLERK)  # c is the counter nobody signed in at yet
        for station in stations:
            await station.many(WARMUP)
        one = await stations[0].many(scans)
        start = time.monotonic()
        each = await asyncio.gather(*(station.many(scans) for station in stations))
        elapsed = time.monotonic() - start
    finally:
        for station in stations:
            station.link.stop()
    together = [sample for samples in each for sample in samples]
    return {
        "one_station": stats(one),
        "three_stations": {**stats(together), "scans_per_s": round(len(together) / elapsed, 1)},
    }


def run(scans: int = 2000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-site-bench-") as tmp:
        root = Path(tmp)
        broker = Broker(root / "broker", port=(port := free_port()), extra=SITE_BROKER.format(port=port))
        broker.start()
        try:
            config = main_device(root / "main", broker.port)
            with (root / "main.log").open("w", encoding="utf-8") as log:
                daemon = start_main(config, log)
                try:
                    figures = asyncio.run(_measure(broker.port, scans))
                finally:
                    daemon.send_signal(signal.SIGTERM)
                    daemon.wait(30)
        finally:
            broker.stop()
    return {**figures, "scans": scans, "targets": {"p99_ms": 30, "scans_per_s": 500}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.site_bench", description=__doc__)
    parser.add_argument("--scans", type=int, default=2000, help="inputs per station and phase (default 2000)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    report = run(args.scans)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
