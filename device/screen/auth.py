"""Who may see a station's screen: this machine always, another machine only with a station token.

The server listens on loopback (only the Pi's own HDMI kiosk reaches it) or on the network
(`[screen] listen = "0.0.0.0:8080"`, for a tablet at the counter). On the network every
request from another machine carries a token printed by `pvz screen pair` (cookie
`pvz_screen`, `Authorization: Bearer`, or `?token=`) and sees only that token's station;
without one it gets a 401 page that says how to pair and shows nothing of the point.

The server (device/screen/server.py) installs `auth_middleware`, routes PAIR_PATH to `pair`,
checks a route's station with `allowed` (403 with `forbidden()` when it differs) and calls
`still_allowed` every few seconds on an open event stream, so a revoked tablet is cut off.
Refusals carry a reason code in the X-Pvz-Reason header for tests and logs.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from device.screen.netaddr import is_loopback
from device.screen.tokens import station_for
from device.store.db import Store
from workflows.messages import LANGUAGES, Msg

log = logging.getLogger("pvz.screen.auth")

COOKIE = "pvz_screen"
PAIR_PATH = "/pair"
# Browsers cap a cookie's life at 400 days; a paired tablet should not need pairing again sooner.
COOKIE_MAX_AGE_S = 400 * 24 * 3600
REASON_HEADER = "X-Pvz-Reason"
# Reason codes of a refusal: no token at all; a token that is unknown or revoked (not told
# apart, so a client cannot probe which tokens once existed); a token of another station.
NOT_PAIRED = "not_paired"
UNKNOWN_PAIRING = "unknown_pairing"
OTHER_STATION = "other_station"

# request[STATION]: the token's station, None when the request may see every station (read it
# with bound_station); the token and the store are kept for still_allowed.
STATION = web.RequestKey[str | None]("screen_station")
_TOKEN = web.RequestKey[str | None]("screen_token")
_STORE = web.RequestKey("screen_store", Store)


def open_listen(host: str) -> bool:
    """Whether a `[screen] listen` host lets other machines in, so that tokens are required."""
    return not is_loopback(host)


def auth_middleware(store: Store, *, open_listen: bool) -> Middleware:
    """The middleware that lets a request through with its station set, or refuses it.

    `store` is read (and last_used_at written) on the server's own thread: it must be a
    connection made there.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        request[_STORE] = store
        request[STATION] = None
        request[_TOKEN] = None
        if not open_listen or _local_peer(request) or request.path == PAIR_PATH:
            return await handler(request)  # `pair` checks its own token
        token = request_token(request)
        if token is None:
            return refusal(401, NOT_PAIRED)
        station = station_for(store.conn, token)
        if station is None:
            log.info("screen request from %s with an unknown or revoked token", request.remote)
            return refusal(401, UNKNOWN_PAIRING)
        request[STATION] = station
        request[_TOKEN] = token
        return await handler(request)

    return middleware


def request_token(request: web.Request) -> str | None:
    """The token a request carries: its cookie, else a bearer header, else `?token=`."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return cookie
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("token") or None


def bound_station(request: web.Request) -> str | None:
    """The one station this request may see; None when it may see every station."""
    return request.get(STATION)


def allowed(request: web.Request, station: str) -> bool:
    """Whether this request may see `station`'s screen, events, state, prints and input."""
    bound = bound_station(request)
    return bound is None or bound == station


def still_allowed(request: web.Request) -> bool:
    """Whether the token the request came with still opens its station (not revoked since)."""
    token = request.get(_TOKEN)
    if token is None:
        return True  # a loopback peer or a loopback server: never had a token to lose
    return station_for(request[_STORE].conn, token) == bound_station(request)


async def pair(request: web.Request) -> web.StreamResponse:
    """GET /pair?token=…: a valid token becomes the browser's cookie, then its station's page."""
    token = request.query.get("token", "")
    station = station_for(request[_STORE].conn, token) if token else None
    if station is None:
        return refusal(401, UNKNOWN_PAIRING if token else NOT_PAIRED)
    response = web.Response(status=303, headers={"Location": f"/station/{quote(station, safe='')}"})
    response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE_S, path="/", httponly=True, samesite="Strict")
    # The address bar held the token; the next page must not pass it on as a referrer.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def forbidden() -> web.Response:
    """The 403 for a token of another station than the route's."""
    return refusal(403, OTHER_STATION)


def refusal(status: int, reason: str) -> web.Response:
    """A short page in every language saying what to do; nothing about the point or its stations."""
    title, how = (
        ("pair_other_station", "pair_other_how") if status == 403 else ("pair_not_paired", "pair_how")
    )
    parts = [
        f'<section lang="{lang}"><h1>{html.escape(Msg(title).render(lang))}</h1>'
        f"<p>{html.escape(Msg(how).render(lang))}</p></section>"
        for lang in LANGUAGES
    ]
    body = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(Msg(title).render(LANGUAGES[0]))}</title></head><body>"
        + "".join(parts)
        + "</body></html>"
    )
    response = web.Response(status=status, text=body, content_type="text/html", charset="utf-8")
    response.headers[REASON_HEADER] = reason
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pvz-screen"'
    return response


def _local_peer(request: web.Request) -> bool:
    """A request from this machine (the HDMI kiosk); a reverse proxy on it would count too, and
    pvz ships none."""
    remote = request.remote
    return remote is not None and is_loopback(remote)
