"""The hub's central store on PostgreSQL (`pvz-central hub --db postgresql://…`): the same
interface as the SQLite file (central/store_api.py), for several hub processes on one database.

Why it holds across hubs: an event id is the table's primary key and every insert is
INSERT … ON CONFLICT DO NOTHING, so a batch delivered to two hubs (a resend, a session taken
over) is stored once. A device's ack is computed from the rows in the database, never from one
process's memory, and under a per-device advisory lock taken for the transaction: two hubs
storing neighbouring batches of one device run one after the other, so the second one sees the
first one's rows and acks the whole unbroken run. Locks are taken in device order, so two
group commits cannot deadlock.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg

from central import hub_dashboard_pg, hub_sessions_pg, hub_state_sql, hub_tickets, rollout_plans
from central.pg_migrate import migrate
from central.store_api import DeviceStates, HubStoreUnavailable, SessionStore, Stored, alert_row, reply_row
from sync.inbox_service import WireOutcome
from sync.publisher import WireBatch

log = logging.getLogger("pvz.sync.hub")

_INSERT = (
    "INSERT INTO events (event_id, device, seq, ts, station, clerk, kind, parcel, from_state, to_state, "
    "cell, data) SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], "
    "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
    "ON CONFLICT (event_id) DO NOTHING"
)
# Each device's new acked seq: when the event after its acked seq is stored, the first event after
# it that has no successor (the end of the unbroken run, an index walk); else the acked seq as it is.
_RUN_ENDS = (
    "SELECT d.device, CASE WHEN EXISTS (SELECT 1 FROM events x WHERE x.device = d.device "
    "AND x.seq = d.acked + 1) THEN (SELECT e.seq FROM events e WHERE e.device = d.device "
    "AND e.seq > d.acked AND NOT EXISTS (SELECT 1 FROM events n WHERE n.device = e.device "
    "AND n.seq = e.seq + 1) ORDER BY e.seq LIMIT 1) ELSE d.acked END "
    "FROM (SELECT u.device, coalesce(v.acked_seq, 0) AS acked FROM unnest(%s::text[]) AS u(device) "
    "LEFT JOIN devices v ON v.device = u.device) d"
)
_DEVICES_UPSERT = (
    "INSERT INTO devices (device, site, acked_seq, batches, last_seen) "
    "SELECT d, s, a, n, now() FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bigint[]) AS u(d, s, a, n) "
    "ON CONFLICT (device) DO UPDATE SET site = excluded.site, batches = devices.batches + excluded.batches, "
    "acked_seq = greatest(devices.acked_seq, excluded.acked_seq), last_seen = excluded.last_seen"
)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _adapted(fn: Callable[Concatenate[PgHubStore, _P], _R]) -> Callable[Concatenate[PgHubStore, _P], _R]:
    """A public method of the store, with its connection failures as HubStoreUnavailable."""

    def call(self: PgHubStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._adapt():
            return fn(self, *args, **kwargs)

    call.__doc__ = fn.__doc__
    return call


# One lock per device, taken in the array's order (a function scan yields its rows in order).
_DEVICE_LOCKS = (
    "SELECT pg_advisory_xact_lock(hashtextextended('pvz-device:' || d, 0)) FROM unnest(%s::text[]) AS d"
)


class PgHubStore:
    """One connection per hub process, opened again after the server dropped it; each group
    commit is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.reconnects = 0
        with self._adapt():
            self.conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(url, autocommit=True)
            self.schema = migrate(self.conn)
        self.plans = rollout_plans.postgres(lambda: self.conn, self._adapt)

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def _adapt(self) -> Iterator[None]:
        """The one place psycopg's connection failures become pvz's own error; a connection the
        server dropped (a restart, a failover) is replaced at the next call."""
        if getattr(self, "conn", None) is not None and (self.conn.broken or self.conn.closed):
            self.conn.close()
            self.reconnects += 1
            try:
                self.conn = psycopg.connect(self.url, autocommit=True)
            except psycopg.OperationalError as exc:
                log.warning("hub database: %s", exc)
                raise HubStoreUnavailable("the hub's PostgreSQL database cannot be reached") from exc
        try:
            yield
        except psycopg.OperationalError as exc:
            log.warning("hub database: %s", exc)
            raise HubStoreUnavailable("the hub's PostgreSQL database cannot be reached") from exc

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def store_batch(self, site: str, batch: WireBatch) -> Stored:
        return self.store_batches([(site, batch)])[0]

    @_adapted
    def store_batches(self, batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        """A group commit in four statements whatever its size: the devices' locks, every event,
        every device's run end, every device's row. Per batch, a statement each was most of a
        commit's time: the hub waits on each round trip, and 1,000 devices send 1,000 batches a
        second (bench/fleet_load.py)."""
        with self.conn.transaction():
            return self._store(batches)

    def _store(self, batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        """store_batches' statements, inside the caller's transaction."""
        sites = {b.device: site for site, b in batches}  # a device's latest site, as one row each did
        devices = sorted(sites)
        self.conn.execute(_DEVICE_LOCKS, (devices,))  # in device order: two commits cannot deadlock
        fresh = self._insert_all([b for _, b in batches])
        for site, batch in batches:
            for e in batch.events:
                self._ticket(site, batch.device, e)
        acked = {str(r[0]): int(r[1]) for r in self.conn.execute(_RUN_ENDS, (devices,))}
        count = Counter(b.device for _, b in batches)
        rows = (
            devices,
            [sites[d] for d in devices],
            [acked[d] for d in devices],
            [count[d] for d in devices],
        )
        self.conn.execute(_DEVICES_UPSERT, rows)
        stored = []
        for _, batch in batches:
            new = [e.event_id for e in batch.events if e.event_id in fresh]
            fresh.difference_update(new)  # an id in two batches of one commit is new in the first only
            stored.append(Stored(len(new), acked[batch.device]))
        return stored

    def _insert_all(self, batches: list[WireBatch]) -> set[str]:
        """Every event of the commit in one INSERT; the ids that were new."""
        ev = [(b.device, e) for b in batches for e in b.events]
        columns = (
            [e.event_id for _, e in ev],
            [d for d, _ in ev],
            [e.seq for _, e in ev],
            [e.ts for _, e in ev],
            [e.station for _, e in ev],
            [e.clerk for _, e in ev],
            [e.kind for _, e in ev],
            [e.parcel for _, e in ev],
            [e.from_state for _, e in ev],
            [e.to_state for _, e in ev],
            [e.cell for _, e in ev],
            [str(e.data, "utf-8") for _, e in ev],
        )
        return {str(r[0]) for r in self.conn.execute(_INSERT + " RETURNING event_id", columns)}

    def _ticket(self, site: str, device: str, e: Any) -> None:
        change = hub_tickets.ticket_change(site, device, e)
        if change is None:
            return
        if change[0] == "opened":
            self.conn.execute(
                f"INSERT INTO tickets ({hub_tickets.OPENED_COLUMNS}) VALUES ({', '.join(['%s'] * 13)}) "
                "ON CONFLICT (ticket_id) DO NOTHING",
                change[1],
            )
        else:
            self.conn.execute(
                "UPDATE tickets SET state = 'resolved', resolved_at = %s, resolution = %s WHERE ticket_id = %s",
                change[1],
            )

    @_adapted
    def record_outcome(self, site: str, outcome: WireOutcome) -> bool:
        row = (
            site,
            outcome.device,
            outcome.id,
            outcome.outcome,
            outcome.code,
            outcome.path,
            outcome.reason,
            json.dumps(outcome.counts, sort_keys=True),
            outcome.ts,
        )
        cur = self.conn.execute(
            "INSERT INTO manifest_outcomes (site, device, message_id, outcome, code, path, reason, counts, ts) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            row,
        )
        return cur.rowcount > 0

    @_adapted
    def outcomes(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, args = ("WHERE device = %s", (device,)) if device else ("", ())
        cur = self.conn.execute(
            "SELECT site, device, message_id, outcome, code, path, reason, counts, ts FROM manifest_outcomes "
            f"{where} ORDER BY ts DESC, id DESC LIMIT %s",
            (*args, limit),
        )
        names = [d.name for d in cur.description or ()]
        return [dict(zip(names, r, strict=True)) | {"counts": json.loads(r[7])} for r in cur.fetchall()]

    @_adapted
    def acked(self, device: str) -> int:
        return int(self._one("SELECT acked_seq FROM devices WHERE device = %s", (device,)) or 0)

    @_adapted
    def count(self, device: str | None = None) -> int:
        if device is None:
            return int(self._one("SELECT count(*) FROM events"))
        return int(self._one("SELECT count(*) FROM events WHERE device = %s", (device,)))

    @_adapted
    def devices(self) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in self.conn.execute("SELECT device, acked_seq FROM devices")}

    @_adapted
    def record_status(self, site: str, device: str, body: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO device_status (device, site, body) VALUES (%s, %s, %s) ON CONFLICT (device) "
            "DO UPDATE SET site = excluded.site, body = excluded.body, received_at = now()",
            (device, site, json.dumps(body, ensure_ascii=False)),
        )

    @_adapted
    def statuses(self) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute("SELECT device, body FROM device_status ORDER BY device")
        return {str(r[0]): json.loads(r[1]) for r in rows}

    @_adapted
    def record_telemetry(
        self, site: str, device: str, body: dict[str, Any], clock_skew_s: float | None
    ) -> None:
        self.conn.execute(
            "INSERT INTO device_telemetry (device, site, body, clock_skew_s) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (device) DO UPDATE SET site = excluded.site, body = excluded.body, "
            "clock_skew_s = excluded.clock_skew_s, received_at = now()",
            (device, site, json.dumps(body, ensure_ascii=False), clock_skew_s),
        )

    @_adapted
    def telemetry(self) -> dict[str, tuple[dict[str, Any], float | None]]:
        rows = self.conn.execute("SELECT device, body, clock_skew_s FROM device_telemetry")
        return {str(r[0]): (json.loads(r[1]), r[2]) for r in rows}

    @_adapted
    def record_reply(self, site: str, device: str, nonce: str, body: dict[str, Any]) -> bool:
        ok = body.get("ok") if isinstance(body.get("ok"), bool) else None
        cur = self.conn.execute(
            "INSERT INTO command_replies (site, device, nonce, command_id, ok, body) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (site, device, nonce, body.get("id") or "", ok, json.dumps(body, ensure_ascii=False)),
        )
        return cur.rowcount > 0

    @_adapted
    def record_states(self, states: DeviceStates) -> int:
        return hub_state_sql.write_pg(self.conn, states)

    @_adapted
    def replies(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, args = ("WHERE device = %s", (device,)) if device else ("", ())
        cur = self.conn.execute(
            f"SELECT site, device, nonce, command_id, body FROM command_replies {where} "
            "ORDER BY received_at DESC, id DESC LIMIT %s",
            (*args, limit),
        )
        return [reply_row(r) for r in cur.fetchall()]

    @_adapted
    def raise_alert(self, site: str, device: str, rule: str, at: datetime, detail: dict[str, Any]) -> bool:
        cur = self.conn.execute(
            "INSERT INTO alerts (site, device, rule, raised_at, detail) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (device, rule) WHERE cleared_at IS NULL DO NOTHING",
            (site, device, rule, at, json.dumps(detail, ensure_ascii=False)),
        )
        return cur.rowcount > 0

    @_adapted
    def clear_alert(self, device: str, rule: str, at: datetime) -> bool:
        cur = self.conn.execute(
            "UPDATE alerts SET cleared_at = %s WHERE device = %s AND rule = %s AND cleared_at IS NULL",
            (at, device, rule),
        )
        return cur.rowcount > 0

    @_adapted
    def alerts(self, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        where = "WHERE cleared_at IS NULL" if open_only else ""
        cur = self.conn.execute(
            f"SELECT site, device, rule, raised_at, cleared_at, detail FROM alerts {where} "
            "ORDER BY raised_at DESC, id DESC LIMIT %s",
            (limit,),
        )
        return [alert_row(r) for r in cur.fetchall()]

    @_adapted
    def record_outbox(self, samples: list[tuple[str, str, int]], minute: datetime) -> int:
        return hub_dashboard_pg.record_outbox(self.conn, samples, minute)

    @_adapted
    def outbox_totals(self, since: datetime) -> list[tuple[str, int]]:
        return hub_dashboard_pg.outbox_totals(self.conn, since)

    @_adapted
    def prune_outbox(self, before: datetime) -> int:
        return hub_dashboard_pg.prune_outbox(self.conn, before)

    @_adapted
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
        row = (site, device, kind, request_id, operator, json.dumps(detail, ensure_ascii=False))
        return hub_dashboard_pg.record_request(self.conn, row)

    @_adapted
    def requests(self, limit: int = 50) -> list[dict[str, Any]]:
        return hub_dashboard_pg.requests(self.conn, limit)

    @_adapted
    def alert_conditions(self) -> dict[tuple[str, str], datetime]:
        rows = self.conn.execute("SELECT device, rule, since FROM alert_conditions").fetchall()
        return {(str(r[0]), str(r[1])): r[2].astimezone(UTC) for r in rows}

    @_adapted
    def track_conditions(
        self, begun: list[tuple[str, str]], ended: list[tuple[str, str]], at: datetime, rules: list[str]
    ) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO alert_conditions (device, rule, since) VALUES (%s, %s, %s) "
                "ON CONFLICT (device, rule) DO NOTHING",
                [(device, rule, at) for device, rule in begun],
            )
            cur.executemany("DELETE FROM alert_conditions WHERE device = %s AND rule = %s", ended)
            cur.execute("DELETE FROM alert_conditions WHERE NOT (rule = ANY(%s))", (rules,))

    @_adapted
    def tickets(self, state: str | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE state = %s", (state,)) if state else ("", ())
        cur = self.conn.execute(f"SELECT * FROM tickets {where} ORDER BY opened_at, ticket_id", args)
        names = [d.name for d in cur.description or ()]
        return [dict(zip(names, r, strict=True)) | {"detail": json.loads(r[11])} for r in cur.fetchall()]

    @_adapted
    def resolve_ticket(self, ticket_id: str, text: str) -> None:
        with self.conn.transaction():
            state = self._one("SELECT state FROM tickets WHERE ticket_id = %s FOR UPDATE", (ticket_id,))
            if state is None:
                raise hub_tickets.UnknownTicket(ticket_id)
            if state == "resolved":
                raise hub_tickets.AlreadyResolved(ticket_id)
            self.conn.execute(
                "UPDATE tickets SET state = 'answered', resolution = %s, answered_at = %s, sent_at = NULL "
                "WHERE ticket_id = %s",
                (text, hub_tickets.now(), ticket_id),
            )

    @_adapted
    def unsent_resolutions(self) -> list[tuple[str, str, bytes]]:
        rows = self.conn.execute(
            "SELECT site, device, ticket_id, resolution, answered_at FROM tickets "
            "WHERE state = 'answered' AND sent_at IS NULL ORDER BY answered_at"
        ).fetchall()
        return [(r[0], r[1], hub_tickets.resolution_message(r[2], r[3], r[4])) for r in rows]

    @_adapted
    def mark_sent(self, message: bytes) -> None:
        ticket = json.loads(message)["body"]["ticket"]
        self.conn.execute(
            "UPDATE tickets SET sent_at = %s WHERE ticket_id = %s AND state = 'answered'",
            (hub_tickets.now(), ticket),
        )

    def sessions(self) -> SessionStore:
        return hub_sessions_pg.PgSessions(self)
