"""A remote station's own screen: the main device's page for this station, passed through, with
the station's link to the main device on top (device/site/station_screen_link.py).

The station daemon serves it on its own `[screen] listen` (loopback: its HDMI Chromium). The page
files are this package's own copy (device/screen/web); the state, the live events and the print
previews come from the main device's screen server for this station (`[site] main_screen`, with
the station token `[site] main_screen_token` made there by `pvz screen pair`), so the clerk sees
exactly what a local station's page shows, decided by the one store. The station's own `link`
events are interleaved in the event stream between whole events. A touch input does not go to the
main device's server: it is handed to the station daemon's input path (`submit`), which sends it
as a SiteInput with an id, so it is decided exactly once like a scan. When the main device's
screen cannot be reached, the page gets a snapshot made here that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import web

from device.screen import server as local
from device.site.station_screen_link import StationLink
from device.site.station_screen_local import local_snapshot
from device.site.station_screen_sse import blocks, event, fields
from workflows.inputs import MAX_CODE_LENGTH
from workflows.messages import Msg

log = logging.getLogger("pvz.site.screen")

RETRY_S = 1.0  # how soon the stream tries the main device's screen again
CONNECT_S = 3.0  # the main device's screen answers within this, or counts as unreachable

Submit = Callable[[str, bool], None]  # (code, keyed): the station daemon's input path


class NotRunning(Exception):
    """The station daemon takes no input (it stops): a touch gets 503."""


class StationScreenServer:
    """Serves station `station`'s page on this device from the main device's screen at `upstream`."""

    def __init__(
        self,
        link: StationLink,
        *,
        station: str,
        kiosk: bool,
        lang: Callable[[], str],
        upstream: str,
        token: str,
        submit: Submit,
        host: str,
        port: int,
    ) -> None:
        self.link = link
        self.station = station
        self.kiosk = kiosk
        self.lang = lang
        self.upstream = upstream.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.submit = submit
        self.host = host
        self.port = port
        self.passed = 0  # events passed through from the main device
        self.local_snapshots = 0
        self.app = web.Application(client_max_size=local.MAX_BODY)
        self.app.add_routes(
            [
                web.get("/", self.page),
                web.get("/station/{station}", self.page),
                web.get("/kiosk/{station}", self.page),
                web.post("/kiosk/{station}/lang", self.kiosk_lang),
                web.get("/static/{name}", self.static),
                web.get("/events", self.events),
                web.get("/state", self.state),
                web.post("/station/{station}/input", self.input),
                web.get("/preview/{job:\\d+}.png", self.preview),
            ]
        )
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._streams: set[asyncio.Queue[tuple[str, Any]]] = set()
        link.listeners.append(self._link_changed)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            headers=self.headers, timeout=aiohttp.ClientTimeout(sock_connect=CONNECT_S, sock_read=None)
        )
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server
        if server is not None and self.port == 0:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        log.info("station screen on http://%s:%d/ from %s", self.host, self.port, self.upstream)

    async def stop(self) -> None:
        for queue in self._streams:
            queue.put_nowait(("end", None))
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def status(self) -> dict[str, Any]:
        return {
            "listen": f"{self.host}:{self.port}",
            "streams": len(self._streams),
            "passed": self.passed,
            "local_snapshots": self.local_snapshots,
            **self.link.status(),
        }

    def _link_changed(self, payload: dict[str, Any]) -> None:
        for queue in self._streams:
            queue.put_nowait(("link", payload))

    def _check(self, name: str | None) -> None:
        if name is not None and name != self.station:
            text = Msg("scr_unknown_station", {"station": name[:64]}).render(self.lang())
            raise web.HTTPNotFound(text=text)

    # Routes served here.

    async def page(self, request: web.Request) -> web.Response:
        self._check(request.match_info.get("station"))
        kiosk_route = request.path.startswith("/kiosk/")
        if self.kiosk != kiosk_route and request.path != "/":
            raise web.HTTPFound(f"/{'kiosk' if self.kiosk else 'station'}/{self.station}")
        lang = self.lang()
        if self.kiosk:
            loading = Msg("kp_connecting").render(lang)
            return local.page_template(
                "kiosk.html", lang, self.station, Msg("kp_title").render(lang), loading
            )
        title = Msg("scr_title", {"station": self.station}).render(lang)
        return local.page_template(
            "index.html", lang, self.station, title, Msg("scr_connecting").render(lang)
        )

    async def static(self, request: web.Request) -> web.Response:
        """The page's files: this device's own copy, never fetched from the main device."""
        name = request.match_info["name"]
        if name not in local.STATIC:
            raise web.HTTPNotFound()
        body = resources.files("device.screen").joinpath(f"web/{name}").read_bytes()
        return web.Response(body=body, content_type=local.STATIC[name], headers=local.NO_STORE)

    async def input(self, request: web.Request) -> web.Response:
        """A touch button or the keypad: handed to the station daemon's input path, like a scan."""
        self._check(request.match_info["station"])
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
            return local.error_response(400, "not_json")
        if not isinstance(body, dict) or set(body) - {"code", "keyed"}:
            return local.error_response(400, "bad_input")
        code, keyed = body.get("code"), body.get("keyed", False)
        if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE_LENGTH or not isinstance(keyed, bool):
            return local.error_response(400, "bad_input")
        try:
            self.submit(code, keyed)
        except NotRunning:
            return local.error_response(503, "not_running")
        return web.json_response({"accepted": True}, status=202)

    # Routes passed through to the main device's screen.

    async def state(self, request: web.Request) -> web.Response:
        self._check(request.query.get("station"))
        try:
            async with self._get("/state", {"station": self.station}) as answer:
                data = await answer.json()
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
            log.info("the main device's screen cannot be reached: %s", exc)
            self.link.screen(False)
            data = self.local_snapshot()
        else:
            self.link.screen(True)
        data["link"] = self.link.payload()
        return web.json_response(data, dumps=local.dumps, headers=local.NO_STORE)

    async def preview(self, request: web.Request) -> web.Response:
        try:
            async with self._get(request.path, {}) as answer:
                body = await answer.read()
                return web.Response(body=body, content_type="image/png", headers={"Cache-Control": "private"})
        except aiohttp.ClientResponseError as exc:
            raise web.HTTPNotFound() from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise web.HTTPServiceUnavailable() from exc

    async def kiosk_lang(self, request: web.Request) -> web.Response:
        """The customer's language switch, passed to the main device, which holds the kiosk's language."""
        self._check(request.match_info["station"])
        body = await request.read()
        assert self._session is not None
        try:
            async with self._session.post(
                f"{self.upstream}{request.path}", data=body, headers={"Content-Type": "application/json"}
            ) as answer:
                return web.Response(
                    body=await answer.read(), status=answer.status, content_type="application/json"
                )
        except (aiohttp.ClientError, TimeoutError):
            return local.error_response(503, "not_running")

    @contextlib.asynccontextmanager
    async def _get(self, path: str, params: dict[str, str]) -> AsyncIterator[aiohttp.ClientResponse]:
        assert self._session is not None
        async with self._session.get(
            f"{self.upstream}{path}", params=params, raise_for_status=True
        ) as answer:
            yield answer

    async def events(self, request: web.Request) -> web.StreamResponse:
        """The main device's stream for this station, whole event by whole event, with `link` events
        in between; while it cannot be reached, a snapshot made here (once) and the link's state."""
        self._check(request.query.get("station"))
        response = web.StreamResponse(headers={**local.NO_STORE, "Content-Type": "text/event-stream"})
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._streams.add(queue)
        last_id = request.headers.get("Last-Event-ID")
        shown = False  # whether the page has had a snapshot (from the main device or from here)
        try:
            await response.prepare(request)
            await response.write(f"retry: {local.RETRY_MS}\n\n".encode())
            if last_id is not None:
                shown = True  # the page has its state; the main device sends what it missed
            while True:
                pump = asyncio.create_task(self._pump(queue, last_id))
                try:
                    while True:
                        kind, item = await queue.get()
                        if kind == "end":
                            return response
                        if kind == "link":
                            await response.write(event("link", item))
                        elif kind == "block":
                            block, event_id, name = item
                            if event_id is not None:
                                last_id = event_id
                            self.passed += name is not None
                            if name != "link":  # the main device's view of this station's link
                                await response.write(block)
                            if name == "snapshot":
                                shown = True  # its link banner is the main device's: this one's wins
                                await response.write(event("link", self.link.payload()))
                        elif kind == "lost":
                            break
                finally:
                    pump.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await pump
                if not shown:
                    self.local_snapshots += 1
                    await response.write(event("snapshot", self.local_snapshot()))
                    shown = True
                await response.write(event("link", self.link.payload()))
                await asyncio.sleep(RETRY_S)
        except ConnectionResetError:
            pass  # the page went away; it reconnects with its last id
        finally:
            self._streams.discard(queue)
        return response

    async def _pump(self, queue: asyncio.Queue[tuple[str, Any]], last_id: str | None) -> None:
        """The main device's event stream into `queue` as whole events; "lost" when it ends or fails."""
        assert self._session is not None
        headers = {} if last_id is None else {"Last-Event-ID": last_id}
        try:
            async with self._session.get(
                f"{self.upstream}/events",
                params={"station": self.station},
                headers=headers,
                raise_for_status=True,
            ) as answer:
                self.link.screen(True)
                queue.put_nowait(("link", self.link.payload()))
                async for block in blocks(answer.content):
                    event_id, name = fields(block)
                    if not block.startswith(b"retry:"):
                        queue.put_nowait(("block", (block, event_id, name)))
        except (aiohttp.ClientError, TimeoutError, ValueError, UnicodeDecodeError) as exc:
            if not self.link.down():
                log.info("the main device's screen stream is lost: %s", exc)  # once, not each retry
        self.link.screen(False)
        queue.put_nowait(("lost", None))

    def local_snapshot(self) -> dict[str, Any]:
        """What the page shows when the main device's screen cannot be reached: the link's words."""
        return local_snapshot(self.station, kiosk=self.kiosk, lang=self.lang(), link=self.link.payload())
