"""Who may act on the dashboard. Anyone who reaches it may look; an operator who signed in may
also send a command or answer a ticket.

The views ask one question of an `Authenticator`: which operator, if any, a request comes from.
Signing in is the authenticator's own business (its routes): the token one here checks a token
against the SHA-256 hashes in hub.toml; an OpenID Connect one would redirect to the provider and
come back to a callback route instead (docs/fleet.md). Either ends by opening a session
(`Sessions.open`, a row in the central store), so the cookie, its lifetime, the CSRF token and
every hub's acceptance of it are the same for both.

Every change is a POST with the session's CSRF token in the X-Pvz-Csrf header, and the cookie is
SameSite=Strict: another site can neither send the cookie nor know the token. Refusals carry a
reason code in the X-Pvz-Reason header, as the device's screen does (device/screen/auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from aiohttp import web

from central import hub_config
from central.store_api import HubStoreUnavailable, SessionRow, SessionStore

COOKIE = "pvz_dashboard"
CSRF_HEADER = "X-Pvz-Csrf"
REASON_HEADER = "X-Pvz-Reason"
MAX_TOKEN = 512
MAX_SID = 128  # a cookie longer than any session id this hub makes is not looked up
TOUCH_S = 60.0  # a session's last_seen is written at most this often (a write per request is not)
# Reason codes of a refusal.
NOT_SIGNED_IN = "not_signed_in"
BAD_TOKEN = "bad_token"  # noqa: S105 - a reason code, not a secret
BAD_CSRF = "bad_csrf"
SESSION_EXPIRED = "session_expired"
OPERATOR_REMOVED = "operator_removed"  # the token that opened the session is no longer in hub.toml
TOO_MANY_ATTEMPTS = "too_many_attempts"
STORE_UNAVAILABLE = "store_unavailable"  # the sessions are in the central store, which is down
# Wrong tokens tolerated per window, from anywhere and at any hub of the store, before every
# sign-in waits: guessing a token is then a few hundred tries an hour, and an operator who
# mistyped waits a minute at most.
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0


@dataclass(frozen=True, slots=True)
class Operator:
    """A signed-in operator: the name the page shows and the CSRF token of this sign-in."""

    name: str
    csrf: str


@dataclass(frozen=True, slots=True)
class Refused:
    """A request that comes from no operator, and why (the reason code of a 401)."""

    reason: str


class Authenticator(Protocol):
    """Turns a request into the operator it comes from, or why none; brings its sign-in routes."""

    def operator(self, request: web.Request) -> Operator | Refused: ...

    def routes(self) -> list[web.RouteDef]: ...


def session_key(sid: str) -> str:
    """What the store keeps of a session id: its SHA-256. The store's rows open no session."""
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def csrf_token(sid: str) -> str:
    """The session's CSRF token, derived from its id: every hub computes the same one, none keeps
    it, and the page that knows it cannot work the cookie's value back from it."""
    return hmac.new(sid.encode("utf-8"), b"pvz-dashboard-csrf", hashlib.sha256).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    """Signed-in browsers, kept in the central store (central/store_api.SessionStore): a hub
    restart signs no one out, and every hub on the store accepts the same cookie. Each request
    is one lookup by primary key, uncached, so a sign-out or a revocation on one hub holds on
    every hub from the next request; last_seen is written at most once a TOUCH_S."""

    def __init__(
        self, store: SessionStore, *, lifetime_s: float, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.store = store
        self.lifetime_s = lifetime_s
        self.clock = clock

    def open(self, name: str, credential: str, *, secure: bool) -> web.Response:
        """A new session for `name`, proved by `credential` (what the authenticator checks again
        at every request): the answer to its sign-in, with the session's cookie and, in the body,
        the operator's name and the CSRF token the page sends with every change."""
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.lifetime_s)
        self.store.open(session_key(sid), SessionRow(name, credential, now, now, expires))
        who = Operator(name, csrf_token(sid))
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

    def find(self, request: web.Request, accepted: Callable[[SessionRow], bool]) -> Operator | Refused:
        """The request's operator; an expired session, or one whose credential is no longer
        `accepted`, is deleted and refused with its reason."""
        sid = request.cookies.get(COOKIE, "")
        if not 0 < len(sid) <= MAX_SID:
            return Refused(NOT_SIGNED_IN)
        key = session_key(sid)
        row = self.store.find(key)
        if row is None:
            return Refused(NOT_SIGNED_IN)
        now = self.clock()
        if row.expires <= now:
            self.store.end(key)
            return Refused(SESSION_EXPIRED)
        if not accepted(row):
            self.store.end(key)
            return Refused(OPERATOR_REMOVED)
        if (now - row.last_seen).total_seconds() >= TOUCH_S:
            self.store.touch(key, now)
        return Operator(row.operator, csrf_token(sid))

    def close(self, request: web.Request, response: web.StreamResponse) -> None:
        sid = request.cookies.get(COOKIE, "")
        if 0 < len(sid) <= MAX_SID:
            self.store.end(session_key(sid))
        response.del_cookie(COOKIE, path="/")


def digest(token: str) -> str:
    """What hub.toml keeps of an operator's token: `printf %s TOKEN | sha256sum`."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def credential(operator: hub_config.Operator) -> str:
    """What a session opened with this operator's token keeps: a digest of the token's hash, so a
    changed or removed token in hub.toml ends the sessions it opened."""
    return digest(f"pvz-operator-token:{operator.token_sha256}")


class TokenAuthenticator:
    """POST /signin with {"token": …}: a token whose SHA-256 is an operator's opens a session.

    The wrong tokens are counted in the central store, so the limit (MAX_FAILURES a minute) is
    every hub's together: N hubs behind one address do not give a guesser N times the tries."""

    def __init__(self, operators: Sequence[hub_config.Operator], sessions: Sessions, *, secure: bool) -> None:
        self.operators = list(operators)
        self.sessions = sessions
        self.secure = secure
        self._credentials = {op.name: credential(op) for op in self.operators}

    def operator(self, request: web.Request) -> Operator | Refused:
        return self.sessions.find(request, self._accepted)

    def _accepted(self, row: SessionRow) -> bool:
        """The session's operator is still in hub.toml with the token that opened it."""
        kept = self._credentials.get(row.operator)
        return kept is not None and hmac.compare_digest(kept, row.credential)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/signin", self.sign_in), web.post("/signout", self.sign_out)]

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._limited(request)
        except HubStoreUnavailable:
            return refusal(503, STORE_UNAVAILABLE)

    async def _limited(self, request: web.Request) -> web.StreamResponse:
        """The sign-in, unless the group saw MAX_FAILURES wrong tokens within the window. Nothing
        awaits between the count and the failure kept, so one hub's loop never lets a burst of
        sign-ins past the limit; hubs counting at the same moment may each let one more through."""
        token = await _token(request)
        store, now = self.sessions.store, self.sessions.clock()
        window = timedelta(seconds=FAILURE_WINDOW_S)
        if store.failed_sign_ins(now - window) >= MAX_FAILURES:
            return refusal(429, TOO_MANY_ATTEMPTS)
        found = None if token is None else self._match(token)
        if found is None:
            store.failed_sign_in(now, now - window)
            return refusal(401, BAD_TOKEN)
        return self.sessions.open(found.name, credential(found), secure=self.secure)

    def _match(self, token: str) -> hub_config.Operator | None:
        given = digest(token)
        # Every hash is compared, each in constant time: neither the time nor the order tells which.
        matches = [op for op in self.operators if hmac.compare_digest(op.token_sha256, given)]
        return matches[0] if matches else None

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        response = web.json_response({"signed_in": False})
        try:
            self.sessions.close(request, response)
        except HubStoreUnavailable:
            return refusal(503, STORE_UNAVAILABLE)
        return response


async def _token(request: web.Request) -> str | None:
    """The token a sign-in's body carries, if it is one."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
        return None
    token = body.get("token") if isinstance(body, dict) else None
    return token if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN else None


def acting(auth: Authenticator, request: web.Request) -> Operator:
    """The operator allowed to make this change, or the refusal (raised) when there is none."""
    try:
        who = auth.operator(request)
    except HubStoreUnavailable as exc:
        raise refused(503, STORE_UNAVAILABLE) from exc
    if isinstance(who, Refused):
        raise refused(401, who.reason)
    if not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), who.csrf):
        raise refused(403, BAD_CSRF)
    return who


def refusal(status: int, reason: str) -> web.Response:
    response = web.json_response({"error": reason}, status=status, headers={"Cache-Control": "no-store"})
    response.headers[REASON_HEADER] = reason
    return response


def refused(status: int, reason: str) -> web.HTTPException:
    kinds: dict[int, type[web.HTTPException]] = {401: web.HTTPUnauthorized, 503: web.HTTPServiceUnavailable}
    kind = kinds.get(status, web.HTTPForbidden)
    return kind(
        text=json.dumps({"error": reason}),
        content_type="application/json",
        headers={REASON_HEADER: reason, "Cache-Control": "no-store"},
    )
