"""The hub's HTTP(S) server ([web] in hub.toml): the fleet dashboard ([dashboard]) and the release
files ([releases]), on the hub's own loop beside its MQTT link.

The page gets every section once (a snapshot), then each section again whenever it changes, over
server-sent events. Changes are found by reading the store once a second while a page is open:
the store, not this hub's subscriptions, holds the whole fleet when several hubs share a group.
A page that lost its stream comes back with Last-Event-ID and gets what it missed, or a fresh
snapshot (device/screen/feed.py keeps the numbered events).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from central import hub_config
from central.alert_rules import Rule
from central.dashboard import auth, rule_words, views
from central.dashboard.actions import COMMANDS, Actions
from central.dashboard.history import OutboxHistory
from central.dashboard.releases import ReleaseFiles
from central.dashboard.requests import RequestLog
from central.dashboard.texts import TEXTS
from central.store_api import CentralStore, HubStoreUnavailable
from device.exc import PvzError
from device.screen.feed import Event, Feed
from sync.transport import MqttLink
from workflows.messages import CATALOG

log = logging.getLogger("pvz.hub.web")

POLL_S = 1.0  # how often the store is read for changes while a page is open (one query per section)
HISTORY_S = 5.0  # how often the history sampler looks at the clock (it samples once a minute)
KEEPALIVE_S = 15.0
RETRY_MS = 1000
MAX_BODY = 8192
FLEET = "fleet"  # the one "station" of the feed: every page sees every section
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
NO_STORE = {"Cache-Control": "no-store"}
# The page runs its own script only, loads nothing from elsewhere, and is never framed (an
# operator's click on a command must not be another site's click).
PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class WebUnavailable(PvzError, OSError):
    """The hub's web server cannot listen where hub.toml says; the hub does not start."""


def page_texts() -> dict[str, tuple[str, str]]:
    """The dashboard's texts, and the ticket kinds' names the device's screen already has."""
    kinds = {k: v for k, v in CATALOG.items() if k.startswith("tk_kind_")}
    return TEXTS | kinds


def titles(rule: Rule) -> tuple[str, str]:
    """A rule's title in Russian and English: from the rules file, else the other language's,
    else its condition in words (rule_words.condition): never the bare identifier."""
    fallback = rule_words.condition(rule)
    ru = rule.title_ru or rule.title_en or fallback[0]
    return ru, rule.title_en or rule.title_ru or fallback[1]


class HubWeb:
    """Built from hub.toml; `start()` listens, `stop()` closes every stream."""

    def __init__(
        self,
        config: hub_config.HubConfig,
        store: CentralStore,
        link: MqttLink,
        *,
        rules: list[Rule] | None = None,
        group: str = "hub",
        site: str = "+",
    ) -> None:
        assert config.web is not None  # checked by hub_config
        self.config = config
        self.store = store
        self.host, self.port = config.address()
        self.feed = Feed()
        self.titles = {r.name: titles(r) for r in rules or ()}
        self.history: OutboxHistory | None = None
        self.requests: RequestLog | None = None
        self._last: dict[str, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        if config.releases is not None:
            self.app.add_routes(ReleaseFiles(Path(config.releases.dir)).routes())
        self.auth: auth.Authenticator | None = None
        if config.dashboard is not None:
            d = config.dashboard
            sessions = auth.Sessions(store.sessions(), lifetime_s=d.session_hours * 3600)
            self.auth = auth.TokenAuthenticator(d.operator, sessions, secure=config.web.https)
            self.history = OutboxHistory(store, keep_days=d.history_days)
            self.requests = RequestLog(store, link, group=group, site=site)
            self.app.add_routes(self.auth.routes())
            self.app.add_routes(Actions(store, link, self.auth).routes())
            self.app.add_routes(
                [
                    web.get("/", self.page),
                    web.get("/static/{name}", self.static),
                    web.get("/state", self.state),
                    web.get("/events", self.events),
                ]
            )

    async def start(self) -> None:
        """Listen (the port bound for port 0 is in `self.port` afterwards) and start the feed."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        web_ = self.config.web
        tls = None if web_ is None or web_.cert is None else hub_config.tls_context(web_)
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=tls, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:  # a port in use, an address not of this machine: one line at the CLI
            await self._runner.cleanup()
            self._runner = None
            raise WebUnavailable(
                f"cannot serve [web] on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from exc
        server = site._server
        if server is not None and self.port == 0:
            self.port = int(getattr(server, "sockets", [])[0].getsockname()[1])
        if self.history is not None:
            self._tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._sample())]
        scheme = "https" if tls else "http"
        log.info("hub web: %s://%s:%d/", scheme, self.host, self.port)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def status(self) -> dict[str, Any]:
        history = {} if self.history is None else self.history.status()
        requests = {} if self.requests is None else self.requests.status()
        return {"listen": f"{self.host}:{self.port}", **self.feed.status(), **history, **requests}

    # The live feed.

    def sections(self) -> dict[str, Any]:
        found = views.snapshot(self.store, self.titles)
        if self.history is not None:
            found["history"] = self.history.chart()
        return found

    def _publish_changes(self) -> None:
        for name, value in self.sections().items():
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
            if self._last.get(name) != text:
                self._last[name] = text
                self.feed.publish(name, None, {"section": value})

    async def _poll(self) -> None:
        while True:
            if self.feed.status()["pages"]:
                try:
                    self._publish_changes()
                except HubStoreUnavailable as exc:
                    log.warning("dashboard not updated: %s", exc)
            await asyncio.sleep(POLL_S)

    async def _sample(self) -> None:
        assert self.history is not None
        while True:
            try:
                self.history.tick()
            except HubStoreUnavailable as exc:
                log.warning("outbox history not sampled: %s", exc)
            await asyncio.sleep(HISTORY_S)

    # Routes.

    def _who(self, request: web.Request) -> dict[str, Any]:
        who = None if self.auth is None else self.auth.operator(request)
        if not isinstance(who, auth.Operator):
            return {"signed_in": False}
        return {"signed_in": True, "name": who.name, "csrf": who.csrf}

    async def page(self, request: web.Request) -> web.Response:
        text = resources.files("central.dashboard").joinpath("web/index.html").read_text("utf-8")
        boot = json.dumps({"texts": page_texts(), "commands": COMMANDS}, ensure_ascii=False)
        text = text.replace("{{boot}}", boot.replace("</", "<\\/"))
        return web.Response(text=text, content_type="text/html", headers=PAGE_HEADERS)

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        body = resources.files("central.dashboard").joinpath(f"web/{name}").read_bytes()
        return web.Response(body=body, content_type=STATIC[name], headers=NO_STORE)

    async def state(self, request: web.Request) -> web.Response:
        """Every section and who is signed in, as JSON (the page asks after signing in or out)."""
        return web.json_response({**self.sections(), "operator": self._who(request)}, headers=NO_STORE)

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={**NO_STORE, "Content-Type": "text/event-stream"})
        sub = self.feed.subscribe(FLEET)
        try:
            missed = self.feed.since(request.headers.get("Last-Event-ID"), FLEET)
            first = (
                missed if missed is not None else [self.feed.unpublished("snapshot", FLEET, self.sections())]
            )
            horizon = self.feed.seq
            await response.prepare(request)
            await response.write(f"retry: {RETRY_MS}\n\n".encode())
            for missed_event in first:
                await response.write(missed_event.wire())
            while True:
                try:
                    event: Event | None = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if event is None:
                    break
                if event.seq > horizon:
                    await response.write(event.wire())
        except ConnectionResetError:
            pass
        finally:
            self.feed.unsubscribe(sub)
        return response
