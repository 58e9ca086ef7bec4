"""Kiosk benchmark: from the customer's OK on the kiosk page to the door's lock firing, and to the
page telling the customer which door to take the parcels from, in Debian's headless Chromium.

`./dev bench --kiosk-page [--rounds 100]`. The daemon's own wiring with simulated doors
(tests/support/kiosk_daemon.py) on its own loop. Each round the customer of order 50000002
(behind door 15) types the code and presses Enter: the engine finds the order and records the
door command, the door controller fires the lock (SimDoors records the moment), reads the door
open and reports it, the kiosk flow says "take your parcels from door 15", and a
MutationObserver in the page sees those words. The customer then shuts the door with the parcel
inside ("not taken": the order stays theirs) and the next round types the same code again.
Both times start when Enter is pressed in the page, so they include the browser's request.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish
from bench.stats import stats
from tests.support.kiosk import CODES, LOCKED
from tests.support.kiosk_daemon import KioskDaemon, kiosk_config
from workflows.messages import Msg

CHROMIUM = "/usr/bin/chromium"
DOOR = 15  # order 50000002's door
TAKE = Msg("ksk_take_door", {"door": str(DOOR)}).render("ru")

# Installed before the page's script: when (epoch ms) each message title first reached the DOM.
OBSERVER = """
window.__titles = [];
new MutationObserver(() => {
  const t = document.getElementById('message-title');
  const text = t && t.textContent;
  const last = window.__titles[window.__titles.length - 1];
  if (text && (!last || last[0] !== text)) window.__titles.push([text, performance.timeOrigin + performance.now()]);
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def run(rounds: int = 100) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    to_pulse: list[int] = []
    to_page: list[int] = []
    with (
        tempfile.TemporaryDirectory(prefix="pvz-kiosk-") as tmp,
        KioskDaemon(kiosk_config(Path(tmp))) as kd,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(OBSERVER)
        page.goto(kd.url("/kiosk/k1"))
        page.wait_for_function("document.body.dataset.connected === '1'", timeout=30_000)
        for _ in range(rounds):
            page.wait_for_function(
                "() => !document.getElementById('pad').hidden"
                " && !document.querySelector('#keys [data-key=ok]').dataset.busy",
                timeout=10_000,
            )
            page.keyboard.type(CODES[LOCKED])
            seen = int(page.evaluate("window.__titles.length"))
            pulses = kd.call(lambda: len(kd.doors.pulses))
            sent_wall, sent_mono = time.time() * 1000, time.monotonic()
            page.keyboard.press("Enter")
            handle = page.wait_for_function(
                f"() => {{ const hit = window.__titles.slice({seen}).find(t => t[0] === {json.dumps(TAKE)});"
                " return hit ? hit[1] : null; }",
                timeout=10_000,
            )
            shown = float(handle.json_value())
            fired = kd.call(lambda: list(kd.doors.pulses))[pulses]
            assert fired[1] == DOOR, fired
            to_pulse.append(int((fired[0] - sent_mono) * 1e9))
            to_page.append(int((shown - sent_wall) * 1e6))
            kd.call(lambda: kd.doors.leave(DOOR))  # shut with the parcel inside: the order stays theirs
        browser.close()
    return {
        "rounds": rounds,
        "enter_to_lock_fired_ms": stats(to_pulse),
        "enter_to_take_from_door_on_page_ms": stats(to_page),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench --kiosk-page", description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    report = run(args.rounds)
    publish(report, args.out)
    return 0
