"""The reference central system's SQLite: events de-duplicated by id, per-device acked sequence,
and what each device did with each manifest-topic message. The embedded default for one site and
the demo; central/hub_store_pg.py keeps the same in PostgreSQL for a fleet (central/store_api.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central import hub_dashboard_tables, hub_sessions, hub_state_sql, hub_tickets, rollout_plans
from central.store_api import CentralStore, DeviceStates, SessionStore, Stored, alert_row, reply_row
from sync.inbox_service import WireOutcome
from sync.publisher import WireBatch

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id     TEXT PRIMARY KEY,
    device       TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    ts           TEXT NOT NULL,
    station      TEXT,
    clerk        TEXT,
    kind         TEXT NOT NULL,
    parcel       TEXT,
    from_state   TEXT,
    to_state     TEXT,
    cell         TEXT,
    data         TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_device_seq ON events (device, seq);
CREATE TABLE IF NOT EXISTS devices (
    device     TEXT PRIMARY KEY,
    site       TEXT NOT NULL,
    acked_seq  INTEGER NOT NULL DEFAULT 0,
    batches    INTEGER NOT NULL DEFAULT 0,
    last_seen  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS manifest_outcomes (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    message_id   TEXT,
    outcome      TEXT NOT NULL,
    code         TEXT,
    path         TEXT,
    reason       TEXT,
    counts       TEXT NOT NULL,
    ts           TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    UNIQUE (device, message_id, outcome, ts)
);
CREATE INDEX IF NOT EXISTS manifest_outcomes_device ON manifest_outcomes (device, ts);
CREATE TABLE IF NOT EXISTS device_status (
    device       TEXT PRIMARY KEY,
    site         TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS command_replies (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    command_id   TEXT NOT NULL,
    ok           INTEGER,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    UNIQUE (device, nonce, command_id)
);
CREATE INDEX IF NOT EXISTS command_replies_device ON command_replies (device, received_at);
CREATE TABLE IF NOT EXISTS device_telemetry (
    device       TEXT PRIMARY KEY,
    site         TEXT NOT NULL,
    body         TEXT NOT NULL,
    clock_skew_s REAL,
    received_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    rule         TEXT NOT NULL,
    raised_at    TEXT NOT NULL,
    cleared_at   TEXT,
    detail       TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (device, rule) WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS alerts_raised ON alerts (raised_at);
CREATE TABLE IF NOT EXISTS alert_conditions (
    device       TEXT NOT NULL,
    rule         TEXT NOT NULL,
    since        TEXT NOT NULL,
    PRIMARY KEY (device, rule)
);
"""

# The first event after `acked` that has no successor: the end of the unbroken run (index walk).
_RUN_END = (
    "SELECT e.seq FROM events e WHERE e.device = ? AND e.seq > ? AND NOT EXISTS "
    "(SELECT 1 FROM events n WHERE n.device = e.device AND n.seq = e.seq + 1) ORDER BY e.seq LIMIT 1"
)


class HubStore:
    """One SQLite file; several hub processes of one group may share it (WAL, BEGIN IMMEDIATE)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an ack promises the events are on disk
        self.conn.executescript(SCHEMA)
        self.conn.executescript(hub_tickets.SCHEMA)
        self.conn.executescript(hub_dashboard_tables.SCHEMA)
        self.conn.executescript(hub_sessions.SCHEMA)
        self.conn.executescript(rollout_plans.SCHEMA)
        self.plans = rollout_plans.sqlite(self.conn)

    def close(self) -> None:
        self.conn.close()

    def store_batch(self, site: str, batch: WireBatch) -> Stored:
        """Insert the batch's new events and move the device's acked seq, in one transaction."""
        return self.store_batches([(site, batch)])[0]

    def store_batches(self, batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        """Each (site, batch) as store_batch does, in order, all in one transaction: one commit
        (one fsync, with `synchronous=FULL`) for the batches that arrived together."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            stored = [self._insert(site, batch, now) for site, batch in batches]
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return stored

    def _insert(self, site: str, batch: WireBatch, now: str) -> Stored:
        dev = batch.device
        rows = [
            (
                e.event_id,
                dev,
                e.seq,
                e.ts,
                e.station,
                e.clerk,
                e.kind,
                e.parcel,
                e.from_state,
                e.to_state,
                e.cell,
                str(e.data, "utf-8"),
                now,
            )
            for e in batch.events
        ]
        conn = self.conn
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        inserted = conn.total_changes - before
        hub_tickets.record_events(conn, site, dev, batch.events)
        acked = self.acked(dev)
        if conn.execute("SELECT 1 FROM events WHERE device = ? AND seq = ?", (dev, acked + 1)).fetchone():
            acked = int(conn.execute(_RUN_END, (dev, acked)).fetchone()[0])
        conn.execute(
            "INSERT INTO devices (device, site, acked_seq, batches, last_seen) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT (device) DO UPDATE SET site = excluded.site, batches = batches + 1, "
            "acked_seq = max(acked_seq, excluded.acked_seq), last_seen = excluded.last_seen",
            (dev, site, acked, now),
        )
        return Stored(inserted, acked)

    def record_outcome(self, site: str, outcome: WireOutcome) -> bool:
        """Keep one device's report about one message; False for a repeat (QoS 1 may deliver twice)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
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
            now,
        )
        before = self.conn.total_changes
        self.conn.execute(
            "INSERT OR IGNORE INTO manifest_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
        )
        return self.conn.total_changes > before

    def outcomes(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest reports, newest first (of one device, or of all)."""
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        cur = self.conn.execute(
            "SELECT site, device, message_id, outcome, code, path, reason, counts, ts FROM manifest_outcomes "
            f"{where} ORDER BY ts DESC, rowid DESC LIMIT ?",
            (*args, limit),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) | {"counts": json.loads(r[7])} for r in cur.fetchall()]

    def acked(self, device: str) -> int:
        row = self.conn.execute("SELECT acked_seq FROM devices WHERE device = ?", (device,)).fetchone()
        return 0 if row is None else int(row[0])

    def count(self, device: str | None = None) -> int:
        if device is None:
            return int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM events WHERE device = ?", (device,)).fetchone()[0])

    def devices(self) -> dict[str, int]:
        """Every device seen, with its acked seq."""
        return {str(r[0]): int(r[1]) for r in self.conn.execute("SELECT device, acked_seq FROM devices")}

    def record_status(self, site: str, device: str, body: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO device_status VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
            "site = excluded.site, body = excluded.body, received_at = excluded.received_at",
            (device, site, json.dumps(body, ensure_ascii=False), _now()),
        )

    def statuses(self) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute("SELECT device, body FROM device_status ORDER BY device")
        return {str(r[0]): json.loads(r[1]) for r in rows}

    def record_telemetry(
        self, site: str, device: str, body: dict[str, Any], clock_skew_s: float | None
    ) -> None:
        self.conn.execute(
            "INSERT INTO device_telemetry VALUES (?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
            "site = excluded.site, body = excluded.body, clock_skew_s = excluded.clock_skew_s, "
            "received_at = excluded.received_at",
            (device, site, json.dumps(body, ensure_ascii=False), clock_skew_s, _now()),
        )

    def telemetry(self) -> dict[str, tuple[dict[str, Any], float | None]]:
        rows = self.conn.execute("SELECT device, body, clock_skew_s FROM device_telemetry")
        return {str(r[0]): (json.loads(r[1]), r[2]) for r in rows}

    def record_reply(self, site: str, device: str, nonce: str, body: dict[str, Any]) -> bool:
        ok = body.get("ok") if isinstance(body.get("ok"), bool) else None
        row = (site, device, nonce, body.get("id") or "", ok, json.dumps(body, ensure_ascii=False), _now())
        before = self.conn.total_changes
        self.conn.execute("INSERT OR IGNORE INTO command_replies VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        return self.conn.total_changes > before

    def record_states(self, states: DeviceStates) -> int:
        return hub_state_sql.write_sqlite(self.conn, states, _now())

    def replies(self, device: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        cur = self.conn.execute(
            f"SELECT site, device, nonce, command_id, body FROM command_replies {where} "
            "ORDER BY received_at DESC, rowid DESC LIMIT ?",
            (*args, limit),
        )
        return [reply_row(r) for r in cur.fetchall()]

    def raise_alert(self, site: str, device: str, rule: str, at: datetime, detail: dict[str, Any]) -> bool:
        row = (site, device, rule, _iso(at), json.dumps(detail, ensure_ascii=False))
        before = self.conn.total_changes
        self.conn.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?, ?, ?, NULL, ?)", row)
        return self.conn.total_changes > before

    def clear_alert(self, device: str, rule: str, at: datetime) -> bool:
        cur = self.conn.execute(
            "UPDATE alerts SET cleared_at = ? WHERE device = ? AND rule = ? AND cleared_at IS NULL",
            (_iso(at), device, rule),
        )
        return cur.rowcount > 0

    def alerts(self, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        where = "WHERE cleared_at IS NULL" if open_only else ""
        cur = self.conn.execute(
            f"SELECT site, device, rule, raised_at, cleared_at, detail FROM alerts {where} "
            "ORDER BY raised_at DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [alert_row(r) for r in cur.fetchall()]

    def record_outbox(self, samples: list[tuple[str, str, int]], minute: datetime) -> int:
        return hub_dashboard_tables.record_outbox(self.conn, samples, _iso(minute))

    def outbox_totals(self, since: datetime) -> list[tuple[str, int]]:
        return hub_dashboard_tables.outbox_totals(self.conn, _iso(since))

    def prune_outbox(self, before: datetime) -> int:
        return hub_dashboard_tables.prune_outbox(self.conn, _iso(before))

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
        row = (site, device, kind, request_id, operator, json.dumps(detail, ensure_ascii=False), _now())
        return hub_dashboard_tables.record_request(self.conn, row)

    def requests(self, limit: int = 50) -> list[dict[str, Any]]:
        return hub_dashboard_tables.requests(self.conn, limit)

    def alert_conditions(self) -> dict[tuple[str, str], datetime]:
        rows = self.conn.execute("SELECT device, rule, since FROM alert_conditions")
        return {(str(r[0]), str(r[1])): datetime.fromisoformat(r[2]) for r in rows}

    def track_conditions(
        self, begun: list[tuple[str, str]], ended: list[tuple[str, str]], at: datetime, rules: list[str]
    ) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO alert_conditions VALUES (?, ?, ?)",
                [(device, rule, _iso(at)) for device, rule in begun],
            )
            conn.executemany("DELETE FROM alert_conditions WHERE device = ? AND rule = ?", ended)
            marks = ", ".join("?" * len(rules))
            conn.execute(f"DELETE FROM alert_conditions WHERE rule NOT IN ({marks})", rules)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def tickets(self, state: str | None = None) -> list[dict[str, Any]]:
        return hub_tickets.list_tickets(self.conn, state=state)

    def resolve_ticket(self, ticket_id: str, text: str) -> None:
        hub_tickets.resolve(self.conn, ticket_id, text)

    def unsent_resolutions(self) -> list[tuple[str, str, bytes]]:
        return hub_tickets.unsent(self.conn)

    def mark_sent(self, message: bytes) -> None:
        hub_tickets.mark_sent(self.conn, message)

    def sessions(self) -> SessionStore:
        return hub_sessions.SqliteSessions(self.conn)


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def open_store(db: str | Path) -> CentralStore:
    """The store `--db` names: a postgresql:// URL, or else the path of the SQLite file."""
    if str(db).startswith(("postgresql://", "postgres://")):
        from central.hub_store_pg import PgHubStore  # psycopg is loaded only for a PostgreSQL hub

        return PgHubStore(str(db))
    return HubStore(db)
