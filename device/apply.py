"""Applying a workflow's outcome inside the scan's transaction: rows, journal, print jobs, session."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from itertools import groupby
from typing import Any

from device.documents.registry import Documents
from device.store.clock import utc_text
from device.store.doors import record_open
from device.store.journal import Stamp, append
from device.store.outbound import bag_to, collected
from device.store.parcels import move_parcels
from device.store.sessions import save_session
from device.store.tickets import open_ticket
from workflows.machine import WorkflowError
from workflows.outcome import (
    BagTo,
    CloseShift,
    CountCodes,
    CourierCollected,
    DropoffTo,
    Effect,
    KeepReport,
    KioskCodes,
    MarkDamaged,
    Move,
    NewDropoffSurplus,
    NewReturn,
    NewSend,
    NewSurplus,
    Note,
    OpenDoor,
    OpenShift,
    PackageTo,
    SignIn,
    SignOut,
    SupplyTo,
    UseReturnRequest,
)
from workflows.session import Outcome
from workflows.tickets import OpenTicket


class ApplyError(WorkflowError, RuntimeError):
    """An outcome does not fit the store (a bug, or a store edited under us): rolled back."""


def apply(conn: sqlite3.Connection, outcome: Outcome, stamp: Stamp, docs: Documents) -> list[int]:
    """Write every effect, the print jobs and the station's session; return new print job ids.

    Runs inside the caller's transaction, so any exception leaves the store untouched.
    """
    labels: list[int] = []
    # A run of moves (a supply closed with its missing parcels) goes to the writer as one batch.
    for moves, run in groupby(outcome.effects, key=lambda effect: isinstance(effect, Move)):
        if moves:
            move_parcels(conn, stamp, [_move(m) for m in run if isinstance(m, Move)])
            continue
        for effect in run:
            if isinstance(effect, OpenTicket):
                labels += _ticket(conn, effect, stamp, docs)
            elif isinstance(effect, NewDropoffSurplus | DropoffTo):
                _dropoff(conn, effect, stamp)
            else:
                _effect(conn, effect, stamp)
    jobs = [queue_document(conn, docs, req.kind, req.data, stamp) for req in outcome.prints]
    jobs += labels
    assert stamp.station is not None
    save_session(conn, stamp.station, outcome.session, stamp)
    return jobs


def queue_document(
    conn: sqlite3.Connection, docs: Documents, kind: str, data: Mapping[str, Any], stamp: Stamp
) -> int:
    """Build a document from the store as it is now and put it in the persistent print queue."""
    doc = docs.build(kind, data, conn, stamp)
    cur = conn.execute(
        "INSERT INTO print_jobs (station, kind, document, state, created_at, lang) "
        "VALUES (?, ?, ?, 'queued', ?, ?)",
        (stamp.station, doc.kind, json.dumps(doc.to_json(), ensure_ascii=False), stamp.ts, docs.lang),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _ticket(conn: sqlite3.Connection, effect: OpenTicket, stamp: Stamp, docs: Documents) -> list[int]:
    """Open the ticket; a surplus barcode's also gets its local label printed to stick on."""
    ticket_id = open_ticket(conn, stamp, effect)
    if not effect.label:
        return []
    return [queue_document(conn, docs, "ticket_label", {"ticket": ticket_id}, stamp)]


def _effect(conn: sqlite3.Connection, effect: Effect, stamp: Stamp) -> None:
    """Any effect but a move: apply hands those to the parcel writer."""
    match effect:
        case MarkDamaged(parcel=barcode):
            cur = conn.execute(
                "UPDATE parcels SET damaged = 1, updated_at = ? WHERE barcode = ?", (stamp.ts, barcode)
            )
            _one(cur, "parcel", barcode)
            state = conn.execute("SELECT state FROM parcels WHERE barcode = ?", (barcode,)).fetchone()[0]
            append(conn, stamp, "damaged", parcel=barcode, from_state=state, to_state=state)
        case NewSurplus(barcode=barcode, supply_id=supply):
            conn.execute(
                "INSERT INTO parcels (barcode, supply_id, state, surplus, updated_at) VALUES (?, ?, 'accepted', 1, ?)",
                (barcode, supply, stamp.ts),
            )
            append(conn, stamp, "surplus", parcel=barcode, to_state="accepted", data={"supply": supply})
        case PackageTo(barcode=barcode, state=state):
            old = conn.execute("SELECT state FROM packages WHERE barcode = ?", (barcode,)).fetchone()
            if old is None:
                raise ApplyError(f"no package {barcode}")
            conn.execute("UPDATE packages SET state = ? WHERE barcode = ?", (state, barcode))
            append(
                conn, stamp, f"package_{state}", from_state=old[0], to_state=state, data={"package": barcode}
            )
        case SupplyTo(supply_id=supply, status=status):
            old = conn.execute("SELECT status FROM supplies WHERE id = ?", (supply,)).fetchone()
            if old is None:
                raise ApplyError(f"no supply {supply}")
            closed_at = stamp.ts if status == "closed" else None
            conn.execute(
                "UPDATE supplies SET status = ?, closed_at = ? WHERE id = ?", (status, closed_at, supply)
            )
            append(
                conn, stamp, f"supply_{status}", from_state=old[0], to_state=status, data={"supply": supply}
            )
        case Note(kind=kind, data=data, parcel=parcel):
            append(conn, stamp, kind, parcel=parcel, data=data)
        case CountCodes():
            _count_codes(conn, effect, stamp)
        case KioskCodes():
            _kiosk_codes(conn, effect, stamp)
        case OpenDoor():
            command = record_open(conn, effect, stamp)
            data = {"command": command, "door": effect.door, "purpose": effect.purpose, "order": effect.order}
            append(conn, stamp, "door_commanded", cell=effect.cell, data=data)
        case NewReturn():
            _new_return(conn, effect, stamp)
        case NewSend():
            _new_send(conn, effect, stamp)
        case SignIn(badge=badge) | SignOut(badge=badge) | OpenShift(badge=badge) | CloseShift(badge=badge):
            _clerk(conn, effect, badge, stamp)
        case BagTo():
            bag_to(conn, effect, stamp)
        case CourierCollected():
            collected(conn, effect, stamp)
        case UseReturnRequest(request_id=rid):
            cur = conn.execute(
                "UPDATE return_requests SET used_by = ? WHERE id = ? AND used_by IS NULL", (stamp.ts, rid)
            )
            _one(cur, "unused return request", rid)
        case KeepReport(started_at=started, data=data):
            conn.execute(
                "INSERT INTO inventory_reports (station, clerk, started_at, finished_at, data) VALUES (?, ?, ?, ?, ?)",
                (stamp.station, stamp.clerk, started, stamp.ts, json.dumps(dict(data), ensure_ascii=False)),
            )
            append(
                conn,
                stamp,
                "inventory_report",
                data={k: len(v) for k, v in data.items() if isinstance(v, list)},
            )


def _dropoff(conn: sqlite3.Connection, effect: NewDropoffSurplus | DropoffTo, stamp: Stamp) -> None:
    """A seller's drop-off: a shipment not on its list taken in, or the list's status."""
    match effect:
        case NewDropoffSurplus(barcode=barcode, dropoff=dropoff):
            conn.execute(
                "INSERT INTO parcels (barcode, kind, state, surplus, dropoff, updated_at) "
                "VALUES (?, 'dropoff', 'outbound', 1, ?, ?)",
                (barcode, dropoff, stamp.ts),
            )
            append(
                conn, stamp, "dropoff_surplus", parcel=barcode, to_state="outbound", data={"dropoff": dropoff}
            )
        case DropoffTo(dropoff=dropoff, status=status):
            old = conn.execute("SELECT status FROM dropoffs WHERE id = ?", (dropoff,)).fetchone()
            if old is None:
                raise ApplyError(f"no drop-off {dropoff}")
            closed_at = stamp.ts if status == "closed" else None
            conn.execute(
                "UPDATE dropoffs SET status = ?, closed_at = ? WHERE id = ?", (status, closed_at, dropoff)
            )
            append(
                conn,
                stamp,
                f"dropoff_{status}",
                from_state=old[0],
                to_state=status,
                data={"dropoff": dropoff},
            )


def _new_return(conn: sqlite3.Connection, effect: NewReturn, stamp: Stamp) -> None:
    """A customer return: a parcel of its own that enters at accepted."""
    conn.execute(
        "INSERT INTO parcels (barcode, kind, order_id, size, state, returned_from, updated_at) "
        "VALUES (?, 'customer_return', ?, ?, 'accepted', ?, ?)",
        (effect.barcode, effect.order_id, effect.size, ",".join(effect.returned_from), stamp.ts),
    )
    data = {"order": effect.order_id, "returned_from": list(effect.returned_from), **effect.data}
    append(conn, stamp, "customer_return", parcel=effect.barcode, to_state="accepted", data=data)


def _new_send(conn: sqlite3.Connection, effect: NewSend, stamp: Stamp) -> None:
    """A customer's send enters at outbound with what the counter weighed and measured."""
    length, width, height = effect.sides_mm
    conn.execute(
        "INSERT INTO parcels (barcode, kind, size, state, weight_g, length_mm, width_mm, height_mm, "
        "updated_at) VALUES (?, 'send', ?, 'outbound', ?, ?, ?, ?, ?)",
        (effect.barcode, effect.size, effect.weight_g, length, width, height, stamp.ts),
    )
    # No sender in the journal (the outbox to the hub): central signed the QR and knows who sent it;
    # the label and receipt print the masked name, and the purge never has to chase it here.
    data: dict[str, object] = {"to": effect.to_point, "weight_g": effect.weight_g}
    data["sides_mm"] = list(effect.sides_mm)
    append(conn, stamp, "send_accepted", parcel=effect.barcode, to_state="outbound", data=data)


def _count_codes(conn: sqlite3.Connection, effect: CountCodes, stamp: Stamp) -> None:
    """A station's run of wrong codes: cleared, counted, or counted with a pause starting now."""
    if effect.failures == 0:
        conn.execute("DELETE FROM wrong_codes WHERE station = ?", (stamp.station,))
        return
    now = utc_text(datetime.fromisoformat(stamp.ts))
    paused_at = now if effect.pause_s > 0 else None
    conn.execute(
        "INSERT INTO wrong_codes (station, failures, last_at, paused_at, pause_s) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (station) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, "
        "paused_at = coalesce(excluded.paused_at, wrong_codes.paused_at), "
        "pause_s = CASE WHEN excluded.paused_at IS NULL THEN wrong_codes.pause_s ELSE excluded.pause_s END",
        (stamp.station, effect.failures, now, paused_at, effect.pause_s),
    )


def _kiosk_codes(conn: sqlite3.Connection, effect: KioskCodes, stamp: Stamp) -> None:
    """A kiosk's run and lock level. A right code never lowers the level nor moves `last_at`,
    so the quiet hours that forget the level count from the last wrong code."""
    now = utc_text(datetime.fromisoformat(stamp.ts))
    paused_at = now if effect.lock_s > 0 else None
    conn.execute(
        "INSERT INTO wrong_codes (station, failures, locks, last_at, paused_at, pause_s) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (station) DO UPDATE SET failures = excluded.failures, "
        "locks = excluded.locks, last_at = CASE WHEN ? THEN excluded.last_at ELSE wrong_codes.last_at END, "
        "paused_at = coalesce(excluded.paused_at, wrong_codes.paused_at), "
        "pause_s = CASE WHEN excluded.paused_at IS NULL THEN wrong_codes.pause_s ELSE excluded.pause_s END",
        (stamp.station, effect.failures, effect.locks, now, paused_at, effect.lock_s, effect.wrong),
    )


def _clerk(conn: sqlite3.Connection, effect: Effect, badge: str, stamp: Stamp) -> None:
    """Sign-in and shifts: which clerk works at which station, recorded in the journal."""
    station = stamp.station
    match effect:
        case SignIn():
            conn.execute(
                "INSERT INTO station_clerks (station, badge, signed_in_at) VALUES (?, ?, ?) ON CONFLICT (station) "
                "DO UPDATE SET badge = excluded.badge, signed_in_at = excluded.signed_in_at",
                (station, badge, stamp.ts),
            )
            kind = "signed_in"
        case SignOut():
            conn.execute("DELETE FROM station_clerks WHERE station = ? AND badge = ?", (station, badge))
            kind = "signed_out"
        case OpenShift():
            conn.execute(
                "INSERT INTO shifts (badge, station, opened_at) VALUES (?, ?, ?)", (badge, station, stamp.ts)
            )
            kind = "shift_opened"
        case CloseShift():
            cur = conn.execute(
                "UPDATE shifts SET closed_at = ? WHERE badge = ? AND closed_at IS NULL", (stamp.ts, badge)
            )
            _one(cur, "open shift of", badge)
            kind = "shift_closed"
        case _:
            raise ApplyError(f"not a clerk effect: {effect!r}")
    append(conn, Stamp(stamp.device_id, stamp.ts, station, badge), kind, data={"badge": badge})


def _move(move: Move) -> Move:
    """A workflow's move for the writer: its event also names the return reason and the bag."""
    data = dict(move.data)
    if move.reason:
        data["reason"] = move.reason
    if move.bag:
        data["bag"] = move.bag
    return replace(move, data=data)


def _one(cur: sqlite3.Cursor, what: str, key: str) -> None:
    if cur.rowcount != 1:
        raise ApplyError(f"no {what} {key}")
