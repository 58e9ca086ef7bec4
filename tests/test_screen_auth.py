"""Who sees a station's screen: a real aiohttp server with pvz's auth middleware, on 0.0.0.0 and on loopback.

Requests to this machine's network address (found with local_addresses(), 192.0.2.2 here)
come from another peer than loopback, as a tablet's would; requests to 127.0.0.1 are the
Pi's own kiosk. Refusals are checked by status and pvz's reason header, never by wording.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from device.screen import auth
from device.screen.netaddr import is_loopback, local_addresses
from device.screen.tokens import new_token, revoke
from device.store.db import Store
from tests.support.broker import free_port
from workflows.messages import Msg

T0 = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
STATIONS = ("counter-1", "counter-2")
REVOKED = web.AppKey("revoked", asyncio.Event)


def network_address() -> str:
    found = [a for a in local_addresses() if not is_loopback(a)]
    assert found, "the test machine needs a non-loopback IPv4 address"
    return found[0]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "pvz.db") as store:
        yield store


def make_token(store: Store, station: str) -> tuple[int, str]:
    with store.transaction() as conn:
        return new_token(conn, station, "tablet", T0)


async def station_page(request: web.Request) -> web.StreamResponse:
    """What the server does with a station route: 403 for a token of another station."""
    name = request.match_info["name"]
    if not auth.allowed(request, name):
        return auth.forbidden()
    return web.Response(text=f"page of {name}, bound to {auth.bound_station(request)}")


async def events(request: web.Request) -> web.StreamResponse:
    """An open stream that re-checks its token when told to, as the server's event stream does."""
    response = web.StreamResponse()
    await response.prepare(request)
    await response.write(b"open\n")
    await request.app[REVOKED].wait()
    await response.write(f"{auth.still_allowed(request)}\n".encode())
    return response


@asynccontextmanager
async def serving(store: Store, host: str) -> AsyncIterator[tuple[int, asyncio.Event]]:
    app = web.Application(middlewares=[auth.auth_middleware(store, open_listen=auth.open_listen(host))])
    app[REVOKED] = asyncio.Event()
    app.router.add_get("/station/{name}", station_page)
    app.router.add_get("/events", events)
    app.router.add_get(auth.PAIR_PATH, auth.pair)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, host, port).start()
    try:
        yield port, app[REVOKED]
    finally:
        await runner.cleanup()


Check = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


def run(store: Store, host: str, check: Check) -> None:
    async def main() -> None:
        async with serving(store, host) as (port, _), client() as session:
            await check(session, port)

    asyncio.run(main())


def client() -> aiohttp.ClientSession:
    # unsafe: the jar keeps cookies of a host given as an IP address, as a browser does
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def get(session: aiohttp.ClientSession, url: str, **kwargs: object) -> tuple[int, str, str]:
    async with session.get(url, allow_redirects=False, **kwargs) as resp:  # type: ignore[arg-type]
        return resp.status, resp.headers.get(auth.REASON_HEADER, ""), await resp.text()


def test_a_listen_host_is_open_unless_it_is_loopback() -> None:
    assert not any(auth.open_listen(h) for h in ("127.0.0.1", "127.3.2.1", "::1", "localhost"))
    assert all(auth.open_listen(h) for h in ("0.0.0.0", "::", "192.0.2.2"))


def test_without_a_token_a_tablet_gets_401_and_nothing_of_the_point(db: Store) -> None:
    make_token(db, "counter-1")
    url = f"http://{network_address()}"

    async def check(session: aiohttp.ClientSession, port: int) -> None:
        for path in ("/station/counter-1", "/events", "/anything"):
            status, reason, body = await get(session, f"{url}:{port}{path}")
            assert (status, reason) == (401, auth.NOT_PAIRED)
            assert not any(station in body for station in STATIONS)
            for lang in ("ru", "en"):
                assert Msg("pair_not_paired").render(lang) in body
        status, reason, body = await get(session, f"{url}:{port}/station/counter-1?token=made-up")
        assert (status, reason) == (401, auth.UNKNOWN_PAIRING)
        assert "counter-1" not in body

    run(db, "0.0.0.0", check)


@pytest.mark.parametrize("how", ["cookie", "bearer", "query"])
def test_a_token_opens_its_own_station_only(db: Store, how: str) -> None:
    _, token = make_token(db, "counter-1")
    base = f"http://{network_address()}"

    async def check(session: aiohttp.ClientSession, port: int) -> None:
        def asked(path: str) -> tuple[str, dict[str, object]]:
            if how == "cookie":
                return f"{base}:{port}{path}", {"cookies": {auth.COOKIE: token}}
            if how == "bearer":
                return f"{base}:{port}{path}", {"headers": {"Authorization": f"Bearer {token}"}}
            return f"{base}:{port}{path}?token={token}", {}

        url, extra = asked("/station/counter-1")
        status, _, body = await get(session, url, **extra)
        assert (status, body) == (200, "page of counter-1, bound to counter-1")
        url, extra = asked("/station/counter-2")
        status, reason, body = await get(session, url, **extra)
        assert (status, reason) == (403, auth.OTHER_STATION)
        assert "counter-2" not in body

    run(db, "0.0.0.0", check)


def test_a_revoked_token_is_refused_and_an_open_stream_learns_it(db: Store) -> None:
    token_id, token = make_token(db, "counter-1")
    url = f"http://{network_address()}"

    async def main() -> None:
        async with serving(db, "0.0.0.0") as (port, revoked), client() as session:
            headers = {"Authorization": f"Bearer {token}"}
            async with session.get(f"{url}:{port}/events", headers=headers) as stream:
                assert await stream.content.readline() == b"open\n"
                with db.transaction() as conn:
                    assert revoke(conn, token_id, T0)
                revoked.set()
                assert await stream.content.readline() == b"False\n"
            status, reason, _ = await get(session, f"{url}:{port}/station/counter-1", headers=headers)
            assert (status, reason) == (401, auth.UNKNOWN_PAIRING)

    asyncio.run(main())


def test_a_stream_whose_token_stays_valid_stays_open(db: Store) -> None:
    _, token = make_token(db, "counter-1")
    url = f"http://{network_address()}"

    async def main() -> None:
        async with (
            serving(db, "0.0.0.0") as (port, revoked),
            client() as session,
            session.get(f"{url}:{port}/events", cookies={auth.COOKIE: token}) as stream,
        ):
            assert await stream.content.readline() == b"open\n"
            revoked.set()
            assert await stream.content.readline() == b"True\n"

    asyncio.run(main())


def test_the_kiosk_on_this_machine_needs_no_token(db: Store) -> None:
    async def check(session: aiohttp.ClientSession, port: int) -> None:
        for station in STATIONS:
            status, _, body = await get(session, f"http://127.0.0.1:{port}/station/{station}")
            assert (status, body) == (200, f"page of {station}, bound to None")

    run(db, "0.0.0.0", check)


def test_a_server_on_loopback_needs_no_token(db: Store) -> None:
    async def check(session: aiohttp.ClientSession, port: int) -> None:
        status, _, body = await get(session, f"http://127.0.0.1:{port}/station/counter-2")
        assert (status, body) == (200, "page of counter-2, bound to None")

    run(db, "127.0.0.1", check)


def test_pair_sets_the_cookie_and_sends_the_tablet_to_its_station(db: Store) -> None:
    _, token = make_token(db, "counter-2")
    base = f"http://{network_address()}"

    async def check(session: aiohttp.ClientSession, port: int) -> None:
        async with session.get(f"{base}:{port}/pair?token={token}", allow_redirects=False) as resp:
            assert resp.status == 303
            assert resp.headers["Location"] == "/station/counter-2"
            cookie = resp.cookies[auth.COOKIE]
            assert cookie.value == token
            assert cookie["httponly"] is True
            assert cookie["samesite"] == "Strict"
            assert cookie["path"] == "/"
            assert int(cookie["max-age"]) >= 365 * 24 * 3600
        # the jar now holds the cookie, as the tablet's browser does
        status, _, body = await get(session, f"{base}:{port}/station/counter-2")
        assert (status, body) == (200, "page of counter-2, bound to counter-2")
        for bad in ("?token=made-up", ""):
            async with client() as fresh:
                status, reason, body = await get(fresh, f"{base}:{port}/pair{bad}")
                assert status == 401
                assert reason == (auth.UNKNOWN_PAIRING if bad else auth.NOT_PAIRED)
                assert "counter-2" not in body

    run(db, "0.0.0.0", check)
