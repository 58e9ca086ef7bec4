"""The exception queue: a ticket opened where each exception happens, in the same transaction,
with the station's camera and evidence window, journalled as ticket_opened; the surplus label."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from device.engine import Engine
from device.store.db import Store
from device.store.journal import Stamp
from device.store.tickets import list_tickets, resolve_ticket
from drivers.document import Document
from drivers.printer.fit import paper_dots
from drivers.printer.sim_printer import SimPrinter
from tests.support.escpos_paper import zbar_codes
from tests.support.factory import DEVICE, new_engine, scan
from tests.support.stock import issue_order_22
from workflows.context import Evidence, Policy
from workflows.inputs import Command
from workflows.messages import Msg

BOX = "BOX00000001"
SURPLUS = "99999999-0001-1"
POLICY = Policy(evidence=Evidence(cameras={"s1": "cam-counter-1"}, before_s=120, after_s=60))


def tickets(store: Store) -> list[dict[str, object]]:
    return list_tickets(store.conn)


def opened_events(store: Store) -> list[dict[str, object]]:
    rows = store.conn.execute("SELECT parcel, data FROM journal WHERE kind = 'ticket_opened' ORDER BY seq")
    return [{"parcel": r[0], **json.loads(r[1])} for r in rows]


def test_a_surplus_barcode_opens_a_ticket_with_the_camera_and_window_and_prints_a_label(
    store: Store, tmp_path: Path
) -> None:
    engine = new_engine(store, policy=POLICY)
    scan(engine, BOX)
    r = scan(engine, SURPLUS)
    assert r.feedback.msg.key == "acc_surplus"
    assert r.feedback.details[-1] == Msg("tk_stick_label", {"count": 1})  # the clerk is told to stick it on
    [t] = tickets(store)
    assert t["kind"] == "unknown_barcode" and t["parcel"] == SURPLUS and t["state"] == "open"
    assert t["station"] == "s1" and t["clerk"] == "BADGE-0001" and t["camera"] == "cam-counter-1"
    assert t["detail"] == {"supply": "S1"}
    opened = datetime.fromisoformat(str(t["opened_at"]))
    assert (opened - datetime.fromisoformat(str(t["evidence_from"]))).total_seconds() == 120
    assert (datetime.fromisoformat(str(t["evidence_to"])) - opened).total_seconds() == 60
    assert opened.tzinfo == UTC and str(t["opened_at"]).endswith("+00:00")
    # One ticket_opened event, in the outbox with the parcel and the ticket's own id.
    [event] = opened_events(store)
    assert event["parcel"] == SURPLUS and event["ticket_id"] == t["ticket_id"] == f"{DEVICE}-T00001"
    assert event["camera"] == "cam-counter-1" and event["kind"] == "unknown_barcode"
    # The label: its Code128 on paper is the local barcode, which scans back to the parcel.
    job = store.conn.execute("SELECT document FROM print_jobs WHERE kind = 'ticket_label'").fetchone()
    label = Document.from_json(json.loads(job[0]))
    printer = SimPrinter(width=42)
    printer.print_document(label)
    local = "PVZT-00001"
    assert zbar_codes(printer.printed[-1].data, tmp_path, paper_dots=paper_dots(42)) == [f"CODE-128:{local}"]
    assert scan(engine, local).feedback.msg.key == "duplicate_scan"  # the same parcel as SURPLUS


def test_a_refused_scan_opens_no_ticket_and_a_station_without_camera_names_none(store: Store) -> None:
    engine = new_engine(store, policy=POLICY)
    scan(engine, BOX)
    scan(engine, "not a parcel", station="a")
    assert tickets(store) == []
    scan(engine, SURPLUS, station="a")
    scan(engine, Command.START_ACCEPTANCE, BOX, "88888888-0001-1", station="a")
    assert [t["camera"] for t in tickets(store)] == [None]


def test_a_parcel_marked_damaged_at_acceptance_opens_a_damaged_ticket(engine: Engine, store: Store) -> None:
    scan(engine, BOX, Command.DAMAGED, "11111111-0001-1")
    [t] = tickets(store)
    assert (t["kind"], t["parcel"], t["order_id"]) == ("damaged", "11111111-0001-1", "11111111")


def test_a_refusal_at_issue_opens_a_refused_ticket_with_its_order(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    scan(stocked, "22222222-0001-1", Command.REFUSE_ITEM, "22222222-0002-1", Command.DONE)
    [t] = [t for t in tickets(store) if t["kind"] == "refused"]
    assert (t["parcel"], t["order_id"]) == ("22222222-0002-1", "22222222")


def test_a_parcel_the_count_did_not_find_opens_a_not_found_ticket(stocked: Engine, store: Store) -> None:
    scan(stocked, Command.START_INVENTORY, "C-A-01-1", Command.DONE)
    found = [(t["kind"], t["parcel"], t["detail"]) for t in tickets(store)]
    assert found == [("not_found", "11111111-0001-1", {"cell": "A-01-1"})]


def test_a_resolution_is_recorded_once_and_journalled(stocked: Engine, store: Store) -> None:
    issue_order_22(stocked)
    scan(stocked, Command.START_INVENTORY, "C-A-01-1", Command.DONE)
    [t] = tickets(store)
    stamp = Stamp(DEVICE, "2026-11-21T10:00:00+00:00")
    with store.transaction() as conn:
        assert resolve_ticket(conn, stamp, str(t["ticket_id"]), "Found in the back room")
        assert not resolve_ticket(conn, stamp, str(t["ticket_id"]), "again")
        assert not resolve_ticket(conn, stamp, "nope", "x")
    [t] = tickets(store)
    assert (t["state"], t["resolution"], t["resolved_at"]) == (
        "resolved",
        "Found in the back room",
        "2026-11-21T10:00:00+00:00",
    )
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'ticket_resolved'") == 1


def test_a_clerks_note_opens_a_note_ticket_and_leaves_the_session_as_it_was(
    stocked: Engine, store: Store
) -> None:
    r = scan(stocked, Command.NOTE_OTHER)
    assert r.feedback.msg.key == "tk_note_kept" and r.session is None
    scan(stocked, "22222222*222222", keyed=True)
    before = stocked.session("s1")
    r = scan(stocked, Command.NOTE_COMPLAINT)
    assert r.feedback.msg.key == "tk_note_kept" and stocked.session("s1") == before
    found = [(t["kind"], t["order_id"], t["detail"]) for t in tickets(store)]
    assert found == [
        ("note", None, {"note": "other"}),
        ("note", "22222222", {"note": "customer_complaint"}),
    ]
    r = scan(stocked, Command.NOTE_NOT_FOUND)
    assert r.feedback.msg.key == "tk_note_kept" and stocked.session("s1") == before
    last = tickets(store)[-1]
    assert (last["kind"], last["order_id"], last["detail"]) == (
        "not_found",
        "22222222",
        {"note": "not_found_at_issue"},
    )
    # Nobody signed in: a note is refused like any other scan, and nothing is opened.
    assert scan(stocked, Command.NOTE_OTHER, station="z").feedback.msg.key == "sign_in_first"
    assert len(tickets(store)) == 3


def test_the_camera_and_the_evidence_window_come_from_config() -> None:
    from device.config import parse_config
    from device.exc import ConfigError
    from device.wiring import policy
    from tests.test_config import MINIMAL

    text = MINIMAL + 'camera = "cam-01"\n[tickets]\nevidence_before_s = 300\nevidence_after_s = 30\n'
    evidence = policy(parse_config(text, source="c.toml")).evidence
    assert evidence == Evidence(cameras={"counter-1": "cam-01"}, before_s=300, after_s=30)
    assert policy(parse_config(MINIMAL, source="c.toml")).evidence == Evidence(before_s=120, after_s=60)
    for bad, reason, path in (
        ("[tickets]\nevidence_after_s = 7200\n", "out_of_range", "$.tickets.evidence_after_s"),
        ("[tickets]\nbefore_s = 1\n", "unknown_field", "$.tickets.before_s"),
    ):
        with pytest.raises(ConfigError) as caught:
            parse_config(MINIMAL + bad, source="c.toml")
        assert (caught.value.reason, caught.value.path) == (reason, path)


def test_a_resolution_for_no_ticket_or_with_bad_text_is_rejected_and_changes_nothing(
    stocked: Engine, store: Store
) -> None:
    from sync.inbox import apply_message

    scan(stocked, Command.NOTE_OTHER)
    stamp = Stamp(DEVICE, "2026-11-21T10:00:00+00:00")

    def send(mid: str, body: dict[str, object]) -> tuple[str, str | None, str | None]:
        raw = json.dumps({"id": mid, "type": "ticket_resolution", "version": 1, "body": body}).encode()
        r = apply_message(store, raw, stamp=stamp, topic="pvz/v1/s/d/manifest")
        return r.outcome, r.code, r.path

    ticket = f"{DEVICE}-T00001"
    assert send("r1", {"ticket": "nope", "text": "x"}) == ("rejected", "unknown_reference", "$.body.ticket")
    assert send("r2", {"ticket": ticket, "text": "line\nbreak"}) == ("rejected", "bad_format", "$.body.text")
    assert send("r3", {"ticket": ticket, "text": ""}) == ("rejected", "too_short", "$.body.text")
    assert send("r4", {"ticket": ticket, "text": "ok", "who": 1}) == (
        "rejected",
        "unknown_field",
        "$.body.who",
    )
    assert [t["state"] for t in tickets(store)] == ["open"]
    assert send("r5", {"ticket": ticket, "text": "Списано"}) == ("applied", None, None)
    assert send("r6", {"ticket": ticket, "text": "Ещё раз"}) == ("stale", None, None)
    assert [(t["state"], t["resolution"]) for t in tickets(store)] == [("resolved", "Списано")]
