"""The hub's central store as one interface: SQLite (central/hub_store.py) and PostgreSQL
(central/hub_store_pg.py) both implement it, so the hub and `pvz-central` never ask which."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from central.rollout_plans import PlanTable
from device.exc import StoreError
from sync.inbox_service import WireOutcome
from sync.publisher import WireBatch

EVERY = 2**62  # a limit that leaves nothing out (alerts(open_only=True, limit=EVERY))


class HubStoreUnavailable(StoreError, ConnectionError):
    """The hub's database cannot be reached now (the driver's own message is in the log). A batch
    that met it is not acked, so its device sends it again; the next call connects anew."""


@dataclass(frozen=True, slots=True)
class Stored:
    inserted: int  # new events; the rest of the batch were duplicates
    acked_seq: int  # every event of the device up to here is held


@dataclass(slots=True)
class DeviceStates:
    """Statuses, telemetry and command answers the hub received together, written in one
    transaction (central/hub_state_writer.py). A device's later status or telemetry in the lists
    replaces its earlier one, as one record_status call after another would."""

    statuses: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (site, device, body)
    telemetry: list[tuple[str, str, dict[str, Any], float | None]] = field(default_factory=list)  # … skew
    replies: list[tuple[str, str, str, dict[str, Any]]] = field(
        default_factory=list
    )  # (site, device, nonce, body)

    def __len__(self) -> int:
        return len(self.statuses) + len(self.telemetry) + len(self.replies)


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A dashboard sign-in as the store keeps it (central/dashboard/auth.py), under a hash of its
    id: never the cookie's value. `credential` is what proved the operator (for a token, a digest
    of its hash in hub.toml), so a hub that no longer accepts it ends the session."""

    operator: str
    credential: str
    created: datetime
    last_seen: datetime
    expires: datetime


class SessionStore(Protocol):
    """The dashboard's sessions in the central store: every hub of the group sees the same ones,
    and a restarted hub still has them. Each call is one statement on the table's primary key.
    The wrong tokens are kept beside them, so that the sign-in limit is the group's, not a hub's."""

    def open(self, key: str, row: SessionRow) -> None:
        """Keep a new session under `key`; the sessions expired by `row.created` are deleted."""
        ...

    def find(self, key: str) -> SessionRow | None: ...

    def touch(self, key: str, at: datetime) -> None:
        """The session was used at `at` (its last_seen)."""
        ...

    def end(self, key: str) -> bool:
        """The session deleted; False when there was none."""
        ...

    def failed_sign_in(self, at: datetime, forget_before: datetime) -> None:
        """A wrong token at `at`, for every hub's limit; failures before `forget_before` deleted."""
        ...

    def failed_sign_ins(self, since: datetime) -> int:
        """The wrong tokens any hub of the store saw from `since` on."""
        ...


class CentralStore(Protocol):
    """Events de-duplicated by id, each device's acked seq computed from what is stored, the
    devices' reports on manifest-topic messages, and the tickets with the operator's answers."""

    plans: PlanTable  # the staged rollouts (central/rollout_plans.py)

    def close(self) -> None: ...

    def store_batch(self, site: str, batch: WireBatch) -> Stored: ...

    def store_batches(self, batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        """Each batch's new events and its device's acked seq, all in one transaction."""
        ...

    def record_outcome(self, site: str, outcome: WireOutcome) -> bool:
        """False for a repeat (QoS 1 may deliver twice)."""
        ...

    def outcomes(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]: ...

    def acked(self, device: str) -> int: ...

    def count(self, device: str | None = None) -> int: ...

    def devices(self) -> dict[str, int]: ...

    def record_status(self, site: str, device: str, body: dict[str, Any]) -> None:
        """The device's latest status replaces the one kept before."""
        ...

    def statuses(self) -> dict[str, dict[str, Any]]: ...

    def record_telemetry(
        self, site: str, device: str, body: dict[str, Any], clock_skew_s: float | None
    ) -> None:
        """The device's latest telemetry replaces the one kept before; the skew is the hub's
        receipt minus the device's `ts`, in seconds (None when the telemetry has no readable ts)."""
        ...

    def telemetry(self) -> dict[str, tuple[dict[str, Any], float | None]]:
        """Each device's latest telemetry and its clock skew."""
        ...

    def record_reply(self, site: str, device: str, nonce: str, body: dict[str, Any]) -> bool:
        """A device's answer to a fleet command; False for a repeat."""
        ...

    def replies(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]: ...

    def record_states(self, states: DeviceStates) -> int:
        """Everything in `states` in one transaction (record_status, record_telemetry and
        record_reply for each); returns how many answers were new."""
        ...

    def raise_alert(self, site: str, device: str, rule: str, at: datetime, detail: dict[str, Any]) -> bool:
        """An alert opened at `at`; False when this device already has one open for this rule."""
        ...

    def clear_alert(self, device: str, rule: str, at: datetime) -> bool:
        """The device's open alert of this rule closed at `at`; False when none was open."""
        ...

    def alerts(self, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """Alerts, the latest raised first: site, device, rule, raised_at, cleared_at, detail."""
        ...

    def record_outbox(self, samples: list[tuple[str, str, int]], minute: datetime) -> int:
        """One (site, device, outbox depth) sample per device for `minute` (whole minutes, UTC);
        a device already sampled for it (another hub of the group) is kept as it was. New rows."""
        ...

    def outbox_totals(self, since: datetime) -> list[tuple[str, int]]:
        """The fleet's outbox depth per sampled minute from `since` on, oldest first: (minute as
        ISO text in UTC, the sum over the devices sampled then). Summed by the database: a day
        of a thousand devices is 1.4 million samples."""
        ...

    def prune_outbox(self, before: datetime) -> int:
        """The samples older than `before` deleted; how many."""
        ...

    def record_request(
        self,
        site: str,
        device: str,
        kind: str,
        request_id: str,
        *,
        operator: str | None,
        detail: dict[str, Any],
    ) -> bool:
        """A fleet command ("command") or desired config push ("config") seen on its device's
        topic; False for a repeat (QoS 1, or two hubs)."""
        ...

    def requests(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest requests first: site, device, kind, request_id, operator, detail, sent_at."""

    def alert_conditions(self) -> dict[tuple[str, str], datetime]:
        """Since when each (device, rule) condition has held, as the hubs of the group recorded it."""
        ...

    def track_conditions(
        self, begun: list[tuple[str, str]], ended: list[tuple[str, str]], at: datetime, rules: list[str]
    ) -> None:
        """In one transaction: the conditions `begun` held since `at` (a row another hub wrote
        first is kept), the `ended` ones no longer held, and rows of rules not in `rules` gone."""
        ...

    def tickets(self, state: str | None = None) -> list[dict[str, Any]]: ...

    def resolve_ticket(self, ticket_id: str, text: str) -> None:
        """Raises hub_tickets.UnknownTicket or AlreadyResolved."""
        ...

    def unsent_resolutions(self) -> list[tuple[str, str, bytes]]: ...

    def mark_sent(self, message: bytes) -> None: ...

    def sessions(self) -> SessionStore:
        """The dashboard's sign-in sessions, on this store's connection."""
        ...


def reply_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A kept command answer (site, device, nonce, command_id, body) as a dict, on either store."""
    return {
        "site": row[0],
        "device": row[1],
        "nonce": row[2],
        "command_id": row[3],
        "body": json.loads(row[4]),
    }


def alert_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A kept alert (site, device, rule, raised_at, cleared_at, detail) as a dict, on either store."""
    raised, cleared = (_iso(t) for t in row[3:5])
    return {
        "site": row[0],
        "device": row[1],
        "rule": row[2],
        "raised_at": raised,
        "cleared_at": cleared,
        "detail": json.loads(row[5]),
    }


def total_row(row: tuple[Any, ...]) -> tuple[str, int]:
    """A minute's total outbox depth (at, sum) on either store."""
    return str(_iso(row[0])), int(row[1])


def request_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A kept fleet request (site, device, kind, request_id, operator, detail, sent_at) as a dict."""
    names = ("site", "device", "kind", "request_id", "operator")
    return dict(zip(names, row[:5], strict=True)) | {"detail": json.loads(row[5]), "sent_at": _iso(row[6])}


def _iso(moment: datetime | str | None) -> str | None:
    """PostgreSQL's timestamptz as the ISO text SQLite keeps (UTC, whole seconds)."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    return moment
