"""Who may act on the dashboard. Anyone who reaches it may look; an operator who signed in may
also send a command or answer a ticket.

The views ask one question of an `Authenticator`: which operator, if any, a request comes from.
Signing in is the authenticator's own business (its routes): the token one here checks a token
against the SHA-256 hashes in hub.toml; an OpenID Connect one would redirect to the provider and
come back to a callback route instead (docs/fleet.md). Either ends by opening a session
(`Sessions.open`), so the cookie, its lifetime and the CSRF token are the same for both.

Every change is a POST with the session's CSRF token in the X-Pvz-Csrf header, and the cookie is
SameSite=Strict: another site can neither send the cookie nor know the token. Refusals carry a
reason code in the X-Pvz-Reason header, as the device's screen does (device/screen/auth.py).
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from central import hub_config

COOKIE = "pvz_dashboard"
CSRF_HEADER = "X-Pvz-Csrf"
REASON_HEADER = "X-Pvz-Reason"
MAX_TOKEN = 512
# Reason codes of a refusal.
NOT_SIGNED_IN = "not_signed_in"
BAD_TOKEN = "bad_token"  # noqa: S105 - a reason code, not a secret
BAD_CSRF = "bad_csrf"
TOO_MANY_ATTEMPTS = "too_many_attempts"
# Wrong tokens tolerated per window, from anywhere, before every sign-in waits: guessing a token
# is then a few hundred tries an hour, and an operator who mistyped waits a minute at most.
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0


@dataclass(frozen=True, slots=True)
class Operator:
    """A signed-in operator: the name the page shows and the CSRF token of this sign-in."""

    name: str
    csrf: str


class Authenticator(Protocol):
    """Turns a request into the operator it comes from, or None; brings its sign-in routes."""

    def operator(self, request: web.Request) -> Operator | None: ...

    def routes(self) -> list[web.RouteDef]: ...


class Sessions:
    """Signed-in browsers, in the hub's memory: a hub restart signs everyone out."""

    def __init__(self, *, lifetime_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime_s = lifetime_s
        self.clock = clock
        self._open: dict[str, tuple[Operator, float]] = {}

    def open(self, name: str, *, secure: bool) -> web.Response:
        """A new session for `name`: the answer to its sign-in, with the session's cookie and, in
        the body, the operator's name and the CSRF token the page sends with every change."""
        now = self.clock()
        self._open = {k: v for k, v in self._open.items() if v[1] > now}
        sid = secrets.token_urlsafe(32)
        who = Operator(name, secrets.token_urlsafe(24))
        self._open[sid] = (who, now + self.lifetime_s)
        response = web.json_response(
            {"name": who.name, "csrf": who.csrf}, headers={"Cache-Control": "no-store"}
        )
        response.set_cookie(
            COOKIE,
            sid,
            max_age=int(self.lifetime_s),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=secure,
        )
        return response

    def find(self, request: web.Request) -> Operator | None:
        found = self._open.get(request.cookies.get(COOKIE, ""))
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def close(self, request: web.Request, response: web.StreamResponse) -> None:
        self._open.pop(request.cookies.get(COOKIE, ""), None)
        response.del_cookie(COOKIE, path="/")


def digest(token: str) -> str:
    """What hub.toml keeps of an operator's token: `printf %s TOKEN | sha256sum`."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenAuthenticator:
    """POST /signin with {"token": …}: a token whose SHA-256 is an operator's opens a session."""

    def __init__(self, operators: Sequence[hub_config.Operator], sessions: Sessions, *, secure: bool) -> None:
        self.operators = list(operators)
        self.sessions = sessions
        self.secure = secure
        self._failures: collections.deque[float] = collections.deque()

    def operator(self, request: web.Request) -> Operator | None:
        return self.sessions.find(request)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/signin", self.sign_in), web.post("/signout", self.sign_out)]

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        now = self.sessions.clock()
        while self._failures and now - self._failures[0] > FAILURE_WINDOW_S:
            self._failures.popleft()
        if len(self._failures) >= MAX_FAILURES:
            return refusal(429, TOO_MANY_ATTEMPTS)
        response = await self._check(request)
        if response.status == 401:
            self._failures.append(now)
        return response

    async def _check(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
            body = None
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
            return refusal(401, BAD_TOKEN)
        given = digest(token)
        # Every hash is compared, each in constant time: neither the time nor the order tells which.
        matches = [op for op in self.operators if hmac.compare_digest(op.token_sha256, given)]
        if not matches:
            return refusal(401, BAD_TOKEN)
        return self.sessions.open(matches[0].name, secure=self.secure)

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        response = web.json_response({"signed_in": False})
        self.sessions.close(request, response)
        return response


def acting(auth: Authenticator, request: web.Request) -> Operator:
    """The operator allowed to make this change, or the refusal (raised) when there is none."""
    who = auth.operator(request)
    if who is None:
        raise refused(401, NOT_SIGNED_IN)
    if not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), who.csrf):
        raise refused(403, BAD_CSRF)
    return who


def refusal(status: int, reason: str) -> web.Response:
    response = web.json_response({"error": reason}, status=status, headers={"Cache-Control": "no-store"})
    response.headers[REASON_HEADER] = reason
    return response


def refused(status: int, reason: str) -> web.HTTPException:
    kind = web.HTTPUnauthorized if status == 401 else web.HTTPForbidden
    return kind(
        text=json.dumps({"error": reason}),
        content_type="application/json",
        headers={REASON_HEADER: reason, "Cache-Control": "no-store"},
    )
