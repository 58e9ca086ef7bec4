"""A remote station's own screen end to end, every part real: a site broker, the main device's
`pvz run` with its screen on the network, a token made by `pvz screen pair` for the station, the
station's `pvz run` serving its page, Debian's headless Chromium on it. A badge scanned at the
station, and a button pressed on its page, are decided by the main device and show on the station's
page; the main device killed, the page says it cannot be reached; the main device started again,
the page says it is back."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.broker import Broker
from tests.support.config import station
from tests.support.factory import CLERK, KEY, new_store, standard_manifest
from tests.support.factory import DEVICE as MAIN_DEVICE
from tests.support.process import ROOT
from tests.support.site import main_config, remote, station_config
from tests.support.site_peer import scan, start_station, stop_station
from tests.support.site_station import start_main
from tests.test_screen_browser import browser, lan_address, page
from tests.test_screen_daemon import wait_listening
from workflows.messages import Msg

__all__ = ["browser", "page"]

DEVICE = "pvz-0002"
WAIT_MS = 30_000
PVZ_SCREEN = (sys.executable, "-m", "device.cli.main", "screen")


def listen_port(config: Path) -> int:
    found = re.search(r'listen = "[^"]*:(\d+)"', config.read_text(encoding="utf-8"))
    assert found is not None
    return int(found.group(1))


def pair(config: Path) -> tuple[str, str]:
    """`pvz screen pair --station counter-2` on the main device: the [site] lines it prints."""
    done = subprocess.run(
        [*PVZ_SCREEN, "pair", "--config", str(config), "--station", "counter-2", "--label", "counter-2 Pi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    screen = re.search(r'main_screen = "([^"]+)"', done.stdout)
    token = re.search(r'main_screen_token = "([^"]+)"', done.stdout)
    assert screen is not None and token is not None, done.stdout
    return screen.group(1), token.group(1)


def test_a_remote_stations_page_follows_the_real_main_device(
    page: Page, tmp_path: Path, broker: Broker
) -> None:
    lan = lan_address()
    (tmp_path / "main").mkdir()
    new_store(tmp_path / "main" / "pvz.db", standard_manifest()).close()
    config = main_config(
        tmp_path / "main",
        mqtt_port=broker.port,
        remotes=remote("counter-2", DEVICE),
        local=station("c1"),
        device=MAIN_DEVICE,
        key=KEY.hex(),
    )
    config.write_text(config.read_text(encoding="utf-8").replace('listen = "127.0.0.1:', f'listen = "{lan}:'))
    main_screen, token = pair(config)
    assert main_screen.startswith(f"http://{lan}:")
    station_file = station_config(
        tmp_path / "station", device=DEVICE, name="counter-2", mqtt_port=broker.port, main=MAIN_DEVICE
    )
    text = station_file.read_text(encoding="utf-8")
    text = text.replace(
        "[site]\n", f'[site]\nmain_screen = "{main_screen}"\nmain_screen_token = "{token}"\n', 1
    )
    station_file.write_text(text, encoding="utf-8")

    log = (tmp_path / "daemons.log").open("w")
    main = start_main(config, log)
    counter = start_station(station_file, log)
    try:
        wait_listening(listen_port(station_file), counter)  # type: ignore[arg-type]
        page.goto(f"http://127.0.0.1:{listen_port(station_file)}/station/counter-2")
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect(page.locator("#link")).not_to_have_attribute("data-state", "down", timeout=WAIT_MS)

        # Scanned at the station, decided by the main device, shown on the station's page.
        scan(counter, CLERK)
        expect(page.locator("#clerk")).to_contain_text("Анна С.", timeout=WAIT_MS)
        # A touch goes the same way: through the station daemon's input path, decided once.
        page.click('#buttons [data-code="PVZC-ISSUE"]')
        expect(page.locator("#workflow")).to_have_text(Msg("scr_wf_issue").render("ru"), timeout=WAIT_MS)

        # The main device dies: its last will says offline, the station's page says what to do.
        main.send_signal(signal.SIGKILL)
        main.wait(20)
        expect(page.locator("#link")).to_have_attribute("data-state", "down", timeout=WAIT_MS)
        expect(page.locator("#link")).to_contain_text(Msg("site_down").render("ru"))
        expect(page.locator("#link")).to_contain_text(Msg("site_down_main").render("ru"))

        # Started again: back, and the page shows the main device's state again.
        main = start_main(config, log)
        expect(page.locator("#link")).to_have_attribute("data-state", "back", timeout=WAIT_MS)
        expect(page.locator("#link")).to_contain_text(Msg("site_back").render("ru"))
        expect(page.locator("#clerk")).to_contain_text("Анна С.", timeout=WAIT_MS)
    finally:
        assert stop_station(counter) == 0
        main.terminate()
        main.wait(20)
        log.close()
    assert "Traceback" not in (tmp_path / "daemons.log").read_text(encoding="utf-8")
