"""The staged rollouts' plans in the central store, on SQLite and PostgreSQL alike.

A plan is what `pvz-central fleet rollout --stages …` asked for: the signed release, the sites,
the stages, the interval and the failure threshold, which devices have the release so far, and
its state. Every hub of a group reads it (central/rollout_widen.py); a step from stage k to k+1
is one conditional UPDATE (`WHERE stage = k AND state = 'running'`) in a transaction with its
history row, so when two hubs try the same step exactly one changes the row and publishes.
The SQL is written once with `?` placeholders; PostgreSQL's `%s` is put in by `PlanTable`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATES = ("running", "paused", "paused_failures", "done", "cancelled", "expired")
FINISHED = ("done", "cancelled", "expired")

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollout_plans (
    plan_id      TEXT PRIMARY KEY,
    package      TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    sites        TEXT NOT NULL,
    stages       TEXT NOT NULL,
    every_s      REAL NOT NULL,
    max_failures REAL NOT NULL,
    release      TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    published    INTEGER NOT NULL,
    state        TEXT NOT NULL,
    devices      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    stage_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollout_history (
    id           INTEGER PRIMARY KEY,
    plan_id      TEXT NOT NULL REFERENCES rollout_plans (plan_id),
    at           TEXT NOT NULL,
    event        TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    detail       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rollout_history_plan ON rollout_history (plan_id, id);
"""

_COLUMNS = (
    "plan_id, package, version, sha256, sites, stages, every_s, max_failures, release, stage, published, "
    "state, devices, created_at, stage_at"
)


class PlanExists(ValueError):
    """A plan of this id is already in the store."""


@dataclass(frozen=True, slots=True)
class Plan:
    """One staged rollout; `stage` indexes `stages` (percents), `devices` are "site/device" chosen
    so far, `published` the last stage whose devices all had the release published."""

    plan_id: str
    package: str
    version: str
    sha256: str
    sites: list[str]
    stages: list[float]
    every_s: float
    max_failures: float
    release: str
    stage: int
    published: int
    state: str
    devices: list[str]
    created_at: str
    stage_at: str

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class PlanTable:
    """The plans of one store's connection. `transaction` is the store's own (BEGIN IMMEDIATE on
    SQLite, a psycopg transaction on PostgreSQL); `guard` turns a lost connection into the
    store's HubStoreUnavailable."""

    def __init__(
        self,
        execute: Callable[[str, tuple[Any, ...]], Any],
        *,
        transaction: Callable[[], contextlib.AbstractContextManager[Any]],
        guard: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext,
        postgres: bool = False,
    ) -> None:
        self._execute = execute
        self._transaction = transaction
        self._guard = guard
        self._postgres = postgres

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self._execute(sql.replace("?", "%s") if self._postgres else sql, args)

    def add(self, plan: Plan, at: datetime) -> None:
        """A new plan, with its first stage as the first history row; PlanExists for a taken id."""
        with self._guard(), self._transaction():
            if self._run("SELECT 1 FROM rollout_plans WHERE plan_id = ?", (plan.plan_id,)).fetchone():
                raise PlanExists(plan.plan_id)
            row = _row(plan)
            self._run(f"INSERT INTO rollout_plans ({_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)
            self._history(plan.plan_id, at, "stage", plan.stage, {"devices": len(plan.devices)})

    def all(self) -> list[Plan]:
        """Every plan, the latest first."""
        with self._guard():
            rows = self._run(
                f"SELECT {_COLUMNS} FROM rollout_plans ORDER BY created_at DESC, plan_id"
            ).fetchall()
        return [_plan(r) for r in rows]

    def get(self, plan_id: str) -> Plan | None:
        with self._guard():
            row = self._run(f"SELECT {_COLUMNS} FROM rollout_plans WHERE plan_id = ?", (plan_id,)).fetchone()
        return None if row is None else _plan(row)

    def history(self, plan_id: str) -> list[dict[str, Any]]:
        """What happened to a plan, in the order it was written: at, event (stage, paused_failures, paused,
        resumed, cancelled, done, expired), the stage then, detail."""
        with self._guard():
            rows = self._run(
                "SELECT at, event, stage, detail FROM rollout_history WHERE plan_id = ? ORDER BY id",
                (plan_id,),
            ).fetchall()
        return [{"at": _iso(r[0]), "event": r[1], "stage": r[2], "detail": json.loads(r[3])} for r in rows]

    def step(self, plan: Plan, devices: list[str], at: datetime, *, state: str) -> bool:
        """Stage k → k+1 with these devices, if the plan still is at stage k and running: True for
        the one caller whose UPDATE changed the row (another hub may have stepped first)."""
        nxt = plan.stage + 1
        with self._guard(), self._transaction():
            cur = self._run(
                "UPDATE rollout_plans SET stage = ?, devices = ?, state = ?, stage_at = ? "
                "WHERE plan_id = ? AND stage = ? AND state = 'running'",
                (nxt, json.dumps(devices), state, _when(at), plan.plan_id, plan.stage),
            )
            if cur.rowcount != 1:
                return False
            self._history(plan.plan_id, at, "stage", nxt, {"devices": len(devices)})
            if state != "running":
                self._history(plan.plan_id, at, state, nxt, {})
        return True

    def mark_published(self, plan_id: str, stage: int) -> None:
        """Every device of `stage` has the release at the broker (a retained publish acknowledged)."""
        with self._guard():
            self._run(
                "UPDATE rollout_plans SET published = ? WHERE plan_id = ? AND published < ?",
                (stage, plan_id, stage),
            )

    def set_state(
        self,
        plan_id: str,
        before: tuple[str, ...],
        state: str,
        at: datetime,
        *,
        event: str | None = None,
        detail: dict[str, Any] | None = None,
        max_failures: float | None = None,
    ) -> bool:
        """The plan's state `before` → `state`, with a history row; False when it was in none of them."""
        marks = ", ".join("?" * len(before))
        with self._guard(), self._transaction():
            cur = self._run(
                f"UPDATE rollout_plans SET state = ?, max_failures = coalesce(?, max_failures) "
                f"WHERE plan_id = ? AND state IN ({marks})",
                (state, max_failures, plan_id, *before),
            )
            if cur.rowcount != 1:
                return False
            stage = self._run("SELECT stage FROM rollout_plans WHERE plan_id = ?", (plan_id,)).fetchone()[0]
            self._history(plan_id, at, event or state, int(stage), detail or {})
        return True

    def known(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every device's latest status as the hubs keep it, by (site, device): the devices a
        stage chooses from, and their reports on the release."""
        with self._guard():
            rows = self._run("SELECT site, device, body FROM device_status", ()).fetchall()
        return {(str(r[0]), str(r[1])): _object(r[2]) for r in rows}

    def _history(self, plan_id: str, at: datetime, event: str, stage: int, detail: dict[str, Any]) -> None:
        self._run(
            "INSERT INTO rollout_history (plan_id, at, event, stage, detail) VALUES (?, ?, ?, ?, ?)",
            (plan_id, _when(at), event, stage, json.dumps(detail)),
        )


def sqlite(conn: Any) -> PlanTable:
    """The plans of an autocommit sqlite3 connection (central/hub_store.py)."""
    return PlanTable(conn.execute, transaction=lambda: sqlite_transaction(conn.execute))


def postgres(
    conn: Callable[[], Any], guard: Callable[[], contextlib.AbstractContextManager[None]]
) -> PlanTable:
    """The plans of the PostgreSQL store (central/hub_store_pg.py): `conn` gives its connection
    of the moment (it is replaced after a drop), `guard` is its adapter of connection failures."""
    return PlanTable(
        lambda sql, args: conn().execute(sql, args),
        transaction=lambda: conn().transaction(),
        guard=guard,
        postgres=True,
    )


@contextlib.contextmanager
def sqlite_transaction(execute: Callable[[str], Any]) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT on an autocommit SQLite connection: one writer at a time."""
    execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        execute("ROLLBACK")
        raise
    execute("COMMIT")


def _when(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _iso(moment: datetime | str) -> str:
    """PostgreSQL's timestamptz as the ISO text SQLite keeps (UTC, whole seconds)."""
    return _when(moment) if isinstance(moment, datetime) else moment


def _row(plan: Plan) -> tuple[Any, ...]:
    return (
        plan.plan_id,
        plan.package,
        plan.version,
        plan.sha256,
        json.dumps(plan.sites),
        json.dumps(plan.stages),
        plan.every_s,
        plan.max_failures,
        plan.release,
        plan.stage,
        plan.published,
        plan.state,
        json.dumps(plan.devices),
        plan.created_at,
        plan.stage_at,
    )


def _plan(row: tuple[Any, ...]) -> Plan:
    return Plan(
        plan_id=row[0],
        package=row[1],
        version=row[2],
        sha256=row[3],
        sites=json.loads(row[4]),
        stages=[float(s) for s in json.loads(row[5])],
        every_s=float(row[6]),
        max_failures=float(row[7]),
        release=row[8],
        stage=int(row[9]),
        published=int(row[10]),
        state=row[11],
        devices=json.loads(row[12]),
        created_at=_iso(row[13]),
        stage_at=_iso(row[14]),
    )


def _object(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
