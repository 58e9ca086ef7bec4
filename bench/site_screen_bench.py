"""A remote station's screen benchmark: what passing the main device's page through the station
adds, from a scan decided on the main device to the station's page showing it, in Debian's
headless Chromium.

`./dev bench --site-screen [--scans 300]`. One real store, runtime and screen server (the main
device, tests/support/screen.py) and one station screen server in front of it
(device/site/station_screen.py, tests/support/site_screen.py), each on its own loop; one page on
the main device's screen and one on the station's, each with a MutationObserver noting when each
message number reached its DOM. Per scan: from the scan fed to the main device's scanner to the
station's page (`scan_to_station_page_ms`), and the station's page behind the main device's own
(`station_behind_main_ms`: the pass-through's cost, both clocks the same machine's).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish
from bench.screen_bench import CHROMIUM, OBSERVER
from bench.stats import stats
from device.site.station_screen_link import StationLink
from tests.support.screen import ScreenDevice
from tests.support.site_screen import StationScreenDevice
from tests.test_screen_server import stocked

CYCLE = ("PVZC-ISSUE", "PVZC-CANCEL")  # each scan changes what the station's screen says
NEWEST = "Math.max(0, ...Object.keys(window.__seen).map(Number))"


def _up(link: StationLink) -> None:
    link.broker(True)
    link.main(True)


def run(scans: int = 300) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="pvz-site-screen-") as tmp,
        ScreenDevice(Path(tmp), setup=stocked) as main,
    ):
        upstream = f"http://127.0.0.1:{main.port}"  # loopback: no token
        with StationScreenDevice(main, upstream, "") as station, sync_playwright() as pw:
            station.call(_up)
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            pages = {}
            for name, url in (("main", main.url("s1")), ("station", station.url())):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.add_init_script(OBSERVER)
                page.goto(url)
                page.wait_for_function("document.body.dataset.connected === '1'", timeout=30_000)
                pages[name] = page
            through, behind = [], []
            for i in range(scans):
                before = {n: int(p.evaluate(NEWEST)) for n, p in pages.items()}
                sent = time.time() * 1000
                main.scan("s1", CYCLE[i % 2])
                seen = {}
                for name, page in pages.items():
                    page.wait_for_function(f"{NEWEST} > {before[name]}", timeout=10_000)
                    seq = int(page.evaluate(NEWEST))
                    seen[name] = float(page.evaluate(f"window.__seen['{seq}']"))
                through.append(int((seen["station"] - sent) * 1e6))  # ns, as bench.stats takes them
                behind.append(int((seen["station"] - seen["main"]) * 1e6))
            browser.close()
            passed = station.server.passed if station.server is not None else 0
    return {
        "scans": scans,
        "scan_to_station_page_ms": stats(through),
        "station_behind_main_ms": stats(behind),
        "events_passed_through": passed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench --site-screen", description=__doc__)
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    publish(run(args.scans), args.out)
    return 0
