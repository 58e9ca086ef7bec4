"""One scan end to end: check the code, decide inside one transaction, apply, return the outcome.

The device's own events (a door's report, a kiosk's tick) go the same way without the code check.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from device import crash_points
from device.apply import apply, queue_document
from device.documents.registry import Documents
from device.store import remote_inputs
from device.store.db import Store
from device.store.journal import Stamp
from device.store.queries import StoreQueries
from device.store.remote_inputs import RemoteInput
from device.store.sessions import load_session
from workflows import station
from workflows.context import Ctx, Policy, StationKind
from workflows.identify import masked
from workflows.inputs import BadCode, DeviceEvent, DoorReport, Input, Tick, Weighed, clean_code, parse_input
from workflows.machine import WorkflowError
from workflows.messages import Msg
from workflows.outcome import Feedback, Level, Light
from workflows.queries import Queries
from workflows.session import Outcome, Session, describe
from workflows.ticket_rules import with_tickets

log = logging.getLogger("pvz.engine")


@dataclass(frozen=True, slots=True)
class Result:
    """What one input did: the feedback to show, the session now open, new print jobs."""

    station: str
    text: str | None
    feedback: Feedback
    session: Session[Any, Any] | None
    jobs: list[int] = field(default_factory=list)
    changed: bool = False
    shown: str = ""  # the raw input made safe to print, for a refused code that has no text
    event: str = ""  # the device event it answers ("door 14 opened"), for the technician's log only
    duplicate: bool = False  # a remote station's retried input, answered as it was the first time

    @property
    def label(self) -> str:
        return self.text if self.text is not None else self.shown


def logged(result: Result) -> Result:
    """Log what the counter decided, for a technician (`pvz -v run`), never a customer's code in
    clear (workflows.identify.masked); return the result."""
    if log.isEnabledFor(logging.INFO):
        code = result.event or masked(result.label)
        session = result.session
        now = "idle" if session is None else f"{session.workflow.name}/{session.state.value}"
        feedback = result.feedback
        log.info(
            "station %s: %s -> %s %s (%s)", result.station, code, feedback.level.value, feedback.msg.key, now
        )
    return result


def printable(raw: bytes | str, limit: int = 64) -> str:
    """A raw code as a log or a screen can show it: escapes for anything unprintable."""
    text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return out + ("…" if len(text) > limit else "")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    """The synchronous core that the runtime, the demo, the simulator and the benchmark share."""

    def __init__(
        self,
        store: Store,
        *,
        device_id: str,
        pickup_key: bytes,
        docs: Documents,
        clock: Callable[[], datetime] = utc_now,
        policy: Policy | None = None,
        kinds: Mapping[str, StationKind] | None = None,
        default_kind: StationKind = "counter",
    ) -> None:
        self.store = store
        self.device_id = device_id
        self.pickup_key = pickup_key
        self.docs = docs
        self.clock = clock
        self.policy = policy or Policy()
        # Each station's kind ([[stations]] kind); a station not named has the device's role.
        self.kinds = dict(kinds or {})
        self.default_kind = default_kind

    def kind(self, station_name: str) -> StationKind:
        return self.kinds.get(station_name, self.default_kind)

    def handle(
        self, station_name: str, raw: bytes | str, *, keyed: bool = False, remote: RemoteInput | None = None
    ) -> Result:
        """Handle one raw code at a station; never raises for bad input or a failed decision.

        An input from a remote station (`remote`) is decided once: its id and answer are kept in the
        decision's transaction, and the same id again is answered from there (`duplicate`)."""
        try:
            text = clean_code(raw)
            inp = parse_input(text, keyed=keyed)
        except BadCode as exc:
            shown = printable(raw)
            session = self._shown_session(station_name)
            params = {"code": shown} if exc.reason == "unknown_command" else {}
            refused = Feedback(Level.ERROR, Msg(exc.reason, params))
            return logged(Result(station_name, None, refused, session, shown=shown))
        return self._decide(station_name, text, inp, remote)

    def handle_event(self, station_name: str, event: DeviceEvent) -> Result:
        """Handle the device's own news for a station (a door's report, a tick) as a scan is
        handled: one transaction, the same apply; never raises for a failed decision."""
        return self._decide(station_name, None, event)

    def _decide(
        self, station_name: str, text: str | None, inp: Input | DeviceEvent, remote: RemoteInput | None = None
    ) -> Result:
        """Decide one input or event inside one transaction and apply what it changes."""
        now = self.clock()
        kind = self.kind(station_name)
        event = "" if text is not None else event_label(inp)
        label = text if text is not None else event
        try:
            with self.store.transaction() as conn:
                if remote is not None:
                    known = remote_inputs.answered(conn, remote.id)
                    if known is not None:
                        feedback, jobs = known
                        session = load_session(conn, station_name)
                        return logged(Result(station_name, text, feedback, session, jobs, duplicate=True))
                # A kiosk has no clerk: its journal events name the station alone.
                clerk = None if kind == "kiosk" else station_clerk(conn, station_name)
                stamp = Stamp(self.device_id, now.isoformat(timespec="seconds"), station_name, clerk)
                ctx = Ctx(station_name, now, clerk, self.policy, kind)
                before = load_session(conn, station_name)
                q = StoreQueries(conn, pickup_key=self.pickup_key, now=now)
                outcome = with_tickets(_step(before, inp, q, ctx), ctx)
                changed = outcome.changes_store or outcome.session != before
                jobs = apply(conn, outcome, stamp, self.docs) if changed else []
                if remote is not None:
                    at = now.astimezone(UTC).isoformat(timespec="seconds")  # pruned by UTC age
                    remote_inputs.record(
                        conn, remote, station_name, feedback=outcome.feedback, jobs=jobs, at=at
                    )
                crash_points.reached("scan_tx")
        except (WorkflowError, sqlite3.Error, KeyError, ValueError) as exc:
            # The transaction rolled back: the store is as it was before this scan.
            log.exception(
                "station %s: scan %s failed and was rolled back: %s", station_name, masked(label), exc
            )
            failed = Feedback(Level.ERROR, Msg("internal_error"))
            return logged(Result(station_name, text, failed, self._shown_session(station_name), event=event))
        return logged(
            Result(station_name, text, outcome.feedback, outcome.session, jobs, changed, event=event)
        )

    def session(self, station_name: str) -> Session[Any, Any] | None:
        return load_session(self.store.conn, station_name)

    def describe(self, station_name: str) -> Msg | None:
        """The station's open session in words (what it is doing, what comes next); None when idle."""
        session = self._shown_session(station_name)
        if session is None:
            return None
        return describe(session, StoreQueries(self.store.conn, pickup_key=self.pickup_key, now=self.clock()))

    def _shown_session(self, station_name: str) -> Session[Any, Any] | None:
        """The session a refusal shows; one the store cannot give back shows as none."""
        try:
            return self.session(station_name)
        except WorkflowError:
            return None

    def sessions(self) -> dict[str, Session[Any, Any]]:
        """Every station's open session; one the store cannot give back is logged and left out."""
        rows = self.store.conn.execute("SELECT station FROM sessions ORDER BY station").fetchall()
        found = {}
        for row in rows:
            try:
                session = load_session(self.store.conn, row[0])
            except WorkflowError as exc:
                log.error("station %s: its stored session cannot be resumed: %s", row[0], exc)
                continue
            if session is not None:
                found[row[0]] = session
        return found

    def lit(self) -> list[dict[str, Light]]:
        """Every open session's lit cells, read alone (after each scan the rack is redrawn from them:
        decoding every station's whole session for it cost a counter more than the scan's own)."""
        rows = self.store.conn.execute("SELECT station, lights FROM sessions ORDER BY station").fetchall()
        found = []
        for station_name, lights in rows:
            try:
                found.append({address: Light(value) for address, value in json.loads(lights).items()})
            except ValueError as exc:
                log.error("station %s: its stored lights cannot be read: %s", station_name, exc)
        return found

    def queue_print(self, station_name: str, kind: str, data: dict[str, str] | None = None) -> int:
        """Queue one document (a command card, a reprint) without touching any session."""
        now = self.clock()
        with self.store.transaction() as conn:
            clerk = station_clerk(conn, station_name)
            stamp = Stamp(self.device_id, now.isoformat(timespec="seconds"), station_name, clerk)
            return queue_document(conn, self.docs, kind, data or {}, stamp)

    def clerk(self, station_name: str) -> str | None:
        return station_clerk(self.store.conn, station_name)


def _step(before: Session[Any, Any] | None, inp: Input | DeviceEvent, q: Queries, ctx: Ctx) -> Outcome:
    if isinstance(inp, DoorReport | Tick | Weighed):
        return station.handle_event(before, inp, q, ctx)
    return station.handle(before, inp, q, ctx)


def event_label(inp: Input | DeviceEvent) -> str:
    """A device event as the technician's log names it (a code's text is its own label)."""
    if isinstance(inp, DoorReport):
        return f"door {inp.door} {inp.event.value}"
    if isinstance(inp, Tick):
        return "tick"
    if isinstance(inp, Weighed):
        return f"scale {inp.fault or inp.grams}"
    return ""


def station_clerk(conn: sqlite3.Connection, station_name: str) -> str | None:
    row = conn.execute("SELECT badge FROM station_clerks WHERE station = ?", (station_name,)).fetchone()
    return None if row is None else str(row[0])
