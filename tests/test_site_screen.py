"""What people see at a remote station, in Debian's headless Chromium: the station's own screen
server passes the main device's page for its station through (paired with a station token, the main
device's screen on the network), shows the main device's answer to a keypad input, and puts the
station's link on top: waiting for the main device, the main device unreachable and back, the main
device's screen cut off and back; and the main device's own page of a station whose link is lost.
Screenshots go to the test's directory, and to $PVZ_SCREENSHOTS when set (docs/images/site-*.png).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import aiohttp
import pytest
from playwright.sync_api import Page, expect

from device.config import parse_config
from device.exc import ConfigError
from device.screen.tokens import new_token
from device.site.station_screen_link import Link, StationLink, Why
from device.site.station_screen_sse import blocks, fields
from tests.support.kiosk_page import check_accessible
from tests.support.screen import COD_CODE, ScreenDevice
from tests.support.site_screen import StationScreenDevice
from tests.support.tcp_proxy import CuttableProxy
from tests.test_config import MINIMAL
from tests.test_screen_browser import WAIT_MS, browser, keypad, lan_address, page, screenshot
from tests.test_screen_server import stocked
from workflows.messages import Msg

__all__ = ["browser", "page"]


def words(key: str, lang: str = "ru", **params: str) -> str:
    return Msg(key, dict(params)).render(lang)


def token_for(dev: ScreenDevice, station: str) -> str:
    """The station token `pvz screen pair --station <station>` makes on the main device."""

    def pair() -> str:
        assert dev.runtime is not None
        with dev.runtime.engine.store.transaction() as conn:
            return new_token(conn, station, "counter-2 Pi", dev.runtime.engine.clock())[1]

    return dev.call(pair)


def up(link: StationLink) -> None:
    link.broker(True)
    link.main(True)


def expect_link(page: Page, state: str, *texts: str) -> None:
    banner = page.locator("#link")
    expect(banner).to_have_attribute("data-state", state, timeout=WAIT_MS)
    if state == "ok":
        expect(banner).to_be_hidden()
        return
    expect(banner).to_be_visible()
    for text in texts:
        expect(banner).to_contain_text(text)


def test_a_remote_station_shows_the_main_devices_answer_and_its_link(page: Page, tmp_path: Path) -> None:
    lan = lan_address()
    with (
        ScreenDevice(tmp_path, host=lan, setup=stocked) as main,
        CuttableProxy(main.port, target_host=lan) as cable,
    ):
        token = token_for(main, "s1")
        upstream = f"http://127.0.0.1:{cable.port}"
        with StationScreenDevice(main, upstream, token) as station:
            station.call(up)
            page.goto(station.url())
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            # The main device's state for this station, through the station's own server.
            expect(page.locator("#clerk")).to_contain_text("Анна С.")
            expect_link(page, "ok")

            # The keypad goes to the station daemon's input path, and the main device's answer shows.
            keypad(page, COD_CODE)
            expect(page.locator("#order-parcels [data-status=waiting]")).to_have_count(3, timeout=WAIT_MS)
            assert station.inputs == [(COD_CODE, True)]
            screenshot(page, tmp_path, "site-answer-ru.png")

            # An input not answered within [site] reply_wait_s.
            station.call(lambda link: link.waiting("a1"))
            expect_link(page, "waiting", words("site_waiting"), words("site_waiting_next"))
            screenshot(page, tmp_path, "site-waiting-ru.png")
            station.call(lambda link: link.settled("a1"))
            expect_link(page, "ok")

            # The main device goes offline: nothing scanned is done, and the clerk is told what to do.
            station.call(lambda link: link.main(False))
            expect_link(page, "down", words("site_down"), words("site_down_main"))
            expect(page.locator("#controls")).to_have_css("pointer-events", "none")  # its buttons rest
            screenshot(page, tmp_path, "site-unreachable-ru.png")
            station.call(lambda link: link.broker(False))
            expect_link(page, "down", words("site_down"), words("site_down_network"))
            station.call(lambda link: link.broker(True))
            station.call(lambda link: link.main(True))
            expect_link(page, "back", words("site_back"), words("site_back_next"))
            screenshot(page, tmp_path, "site-back-ru.png")
            expect_link(page, "ok")  # "back" goes by itself
            expect(page.locator("#order-parcels [data-status=waiting]")).to_have_count(3)

            # The main device's screen cut off from the station: it says so, then catches up.
            cable.cut()
            expect_link(page, "down", words("site_screen_down"))
            main.scan("s1", "PVZC-CANCEL")
            cable.restore()
            expect_link(page, "back", words("site_back"))
            expect(page.locator("#order")).to_be_hidden(timeout=WAIT_MS)
            expect_link(page, "ok")
            assert station.server is not None and station.server.passed > 0


def test_a_station_page_opened_while_the_main_device_cannot_be_reached(page: Page, tmp_path: Path) -> None:
    lan = lan_address()
    with ScreenDevice(tmp_path, host=lan, setup=stocked) as main:
        upstream = f"http://{lan}:{main.port}"
        # A wrong token is no way in: the main device's screen refuses it, the station says so.
        with StationScreenDevice(main, upstream, "not-a-token-of-this-main") as station:
            station.call(up)
            page.goto(station.url())
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            expect(page.locator("#message-title")).to_have_text(words("site_screen_down"), timeout=WAIT_MS)
            expect_link(page, "down", words("site_screen_down_next"))
            expect(page.locator("#clerk")).not_to_contain_text("Анна")
            assert station.server is not None and station.server.local_snapshots >= 1
            assert station.call(lambda link: link.why) is Why.SCREEN


def test_the_main_devices_page_of_a_station_whose_link_is_lost(page: Page, tmp_path: Path) -> None:
    with ScreenDevice(tmp_path, setup=stocked) as main:
        page.goto(main.url("s1"))
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect_link(page, "ok")
        assert main.hub is not None
        hub = main.hub
        main.call(lambda: hub.station_online("s1", False))
        expect_link(page, "lost", words("site_station_lost", station="s1"), words("site_station_lost_next"))
        screenshot(page, tmp_path, "site-station-lost-ru.png")
        page.reload()  # a page opened now shows it from its snapshot
        expect_link(page, "lost", words("site_station_lost", station="s1"))
        main.call(lambda: hub.station_online("s1", True))
        expect_link(page, "ok")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_remote_kiosk_tells_the_customer_in_their_words(page: Page, tmp_path: Path, lang: str) -> None:
    with ScreenDevice(tmp_path, stations=("k1",), kiosks=frozenset({"k1"}), lang=lang) as main:
        upstream = f"http://127.0.0.1:{main.port}"  # the main device's screen on loopback: no token
        with StationScreenDevice(main, upstream, "", station="k1", kiosk=True, lang=lang) as st:
            st.call(up)
            page.goto(st.url())
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            expect(page.locator("#app")).to_be_visible()  # the main device's kiosk page for k1
            expect(page.locator("html")).to_have_attribute("lang", lang)
            st.call(lambda link: link.main(False))
            expect_link(page, "down", words("site_kiosk_down", lang), words("site_kiosk_down_next", lang))
            screenshot(page, tmp_path, f"site-kiosk-down-{lang}.png")
            check_accessible(page, "down")  # the banner too: WCAG 2.1 AA contrast and sizes
            expect(page.locator('#keys [data-key="1"]')).to_be_disabled()  # no code taken while down
            st.call(lambda link: link.main(True))
            expect_link(page, "ok")  # a customer is not told "back": the kiosk just works again
            expect(page.locator('#keys [data-key="1"]')).to_be_enabled()
            st.call(lambda link: link.waiting("a1"))
            expect_link(
                page, "waiting", words("site_kiosk_waiting", lang), words("site_kiosk_waiting_next", lang)
            )
            check_accessible(page, "waiting")
            st.call(lambda link: link.settled("a1"))
            expect_link(page, "ok")


def test_the_link_says_the_first_thing_to_check() -> None:
    link = StationLink()
    seen: list[str] = []
    link.listeners.append(lambda payload: seen.append(payload["state"]))
    assert (link.state, link.why) == (Link.DOWN, Why.NETWORK)  # nothing is done before the link is up
    link.broker(True)
    assert (link.state, link.why) == (Link.DOWN, Why.MAIN)
    link.main(True)
    assert link.status()["link"] == "back"  # no loop here: it stays until the next change
    link.waiting("a")
    link.waiting("b")
    link.settled("a")
    assert link.status()["link"] == "waiting"
    link.screen(False)
    assert (link.state, link.why) == (Link.DOWN, Why.SCREEN)
    link.main(False)
    assert (link.state, link.why) == (Link.DOWN, Why.MAIN)
    link.main(True)
    link.screen(True)
    link.settled("b")
    assert link.state is Link.BACK
    assert seen == ["down", "back", "waiting", "down", "down", "down", "waiting", "back"]
    assert link.status() == {"link": "back", "why": None, "waiting": 0, "changes": 8}

    # An input the station gave up on is told on its page until the next answer; "back" goes first.
    link.notice((Msg("stn_given_up"), (Msg("stn_given_up_what"),)))
    assert link.status()["link"] == "back"
    link._back_over()  # the timer a running loop would fire after back_shown_s
    assert link.payload() == {
        "state": "notice",
        "tone": "error",
        "title": words("stn_given_up"),
        "next": words("stn_given_up_what"),
    }
    link.notice(None)
    assert link.status()["link"] == "ok"


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_the_main_devices_stream_is_cut_into_whole_events_however_it_arrives(size: int) -> None:
    wire = b'retry: 1000\n\nid: r-1\nevent: snapshot\ndata: {"a": "\xd0\xaf"}\n\n: keepalive\n\nid: r-2\nevent: station\ndata: {}\n\n'

    async def read() -> list[bytes]:
        reader = aiohttp.StreamReader(
            mock.Mock(_reading_paused=False), 1 << 16, loop=asyncio.get_running_loop()
        )
        for start in range(0, len(wire), size):
            reader.feed_data(wire[start : start + size])
        reader.feed_eof()
        return [block async for block in blocks(reader)]

    # In a thread of its own: the module's Playwright keeps a loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        got = pool.submit(asyncio.run, read()).result(10)
    assert b"".join(got) == wire
    assert [fields(block) for block in got] == [
        (None, None),
        ("r-1", "snapshot"),
        (None, None),
        ("r-2", "station"),
    ]


STATION = """
[device]
id = "pvz-0002"
site = "msk-0001"
role = "station"
[mqtt]
host = "10.0.0.2"
[[stations]]
name = "counter-2"
scanners = [{ backend = "stdin" }]
[site]
main = "pvz-0001"
"""
TOKEN = "Zx9_" * 11


def test_a_station_names_the_main_devices_screen_and_its_token() -> None:
    site = parse_config(
        STATION + f'main_screen = "http://10.0.0.2:8080"\nmain_screen_token = "{TOKEN}"\n', source="pvz.toml"
    ).site
    assert (site.main_screen, site.main_screen_token) == ("http://10.0.0.2:8080", TOKEN)


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        (STATION + 'main_screen = "10.0.0.2:8080"\n', "bad_format", "$.site.main_screen"),
        (STATION + 'main_screen = "http://10.0.0.2:8080/x?token=1"\n', "bad_format", "$.site.main_screen"),
        (STATION + f'main_screen_token = "{TOKEN}"\n', "bad_value", "$.site.main_screen_token"),
        (
            STATION + 'main_screen = "http://10.0.0.2:8080"\nmain_screen_token = "a b"\n',
            "bad_format",
            "$.site.main_screen_token",
        ),
        (MINIMAL + '[site]\nmain_screen = "http://10.0.0.2:8080"\n', "bad_value", "$.site.main_screen"),
    ],
)
def test_the_main_devices_screen_is_refused(text: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="pvz.toml")
    assert (caught.value.reason, caught.value.path) == (reason, path)
