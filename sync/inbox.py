"""The inbox: downstream supplies, drop-offs, updates and couriers' lists, checked whole, applied once, in one transaction."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from device.decode import decode
from device.exc import INVALID, InputError, ManifestError
from device.intake.couriers import Courier, expect
from device.intake.couriers import cross_check as check_courier
from device.intake.dropoff import Dropoff, write_dropoff
from device.intake.dropoff import cross_check as check_dropoff
from device.intake.manifest import Manifest, write_manifest
from device.intake.manifest import cross_check as check_manifest
from device.intake.order_updates import CancelOrder, PickupCode
from device.intake.tickets import Resolution, apply_resolution
from device.intake.updates import ClerkUpdate, DeadlineUpdate, Update, Updates, apply_batch
from device.intake.updates import cross_check as check_updates
from device.store.db import Store
from device.store.journal import Stamp
from workflows.machine import IllegalTransition, WorkflowError

log = logging.getLogger("pvz.sync.inbox")

# A 4,000,000-byte manifest (its own limit) still fits with the envelope around it.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MAX_REASON = 300  # characters of a rejection reason kept in the store and the log
COUNTER = "inbox_{outcome}"
WHAT = "invalid message"

MessageId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
# JSON-safe integers: central may use a per-device sequence number or a Unix time.
MessageVersion = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]
Outcome = Literal["applied", "stale", "duplicate", "rejected"]
_KIND = re.compile(r"\A[a-z0-9_-]{1,32}\Z")


class SupplyMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="supply"):
    """A supply manifest; `version` is the manifest's own version."""

    id: MessageId
    version: MessageVersion
    body: Manifest


class UpdatesMessage(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="updates"
):
    """A batch of updates; `version` orders the messages about one order, parcel or badge."""

    id: MessageId
    version: MessageVersion
    body: Updates


class DropoffMessage(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="dropoff"
):
    """A seller's drop-off list (device/intake/dropoff.py); `version` is the drop-off's own version."""

    id: MessageId
    version: MessageVersion
    body: Dropoff


class CourierMessage(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="courier"
):
    """A courier's list; `version` orders the lists for one courier code (a newer one replaces it)."""

    id: MessageId
    version: MessageVersion
    body: Courier


class ResolutionMessage(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="ticket_resolution"
):
    """Central's resolution of one ticket (device/intake/tickets.py)."""

    id: MessageId
    version: MessageVersion
    body: Resolution


Message = SupplyMessage | UpdatesMessage | DropoffMessage | CourierMessage | ResolutionMessage
Kind = Literal["supply", "updates", "dropoff", "courier", "ticket_resolution"]
KINDS: tuple[str, ...] = ("supply", "updates", "dropoff", "courier", "ticket_resolution")


class _Head(msgspec.Struct):
    """What a message that fails the schema may still tell: its id (anything else ignored)."""

    id: MessageId
    type: Any = None
    version: Any = None


@dataclass(frozen=True, slots=True)
class InboxResult:
    """What one message did: applied, stale (older than what is here), duplicate or rejected.

    A rejected one has a `code` (device.decode.REASONS) and the JSON `path` of what was
    wrong, and its `reason` starts with both: "unknown_field $.body.updates[0].why: …".
    """

    outcome: Outcome
    id: str | None
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    code: str | None = None
    path: str | None = None


def topic_kind(topic: str) -> str:
    """The last part of a topic ("manifest"), or "file" for the CLI: names the counters."""
    last = topic.rsplit("/", 1)[-1]
    return last if _KIND.match(last) else "other"


def clip(text: str, limit: int = MAX_REASON) -> str:
    """A reason as a log line or a store row can hold it: escapes for anything unprintable."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return out + ("…" if len(text) > limit else "")


def decode_message(raw: bytes) -> Message:
    """Check a whole message; any problem is a ManifestError with its reason code and JSON path."""
    msg: Message = decode(raw, Message, max_bytes=MAX_MESSAGE_BYTES, error=ManifestError, what=WHAT)
    if isinstance(msg, SupplyMessage | DropoffMessage):
        if msg.version != msg.body.version:
            raise ManifestError.at(
                "$.version",
                "version_mismatch",
                f"{msg.version} is not $.body.version {msg.body.version}",
                what=WHAT,
            )
        if isinstance(msg, SupplyMessage):
            check_manifest(msg.body, root="$.body")
        else:
            check_dropoff(msg.body, root="$.body")
    elif isinstance(msg, CourierMessage):
        check_courier(msg.body, root="$.body", what=WHAT)
    elif isinstance(msg, UpdatesMessage):
        check_updates(msg.body, root="$.body")
    return msg


def _rejection(exc: Exception) -> tuple[str, str, str]:
    """(code, path, reason) of an error that rejects a message; the reason starts with code and path."""
    if isinstance(exc, InputError):
        code, path, detail = exc.reason, exc.path, exc.detail
    elif isinstance(exc, IllegalTransition):
        code, path, detail = "illegal_transition", "$", str(exc)
    elif isinstance(exc, sqlite3.IntegrityError):
        code, path, detail = "store_refused", "$", f"rejected by the store: {exc}"
    else:
        code, path, detail = INVALID, "$", str(exc)
    return code, path, clip(f"{code} {path}: {detail}")


def wrap(kind: Kind, body: bytes, *, message_id: str, version: int) -> bytes:
    """An envelope around a bare manifest or updates file (its bytes kept as they are)."""
    return msgspec.json.encode(
        {"id": message_id, "type": kind, "version": version, "body": msgspec.Raw(body)}
    )


def apply_message(store: Store, raw: bytes, *, stamp: Stamp, topic: str) -> InboxResult:
    """Check and apply one downstream message; bad input never raises, it is rejected.

    One transaction: the message's effect (or none), its row in inbox_messages and the
    counters. A store that fails (disk full) raises, and then nothing of it is written.
    """
    try:
        msg = decode_message(raw)
    except ManifestError as exc:
        return _reject_unread(store, raw, exc, stamp=stamp, topic=topic)
    kind, odd = topic_kind(topic), False
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT outcome, kind, version FROM inbox_messages WHERE id = ?", (msg.id,)
        ).fetchone()
        if row is not None and row["outcome"] != "rejected":
            _count(conn, "duplicate", kind)
            # Central must never reuse an id: the first message with it stays the one applied.
            odd = (row["kind"], row["version"]) != (msg_type(msg), msg.version)
            why = f"already {row['outcome']}" + (f" as {row['kind']} version {row['version']}" if odd else "")
            result = InboxResult("duplicate", msg.id, why)
        else:
            result = _apply(store, msg, stamp=stamp)
            _record(conn, result, topic=topic, kind=msg_type(msg), version=msg.version, ts=stamp.ts)
            _count(conn, result.outcome, kind)
    _log(result, topic, warn=odd)
    return result


def msg_type(msg: Message) -> str:
    if isinstance(msg, ResolutionMessage):
        return "ticket_resolution"
    return (
        "supply"
        if isinstance(msg, SupplyMessage)
        else "dropoff"
        if isinstance(msg, DropoffMessage)
        else "courier"
        if isinstance(msg, CourierMessage)
        else "updates"
    )


def _apply(store: Store, msg: Message, *, stamp: Stamp) -> InboxResult:
    """Apply inside a savepoint: a message the store refuses leaves nothing behind."""
    conn = store.conn
    conn.execute("SAVEPOINT inbox_apply")
    try:
        match msg:
            case SupplyMessage():
                result = _apply_supply(conn, msg, stamp)
            case DropoffMessage():
                result = _apply_dropoff(conn, msg, stamp)
            case CourierMessage():
                result = _apply_courier(conn, msg, stamp)
            case UpdatesMessage():
                result = _apply_updates(store, msg, stamp)
            case ResolutionMessage():
                result = _apply_resolution(conn, msg, stamp)
    except (ManifestError, WorkflowError, sqlite3.IntegrityError) as exc:
        conn.execute("ROLLBACK TO inbox_apply")
        code, path, reason = _rejection(exc)
        result = InboxResult("rejected", msg.id, reason, code=code, path=path)
    conn.execute("RELEASE inbox_apply")
    return result


def _apply_supply(conn: sqlite3.Connection, msg: SupplyMessage, stamp: Stamp) -> InboxResult:
    m = msg.body
    key = f"supply:{m.supply_id}"
    row = conn.execute("SELECT version FROM supplies WHERE id = ?", (m.supply_id,)).fetchone()
    have = max(_version(conn, key) or 0, 0 if row is None else int(row[0]))
    if have >= msg.version:
        why = f"supply {m.supply_id}: version {have} is here, {msg.version} is not newer"
        return InboxResult("stale", msg.id, why)
    done = write_manifest(conn, m, now=stamp.ts, root="$.body")
    _set_version(conn, key, msg.version)
    counts = {"parcels": done.parcels, "packages": done.packages, "orders": done.orders}
    if done.attached:
        counts["attached"] = len(done.attached)
    return InboxResult("applied", msg.id, None, counts)


def _apply_dropoff(conn: sqlite3.Connection, msg: DropoffMessage, stamp: Stamp) -> InboxResult:
    """A drop-off older than (or as old as) the one here is stale, not a rejection: central resends."""
    d = msg.body
    row = conn.execute("SELECT version FROM dropoffs WHERE id = ?", (d.dropoff_id,)).fetchone()
    if row is not None and int(row[0]) >= msg.version:
        why = f"drop-off {d.dropoff_id}: version {row[0]} is here, {msg.version} is not newer"
        return InboxResult("stale", msg.id, why)
    done = write_dropoff(conn, d, now=stamp.ts, root="$.body")
    return InboxResult("applied", msg.id, None, {"shipments": done.shipments})


def _apply_courier(conn: sqlite3.Connection, msg: CourierMessage, stamp: Stamp) -> InboxResult:
    """A courier's list, kept by their code: a newer version replaces it and expects them again."""
    key = f"courier:{msg.body.code}"
    have = _version(conn, key) or 0
    if have >= msg.version:
        return InboxResult(
            "stale", msg.id, f"courier list: version {have} is here, {msg.version} is not newer"
        )
    expect(conn, msg.body, now=stamp.ts)
    _set_version(conn, key, msg.version)
    return InboxResult(
        "applied", msg.id, None, {"parcels": len(msg.body.parcels), "bags": len(msg.body.bags)}
    )


def _apply_resolution(conn: sqlite3.Connection, msg: ResolutionMessage, stamp: Stamp) -> InboxResult:
    if not apply_resolution(conn, msg.body, stamp, root="$.body"):
        return InboxResult("stale", msg.id, f"ticket {msg.body.ticket} is already resolved")
    return InboxResult("applied", msg.id, None, {"tickets": 1})


def version_key(update: Update) -> str | None:
    """The document an update changes, whose version it must raise; None: not versioned."""
    match update:
        case DeadlineUpdate(parcel=parcel):
            return f"parcel:{parcel}"
        case ClerkUpdate(badge=badge):
            return f"clerk:{badge}"
        case CancelOrder(order=order) | PickupCode(order=order):
            return f"order:{order}"
    return None  # a return request is kept once by its own id


def _apply_updates(store: Store, msg: UpdatesMessage, stamp: Stamp) -> InboxResult:
    conn = store.conn
    touched: set[str] = set()  # keys this message already raised: its later updates apply too

    def gate(update: Update) -> bool:
        key = version_key(update)
        if key is None or key in touched:
            return True
        have = _version(conn, key)
        # A cancellation is a one-way fact: even late it is right; it never lowers the version.
        if isinstance(update, CancelOrder) and have is not None and have >= msg.version:
            return True
        if have is not None and have >= msg.version:
            return False
        _set_version(conn, key, msg.version)
        touched.add(key)
        return True

    counts = apply_batch(store, msg.body, stamp=stamp, gate=gate, root="$.body")
    stale = counts.get("stale", 0)
    if msg.body.updates and stale == len(msg.body.updates):
        return InboxResult("stale", msg.id, f"every update is older than version {msg.version}", counts)
    return InboxResult("applied", msg.id, None, counts)


def _version(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT version FROM document_versions WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


def _set_version(conn: sqlite3.Connection, key: str, version: int) -> None:
    conn.execute(
        "INSERT INTO document_versions (key, version) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET version = max(version, excluded.version)",
        (key, version),
    )


def _record(
    conn: sqlite3.Connection, result: InboxResult, *, topic: str, kind: str, version: int | None, ts: str
) -> None:
    """One row per message id; a rejected one is replaced when the id comes again, never a settled one."""
    conn.execute(
        "INSERT INTO inbox_messages (id, topic, kind, version, received_at, outcome, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET topic = excluded.topic, "
        "kind = excluded.kind, version = excluded.version, received_at = excluded.received_at, "
        "outcome = excluded.outcome, reason = excluded.reason WHERE inbox_messages.outcome = 'rejected'",
        (result.id, clip(topic, 200), kind, version, ts, result.outcome, result.reason),
    )


def _count(conn: sqlite3.Connection, outcome: str, kind: str) -> None:
    name = COUNTER.format(outcome=outcome)
    conn.executemany(
        "INSERT INTO sync_counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1",
        [(name,), (f"{name}:{kind}",)],
    )


def _head(raw: bytes) -> _Head | None:
    """The id (and type, version) of a message that failed the schema, if they can be read."""
    try:
        return decode(raw, _Head, max_bytes=MAX_MESSAGE_BYTES)  # never parses what is too large
    except InputError:
        return None


def _reject_unread(store: Store, raw: bytes, exc: ManifestError, *, stamp: Stamp, topic: str) -> InboxResult:
    """Record a message that failed the checks (by its id, when it has a readable one) and count it."""
    head = _head(raw)
    code, path, reason = _rejection(exc)
    result = InboxResult("rejected", None if head is None else head.id, reason, code=code, path=path)
    with store.transaction() as conn:
        if head is not None:
            kind = head.type if head.type in KINDS else "unknown"
            ok = isinstance(head.version, int) and not isinstance(head.version, bool)
            version = head.version if ok and 0 <= head.version < 2**63 else None
            _record(conn, result, topic=topic, kind=kind, version=version, ts=stamp.ts)
        _count(conn, "rejected", topic_kind(topic))
    _log(result, topic)
    return result


def _log(result: InboxResult, topic: str, *, warn: bool = False) -> None:
    name = result.id or "without a readable id"
    if warn or result.outcome == "rejected":
        log.warning("inbox %s: %s message %s: %s", clip(topic, 200), result.outcome, name, result.reason)
    elif result.outcome == "applied":
        log.info("inbox %s: applied message %s: %s", topic, name, result.counts)
    else:
        log.info("inbox %s: %s message %s: %s", topic, result.outcome, name, result.reason)
