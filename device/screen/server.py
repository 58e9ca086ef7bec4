"""The screen's web server, on the daemon's own loop: each station's page, its live events, its
state as JSON, its print previews, and the touch buttons and keypad, which go in as scans."""

from __future__ import annotations

import asyncio
import collections
import html
import json
import logging
from importlib import resources
from typing import Any

from aiohttp import web

from device.input_queue import NotRunning
from device.runtime import Runtime
from device.screen import auth, panels
from device.screen.hub import ScreenHub
from device.store.print_queue import SECRET_KINDS
from drivers.document import Document
from drivers.printer.preview import preview_png
from workflows.inputs import MAX_CODE_LENGTH
from workflows.messages import LANGUAGES, Msg

log = logging.getLogger("pvz.screen")

KEEPALIVE_S = 15.0  # a comment on an idle stream, so that proxies and the browser keep it open
RECHECK_S = 5.0  # how often an open stream checks that its pairing still holds
RETRY_MS = 1000  # how soon a page reconnects after losing the stream
PREVIEWS_KEPT = 32
STATIC = {
    "screen.css": "text/css",
    "screen.js": "text/javascript",
    "kiosk.css": "text/css",
    "kiosk.js": "text/javascript",
}
MAX_BODY = 4096


class ScreenServer:
    """Serves the pages of `hub`'s runtime. On a loopback host anyone on this machine may see
    every station; on any other, a request from another machine needs a paired station token and
    sees only that station (device/screen/auth.py)."""

    def __init__(self, hub: ScreenHub, *, host: str, port: int) -> None:
        self.hub = hub
        self.host = host
        self.port = port
        self._previews: collections.OrderedDict[int, bytes] = collections.OrderedDict()
        store = hub.runtime.engine.store
        middleware = auth.auth_middleware(store, open_listen=auth.open_listen(host))
        self.app = web.Application(middlewares=[middleware], client_max_size=MAX_BODY)
        self.app.add_routes(
            [
                web.get("/", self.page),
                web.get("/station/{station}", self.page),
                web.get("/kiosk/{station}", self.kiosk_page),
                web.post("/kiosk/{station}/lang", self.kiosk_lang),
                web.get("/static/{name}", self.static),
                web.get("/events", self.events),
                web.get("/state", self.state),
                web.post("/station/{station}/input", self.input),
                web.get("/preview/{job:\\d+}.png", self.preview),
                web.get(auth.PAIR_PATH, auth.pair),
            ]
        )
        self._runner: web.AppRunner | None = None

    @property
    def rt(self) -> Runtime:
        return self.hub.runtime

    async def start(self) -> None:
        """Listen; the port actually bound (for port 0) is in `self.port` afterwards."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server
        if server is not None and self.port == 0:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        log.info("screen: serving the stations' pages on http://%s:%d/", self.host, self.port)

    async def stop(self) -> None:
        self.hub.feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def status(self) -> dict[str, Any]:
        return {"listen": f"{self.host}:{self.port}", **self.hub.feed.status()}

    # Which station a request is about, and whether it may see it.

    def _station(self, request: web.Request, name: str | None) -> str:
        stations = list(self.rt.stations)
        if name is None:
            name = stations[0]
        if name not in self.rt.stations:
            lang = self.rt.lang
            text = Msg("scr_unknown_station", {"station": name[:64]}).render(lang)
            raise web.HTTPNotFound(text=text)
        if not auth.allowed(request, name):
            refused = auth.forbidden()
            raise web.HTTPForbidden(text=refused.text, headers=refused.headers)
        return name

    # Routes.

    async def page(self, request: web.Request) -> web.Response:
        station = self._station(request, request.match_info.get("station") or _bound(request))
        if station in self.hub.kiosks:
            raise web.HTTPFound(f"/kiosk/{station}")  # a kiosk's screen is the customer's page
        lang = self.rt.lang_of(station)
        title = Msg("scr_title", {"station": station}).render(lang)
        return page_template("index.html", lang, station, title, Msg("scr_connecting").render(lang))

    async def kiosk_page(self, request: web.Request) -> web.Response:
        """The customer's page of a kiosk station (device/screen/kiosk_view.py)."""
        station = self._station(request, request.match_info["station"])
        if station not in self.hub.kiosks:
            raise web.HTTPFound(f"/station/{station}")
        lang = self.rt.lang_of(station)
        return page_template(
            "kiosk.html", lang, station, Msg("kp_title").render(lang), Msg("kp_connecting").render(lang)
        )

    async def kiosk_lang(self, request: web.Request) -> web.Response:
        """The customer's language switch: `{"lang": "en"}`; the kiosk's words change for this customer."""
        station = self._station(request, request.match_info["station"])
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
            return error_response(400, "not_json")
        lang = body.get("lang") if isinstance(body, dict) and set(body) == {"lang"} else None
        if station not in self.hub.kiosks or lang not in LANGUAGES:
            return error_response(400, "bad_input")
        self.hub.customers.choose(station, lang)
        return web.json_response({"lang": lang}, status=200)

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        body = resources.files("device.screen").joinpath(f"web/{name}").read_bytes()
        return web.Response(body=body, content_type=STATIC[name], headers=NO_STORE)

    async def state(self, request: web.Request) -> web.Response:
        station = self._station(request, request.query.get("station") or _bound(request))
        return web.json_response(self.hub.snapshot(station), dumps=dumps, headers=NO_STORE)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """The page's live stream: what it missed since Last-Event-ID, or a snapshot, then every change."""
        station = self._station(request, request.query.get("station") or _bound(request))
        feed = self.hub.feed
        response = web.StreamResponse(headers={**NO_STORE, "Content-Type": "text/event-stream"})
        # Subscribed before anything is read, and no await until the first events are chosen:
        # nothing published in between can be lost or sent twice out of order.
        sub = feed.subscribe(station)
        try:
            missed = feed.since(request.headers.get("Last-Event-ID"), station)
            if missed is None:
                first = [feed.unpublished("snapshot", station, self.hub.snapshot(station))]
            else:
                first = missed
            horizon = feed.seq
            await response.prepare(request)
            await response.write(f"retry: {RETRY_MS}\n\n".encode())
            for event in first:
                await response.write(event.wire())
            await self._stream(request, response, sub, horizon)
        except ConnectionResetError:
            pass  # the page went away; it reconnects with its last id
        finally:
            feed.unsubscribe(sub)
        return response

    async def _stream(
        self, request: web.Request, response: web.StreamResponse, sub: Any, horizon: int
    ) -> None:
        quiet = 0.0
        while True:
            try:
                event = await asyncio.wait_for(sub.queue.get(), RECHECK_S)
            except TimeoutError:
                if not auth.still_allowed(request):
                    return  # revoked while the page was open
                quiet += RECHECK_S
                if quiet >= KEEPALIVE_S:
                    quiet = 0.0
                    await response.write(b": keepalive\n\n")
                continue
            if event is None:
                return  # the daemon stops, or the page fell too far behind: it reconnects
            if event.seq > horizon:
                await response.write(event.wire())

    async def input(self, request: web.Request) -> web.Response:
        """A touch button or the keypad: exactly the input a scanner would give, queued like a scan."""
        station = self._station(request, request.match_info["station"])
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
            return error_response(400, "not_json")
        if not isinstance(body, dict) or set(body) - {"code", "keyed"}:
            return error_response(400, "bad_input")
        code, keyed = body.get("code"), body.get("keyed", False)
        if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE_LENGTH or not isinstance(keyed, bool):
            return error_response(400, "bad_input")
        try:
            self.rt.submit(station, code, keyed=keyed)
        except NotRunning:
            return error_response(503, "not_running")
        return web.json_response({"accepted": True}, status=202)

    async def preview(self, request: web.Request) -> web.Response:
        """A print job as it looks on paper (drivers.printer.preview), rendered once and kept."""
        job_id = int(request.match_info["job"])
        row = panels.job(self.rt, job_id)
        if row is None or row["station"] not in self.rt.stations:
            raise web.HTTPNotFound()
        if row["kind"] in SECRET_KINDS and row["state"] != "printed":
            raise web.HTTPNotFound()  # a pairing slip shows its code on paper only
        self._station(request, row["station"])
        png = self._previews.get(job_id)
        if png is None:
            stored = self.rt.engine.store.conn.execute(
                "SELECT document FROM print_jobs WHERE id = ?", (job_id,)
            ).fetchone()
            doc = Document.from_json(json.loads(stored[0]))
            png = await asyncio.to_thread(preview_png, doc)
            self._previews[job_id] = png
            while len(self._previews) > PREVIEWS_KEPT:
                self._previews.popitem(last=False)
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )


NO_STORE = {"Cache-Control": "no-store"}


def _bound(request: web.Request) -> str | None:
    """The station a paired tablet's token is bound to: its page is the one `/` shows."""
    return auth.bound_station(request)


def page_template(name: str, lang: str, station: str, title: str, loading: str) -> web.Response:
    template = resources.files("device.screen").joinpath(f"web/{name}").read_text("utf-8")
    values = {"lang": lang, "station": station, "title": title, "loading": loading}
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", html.escape(value))
    return web.Response(text=template, content_type="text/html", headers=NO_STORE)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def error_response(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)
