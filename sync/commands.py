"""Commands over MQTT 5 request/response: allow-listed, expiring, run at most once, each reply stored first."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from device.decode import check_unique_keys
from device.exc import InputError
from device.store.db import Store
from sync.status import bump, wire_time
from sync.topics import Topics
from sync.transport import Inbound, MqttLink, PublishProps

log = logging.getLogger("pvz.sync.commands")

Action = Callable[[dict[str, Any]], Awaitable[Any]]
Reply = tuple[str, bytes | None, bytes]  # (response topic, correlation data, reply body)

# Without an `expires_at`, a command older than this (by its `issued_at`) is answered "expired".
MAX_AGE_S = 300.0
# A command that takes longer than this is given up on and answered "outcome unknown".
ACTION_TIMEOUT_S = 120.0
KEEP_REPLIES_DAYS = 30  # stored replies older than this are deleted at start (long past any expiry)
MAX_PAYLOAD = 16_384
MIN_YEAR, MAX_YEAR = 1970, 9998  # of `issued_at` and `expires_at` in UTC: sure to compute with
MAX_ID = 128
EXPIRED = "expired"
UNKNOWN_OUTCOME = "outcome unknown"
REJECTED_COUNTER = "commands_rejected"


class CommandFailed(Exception):
    """Raised by an action to answer {"ok": false, "error": message} without a traceback in the log;
    with `detail`, the reply's `detail` too (the message then is a reason code, e.g. `door_cell_occupied`)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class BadRequest(ValueError):
    """A request that cannot be understood; answered (when it has a response topic), never stored."""


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    name: str
    args: dict[str, Any]
    issued_at: datetime
    expires_at: datetime | None


def utc_now() -> datetime:
    return datetime.now(UTC)


def encode(reply: Mapping[str, Any]) -> bytes:
    return json.dumps(reply, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def prop(properties: Any, name: str) -> Any:
    """One MQTT 5 property of a paho Properties object (or None, or any object with attributes)."""
    return getattr(properties, name, None) if properties is not None else None


def parse_time(value: Any, key: str) -> datetime:
    if not isinstance(value, str):
        raise BadRequest(f"`{key}` must be an ISO 8601 time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"`{key}` is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise BadRequest(f"`{key}` needs a time zone (e.g. `Z` or `+03:00`)")
    try:
        year = parsed.astimezone(UTC).year
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:  # a later one would overflow once the max age is added
        raise BadRequest(f"`{key}` is not between the years {MIN_YEAR} and {MAX_YEAR}: {value!r}")
    return parsed


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_request(payload: bytes) -> Request:
    """The JSON body of a command; every field checked, unknown fields refused by name."""
    if len(payload) > MAX_PAYLOAD:
        raise BadRequest(f"payload of {len(payload)} bytes is over the limit of {MAX_PAYLOAD}")
    try:
        check_unique_keys(payload)
        body = json.loads(payload, parse_constant=_no_constant)
    except InputError as exc:
        raise BadRequest(f"{exc.reason} {exc.path}: {exc.detail}") from None
    except ValueError as exc:  # malformed, not UTF-8, NaN or Infinity
        raise BadRequest(f"not JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("not JSON: nested too deeply") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = sorted(set(body) - {"id", "name", "args", "issued_at", "expires_at"})
    if unknown:
        raise BadRequest(f"unknown field `{unknown[0]}`")
    cid, name, args = body.get("id"), body.get("name"), body.get("args", {})
    if not isinstance(cid, str) or not 0 < len(cid) <= MAX_ID:
        raise BadRequest(f"`id` must be a string of 1..{MAX_ID} characters")
    if not isinstance(name, str) or not name:
        raise BadRequest("`name` must be a non-empty string")
    if not isinstance(args, dict):
        raise BadRequest("`args` must be a JSON object")
    issued = parse_time(body.get("issued_at"), "issued_at")
    expires = None if body.get("expires_at") is None else parse_time(body["expires_at"], "expires_at")
    return Request(cid, name, args, issued, expires)


class CommandProcessor:
    """Answers command requests; transport-independent (bytes and MQTT 5 properties in, a reply out).

    A reply is written to the `commands` table before it is returned for publishing, so a
    repeated command id gets the stored reply and its action never runs twice. A row left
    'running' by a process that died mid-command is closed as "outcome unknown" on start.
    """

    def __init__(
        self,
        store: Store,
        actions: Mapping[str, Action],
        clock: Callable[[], datetime] = utc_now,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_age_s: float | None = None,
        reply_prefix: str | None = None,
    ) -> None:
        self.store = store
        # Where this device may answer (its replies prefix, the only place the broker's ACL lets it
        # write): a request asking for a reply elsewhere is refused before it runs, not answered
        # into a topic the broker would drop.
        self.reply_prefix = reply_prefix
        self.actions = dict(actions)
        self.clock = clock
        self.monotonic = monotonic
        self.max_age_s = MAX_AGE_S if max_age_s is None else max_age_s
        self._running: dict[str, asyncio.Future[bytes]] = {}
        self.recovered = self.recover()

    def recover(self) -> list[str]:
        """Close every command that was running when the process died (never run again); drop old replies."""
        rows = self.store.conn.execute("SELECT id FROM commands WHERE state = 'running'").fetchall()
        ids = [str(r[0]) for r in rows]
        cutoff = wire_time(self.clock() - timedelta(days=KEEP_REPLIES_DAYS))
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM commands WHERE state = 'done' AND finished_at < ?", (cutoff,))
            for cid in ids:
                detail = "the device restarted while running it; it is not run again"
                self._finish(conn, cid, self._error(cid, UNKNOWN_OUTCOME, detail))
        if ids:
            log.warning("commands interrupted by a restart, answered 'outcome unknown': %s", ", ".join(ids))
        return ids

    async def handle(
        self, payload: bytes, properties: Any, *, received_at: float | None = None
    ) -> Reply | None:
        """The reply to publish for one request, or None when there is nowhere to send it.

        `received_at` (a `monotonic` time) is when the transport received the message; the
        MQTT 5 MessageExpiryInterval counts from then (the broker has already taken off the
        time the message waited there).
        """
        received = self.monotonic() if received_at is None else received_at
        topic = prop(properties, "ResponseTopic")
        correlation = prop(properties, "CorrelationData")
        if not topic or not isinstance(topic, str) or "+" in topic or "#" in topic:
            log.warning("command without a usable ResponseTopic dropped (%d bytes)", len(payload))
            self._count(REJECTED_COUNTER)
            return None
        if self.reply_prefix is not None and not topic.startswith(self.reply_prefix):
            log.warning(
                "command dropped: its ResponseTopic %r is not under this device's %s",
                topic,
                self.reply_prefix,
            )
            self._count(REJECTED_COUNTER)
            return None
        try:
            request = parse_request(payload)
        except BadRequest as exc:
            log.warning("bad command request: %s", exc)
            self._count(REJECTED_COUNTER)
            return (
                topic,
                correlation,
                encode({"id": _loose_id(payload), "ok": False, "error": f"bad request: {exc}"}),
            )
        return (
            topic,
            correlation,
            await self._answer(request, prop(properties, "MessageExpiryInterval"), received),
        )

    async def _answer(self, req: Request, expiry_interval: Any, received: float) -> bytes:
        row = self.store.conn.execute("SELECT state, reply FROM commands WHERE id = ?", (req.id,)).fetchone()
        if row is not None and row["state"] == "done" and row["reply"] is not None:
            log.info("command %s (%s) repeated: the stored reply is sent again", req.id, req.name)
            return str(row["reply"]).encode("utf-8")
        if req.id in self._running:
            return await asyncio.shield(self._running[req.id])
        if row is not None:  # 'running' but not in this process: its outcome is unknown
            reply = self._error(req.id, UNKNOWN_OUTCOME, "it was interrupted; it is not run again")
            return self._store(req, reply, insert=False)
        action = self.actions.get(req.name)
        if action is None:
            self._count(REJECTED_COUNTER)
            known = ", ".join(sorted(self.actions))
            return self._store(req, self._error(req.id, f"unknown command `{req.name}`", f"known: {known}"))
        why = self._expired(req, expiry_interval, received)
        if why is not None:
            log.warning("command %s (%s) not run: %s", req.id, req.name, why)
            self._count("commands_expired")
            return self._store(req, self._error(req.id, EXPIRED, why))
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO commands (id, name, state, received_at) VALUES (?, ?, 'running', ?)",
                (req.id, req.name, self._now()),
            )
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._running[req.id] = future
        try:
            reply = await self._run(req, action)
            stored = self._store(req, reply, insert=False)
            future.set_result(stored)
            return stored
        except BaseException as exc:
            # The row stays 'running': after a restart it is answered "outcome unknown".
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # retrieved: a duplicate waiting on it gets it, nobody else must
            else:
                future.cancel()
            raise
        finally:
            del self._running[req.id]

    async def _run(self, req: Request, action: Action) -> bytes:
        log.info("command %s: %s %s", req.id, req.name, json.dumps(req.args, ensure_ascii=False))
        try:
            result = await asyncio.wait_for(action(dict(req.args)), ACTION_TIMEOUT_S)
        except CommandFailed as exc:
            return self._error(req.id, str(exc), exc.detail)
        except TimeoutError:
            return self._error(req.id, UNKNOWN_OUTCOME, f"gave up after {ACTION_TIMEOUT_S:.0f} s")
        except Exception as exc:
            log.exception("command %s (%s) failed", req.id, req.name)
            return self._error(req.id, f"failed: {type(exc).__name__}: {exc}")
        return encode({"id": req.id, "ok": True, "result": result})

    def _expired(self, req: Request, expiry_interval: Any, received: float) -> str | None:
        if isinstance(expiry_interval, int) and self.monotonic() - received >= expiry_interval:
            return f"its MQTT message expiry of {expiry_interval} s passed before it could run"
        now = self.clock()
        deadline = req.expires_at or req.issued_at + timedelta(seconds=self.max_age_s)
        if now >= deadline:
            key = "expires_at" if req.expires_at else f"issued_at + {self.max_age_s:.0f} s"
            return f"{key} ({wire_time(deadline)}) is in the past by the device clock ({wire_time(now)})"
        return None

    def _store(self, req: Request, reply: bytes, *, insert: bool = True) -> bytes:
        with self.store.transaction() as conn:
            if insert:
                conn.execute(
                    "INSERT INTO commands (id, name, state, received_at) VALUES (?, ?, 'running', ?)",
                    (req.id, req.name, self._now()),
                )
            self._finish(conn, req.id, reply)
        return reply

    def _finish(self, conn: Any, cid: str, reply: bytes) -> None:
        conn.execute(
            "UPDATE commands SET state = 'done', reply = ?, finished_at = ? WHERE id = ?",
            (reply.decode("utf-8"), self._now(), cid),
        )

    def _error(self, cid: str, error: str, detail: str | None = None) -> bytes:
        body: dict[str, Any] = {"id": cid, "ok": False, "error": error}
        if detail is not None:
            body["detail"] = detail
        return encode(body)

    def _now(self) -> str:
        return wire_time(self.clock())

    def _count(self, name: str) -> None:
        bump(self.store, name)

    def status(self) -> dict[str, Any]:
        rows = self.store.conn.execute("SELECT state, count(*) FROM commands GROUP BY state").fetchall()
        return {"commands": {r[0]: r[1] for r in rows}, "running_now": sorted(self._running)}


def _loose_id(payload: bytes) -> Any:
    """The id of a request that failed validation, when there is one to echo."""
    if len(payload) > MAX_PAYLOAD:
        return None
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    cid = body.get("id") if isinstance(body, dict) else None
    return cid if isinstance(cid, str) and len(cid) <= MAX_ID else None


def serve(link: MqttLink, topics: Topics, processor: CommandProcessor) -> None:
    """Answer the requests on this device's cmd topic through the link (reply QoS 1, not retained)."""

    async def on_request(msg: Inbound) -> None:
        reply = await processor.handle(msg.payload, msg.properties, received_at=msg.received_at)
        if reply is None:
            return
        topic, correlation, body = reply
        props = PublishProps(correlation_data=correlation, content_type="application/json", utf8=True)
        await link.publish(topic, body, 1, False, props)

    link.subscribe(topics.cmd, on_request, qos=1)
