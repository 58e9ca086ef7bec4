"""The inbox on a real store: applied once, versions, cancellations, rotated codes, every rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from device.cli.main import main
from device.engine import Engine
from device.intake.manifest import import_manifest, load_manifest_file
from device.store.codes import code_hmac
from device.store.db import Store
from device.store.journal import Stamp
from sync.inbox import InboxResult, apply_message, wrap
from sync.topics import Topics
from tests.support.factory import DEVICE, KEY, M, P, StepClock, dump, new_store, scan, state
from workflows.inputs import Command
from workflows.outcome import Level

TOPIC = Topics("test-site", DEVICE).manifest
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # the stamp of every message: tests.support.stock's TODAY
# Tables a rejected, stale or duplicate message may touch: its record and the counters.
BOOKKEEPING = ("inbox_messages", "sync_counters")


def supply(manifest: M, *, mid: str, version: int | None = None) -> bytes:
    body = json.dumps(manifest.to_json(), ensure_ascii=False).encode()
    return wrap("supply", body, message_id=mid, version=version or manifest.version)


def updates(*items: dict[str, Any], mid: str, version: int) -> bytes:
    body = {"version": 1, "updates": list(items)}
    return json.dumps({"id": mid, "type": "updates", "version": version, "body": body}).encode()


def put(store: Store, raw: bytes, at: datetime = NOW, topic: str = TOPIC) -> InboxResult:
    return apply_message(store, raw, stamp=Stamp(DEVICE, at.isoformat()), topic=topic)


def domain(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the inbox's own bookkeeping."""
    return {t: rows for t, rows in dump(store).items() if t not in BOOKKEEPING}


def counter(store: Store, name: str) -> int:
    return int(store.scalar("SELECT coalesce(max(value), 0) FROM sync_counters WHERE name = ?", (name,)))


def inbox_row(store: Store, mid: str) -> tuple[Any, ...] | None:
    row = store.conn.execute(
        "SELECT kind, version, outcome, reason FROM inbox_messages WHERE id = ?", (mid,)
    ).fetchone()
    return None if row is None else tuple(row)


def s9(version: int = 1, *barcodes: str) -> M:
    return M("S9", [P(b, "99999999") for b in barcodes or ("99999999-0001-1",)], version=version)


GOOD = json.loads(updates({"type": "cancel_order", "order": "22222222"}, mid="m-ok", version=1))


# -- applied once; versions ---------------------------------------------------------------------


def test_a_supply_delivered_twice_is_applied_once(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    first = put(store, supply(s9(), mid="msg-1"))
    assert (first.outcome, first.id, first.counts) == (
        "applied",
        "msg-1",
        {"parcels": 1, "packages": 0, "orders": 1},
    )
    assert state(store, "99999999-0001-1") == ("expected", None)
    before = domain(store)
    again = put(store, supply(s9(), mid="msg-1"))
    assert (again.outcome, again.reason) == ("duplicate", "already applied")
    assert domain(store) == before
    assert inbox_row(store, "msg-1") == ("supply", 1, "applied", None)
    assert store.scalar("SELECT version FROM document_versions WHERE key = 'supply:S9'") == 1
    assert (counter(store, "inbox_applied"), counter(store, "inbox_duplicate:manifest")) == (1, 1)


def test_out_of_order_versions_never_overwrite_the_newer(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    assert put(store, supply(s9(2, "99999999-0002-1"), mid="v2")).outcome == "applied"
    before = domain(store)
    late = put(store, supply(s9(1, "99999999-0001-1"), mid="v1"))
    assert late.outcome == "stale" and "version 2 is here" in str(late.reason)
    assert domain(store) == before
    assert store.scalar("SELECT count(*) FROM parcels WHERE barcode = '99999999-0001-1'") == 0
    assert inbox_row(store, "v1") == ("supply", 1, "stale", late.reason)
    # the same version under a new id is stale too; a newer one replaces the open supply
    assert put(store, supply(s9(2, "99999999-0003-1"), mid="v2-again")).outcome == "stale"
    assert put(store, supply(s9(3, "99999999-0003-1"), mid="v3")).outcome == "applied"
    assert [r[0] for r in store.conn.execute("SELECT barcode FROM parcels WHERE supply_id = 'S9'")] == [
        "99999999-0003-1"
    ]
    assert store.scalar("SELECT version FROM document_versions WHERE key = 'supply:S9'") == 3


def test_a_supply_imported_from_a_file_counts_as_its_version(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day  # S1 was imported with `import_manifest` (version 1), then accepted
    m = M("S1", [P("11111111-0001-1", "11111111")])
    assert put(store, supply(m, mid="s1-v1")).outcome == "stale"
    m.version = 2
    before = domain(store)
    late = put(store, supply(m, mid="s1-v2"))
    # version 2 leaves out parcels the counter has accepted: it cannot take them back
    assert (late.outcome, late.code, late.path) == ("rejected", "acceptance_started", "$.body.parcels")
    assert domain(store) == before


def test_updates_are_versioned_per_parcel_order_and_badge(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    new = {"type": "deadline", "parcel": "44444444-0001-1", "deadline": "2026-12-05"}
    old = {**new, "deadline": "2026-12-01"}
    assert put(store, updates(new, mid="d5", version=5)).outcome == "applied"
    late = put(store, updates(old, mid="d4", version=4))
    assert (late.outcome, late.counts["stale"]) == ("stale", 1)
    assert store.scalar("SELECT deadline FROM parcels WHERE barcode = '44444444-0001-1'") == "2026-12-05"
    off = {"type": "clerk", "badge": "BADGE-0002", "name": "Олег В.", "active": False}
    assert put(store, updates(off, mid="c7", version=7)).outcome == "applied"
    assert put(store, updates({**off, "active": True}, mid="c6", version=6)).outcome == "stale"
    assert store.scalar("SELECT active FROM clerks WHERE badge = 'BADGE-0002'") == 0
    # a batch with one stale and one fresh update applies the fresh one only
    mixed = put(store, updates(old, {**new, "parcel": "33333333-0001-1"}, mid="mix", version=5))
    assert (mixed.outcome, mixed.counts["stale"], mixed.counts["deadlines"]) == ("applied", 1, 1)
    keys = dict(store.conn.execute("SELECT key, version FROM document_versions").fetchall())
    assert keys == {"parcel:44444444-0001-1": 5, "clerk:BADGE-0002": 7, "parcel:33333333-0001-1": 5}


# -- cancellations ------------------------------------------------------------------------------


def test_a_cancelled_order_goes_back_to_the_sender_and_is_never_issued(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day  # order 22222222: one parcel accepted (no cell), one stored in A-03-1
    r = put(store, updates({"type": "cancel_order", "order": "22222222"}, mid="x1", version=1))
    assert (r.outcome, r.counts["cancelled"], r.counts["to_return"]) == ("applied", 1, 2)
    assert state(store, "22222222-0002-1") == ("to_return", "A-03-1")  # keeps its cell until picked
    assert state(store, "22222222-0001-1") == ("to_return", None)
    reasons = store.conn.execute("SELECT DISTINCT return_reason FROM parcels WHERE order_id = '22222222'")
    assert [x[0] for x in reasons] == ["cancelled"]
    assert store.scalar("SELECT cancelled_at FROM orders WHERE id = '22222222'") == NOW.isoformat()
    events = store.conn.execute(
        "SELECT kind, parcel, from_state, to_state, cell, data FROM journal "
        "WHERE kind IN ('cancelled', 'order_cancelled') ORDER BY seq"
    ).fetchall()
    assert [tuple(e)[:5] for e in events] == [
        ("cancelled", "22222222-0001-1", "accepted", "to_return", None),
        ("cancelled", "22222222-0002-1", "stored", "to_return", "A-03-1"),
        ("order_cancelled", None, None, None, None),
    ]
    assert json.loads(events[2]["data"]) == {
        "order": "22222222",
        "to_return": ["22222222-0001-1", "22222222-0002-1"],
        "expected": [],
    }
    for code in ("22222222", "222222", "PVZQR:qr-token-22"):
        res = scan(engine, code, keyed=code.isdigit())
        assert res.feedback.msg.key == "iss_order_cancelled", code
        assert res.feedback.msg.render("en") == (
            "Order 22222222 was cancelled: do not hand it over, its parcels go back to the sender"
        )
    # cancelled again (a new message): nothing left to move, nothing changes
    before = domain(store)
    again = put(store, updates({"type": "cancel_order", "order": "22222222"}, mid="x2", version=1))
    assert (again.outcome, again.counts["unchanged"]) == ("applied", 1)
    assert domain(store) == before


def test_expected_parcels_of_a_cancelled_order_stay_expected_and_go_back_when_they_arrive(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day  # supply S2 not accepted yet: 55555555-0001-1 is expected
    put(store, updates({"type": "cancel_order", "order": "55555555"}, mid="x1", version=1))
    assert state(store, "55555555-0001-1") == ("expected", None)
    event = store.scalar("SELECT data FROM journal WHERE kind = 'order_cancelled'")
    assert json.loads(event)["expected"] == ["55555555-0001-1"]
    # It still arrives with the carrier: counted as arrived (not a surplus), and due back at once.
    arrived = scan(engine, "S2", "55555555-0001-1")
    assert (arrived.feedback.level, arrived.feedback.msg.key) == (Level.WARN, "acc_cancelled_to_cell")
    assert state(store, "55555555-0001-1") == ("to_return", None)
    assert scan(engine, "C-R-01-1").feedback.msg.key == "acc_set_aside_done"
    assert scan(engine, Command.DONE).feedback.msg.key == "acc_closed"
    assert state(store, "55555555-0001-1") == ("to_return", "R-01-1")
    assert scan(engine, "55555555", keyed=True).feedback.msg.key == "iss_order_cancelled"
    # central says it once more: nothing left to move
    again = put(store, updates({"type": "cancel_order", "order": "55555555"}, mid="x2", version=2))
    assert again.counts.get("to_return", 0) == 0
    assert state(store, "55555555-0001-1") == ("to_return", "R-01-1")


def test_a_cancellation_during_an_issue_refuses_the_next_scan(deadline_day: tuple[Store, Engine]) -> None:
    store, engine = deadline_day
    assert scan(engine, "44444444*4444", keyed=True).feedback.msg.key == "iss_found"
    assert store.scalar("SELECT station FROM claims WHERE key = 'order:44444444'") == "s1"
    put(store, updates({"type": "cancel_order", "order": "44444444"}, mid="x1", version=1))
    assert state(store, "44444444-0001-1") == ("to_return", "B-01-1")
    refused = scan(engine, "44444444-0001-1")
    assert refused.feedback.msg.key == "iss_order_cancelled_now" and not refused.changed
    assert scan(engine, Command.DONE).feedback.msg.key == "iss_order_cancelled_now"
    assert scan(engine, Command.CANCEL).session is None
    assert state(store, "44444444-0001-1") == ("to_return", "B-01-1")
    assert (
        store.scalar("SELECT count(*) FROM journal WHERE kind = 'issued' AND parcel = '44444444-0001-1'") == 0
    )
    assert store.scalar("SELECT count(*) FROM claims") == 0


def test_a_late_cancellation_still_cancels(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    code = {"type": "pickup_code", "order": "33333333", "pickup_code_hmac": code_hmac(KEY, "5555")}
    put(store, updates(code, mid="p9", version=9))
    r = put(store, updates({"type": "cancel_order", "order": "33333333"}, mid="x3", version=3))
    assert (r.outcome, r.counts["to_return"]) == ("applied", 1)
    assert store.scalar("SELECT version FROM document_versions WHERE key = 'order:33333333'") == 9


def test_an_unknown_order_rejects_the_whole_batch(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    before = domain(store)
    deadline = {"type": "deadline", "parcel": "44444444-0001-1", "deadline": "2026-12-05"}
    r = put(store, updates(deadline, {"type": "cancel_order", "order": "00000000"}, mid="bad", version=1))
    assert (r.outcome, r.code, r.path) == ("rejected", "unknown_reference", "$.body.updates[1].order")
    assert r.reason == "unknown_reference $.body.updates[1].order: unknown order '00000000'"
    assert domain(store) == before  # the deadline before it was rolled back too
    assert inbox_row(store, "bad") == ("updates", 1, "rejected", r.reason)


# -- rotated pickup codes -----------------------------------------------------------------------


def at(engine: Engine, moment: datetime) -> None:
    assert isinstance(engine.clock, StepClock)
    engine.clock.now = moment


def finds(engine: Engine, code: str) -> str:
    key = scan(engine, code, keyed=True).feedback.msg.key
    if key in ("iss_found", "iss_found_part"):
        scan(engine, Command.CANCEL)
    return key


def test_the_old_pickup_code_works_within_the_grace_window_only(deadline_day: tuple[Store, Engine]) -> None:
    store, engine = deadline_day
    code = {"type": "pickup_code", "order": "33333333", "pickup_code_hmac": code_hmac(KEY, "5555")}
    assert put(store, updates({**code, "grace_hours": 24}, mid="p1", version=1)).counts["codes"] == 1
    row = store.conn.execute(
        "SELECT pickup_code_hmac, prev_pickup_code_hmac, prev_valid_until FROM orders WHERE id = '33333333'"
    ).fetchone()
    assert tuple(row) == (code_hmac(KEY, "5555"), code_hmac(KEY, "3333"), "2026-11-26T06:00:00+00:00")
    at(engine, NOW + timedelta(hours=23))
    assert [finds(engine, c) for c in ("5555", "3333", "33333333*3333", "33333333*5555")] == ["iss_found"] * 4
    at(engine, NOW + timedelta(hours=24))  # the window has ended (the clock ticks a second per scan)
    assert [finds(engine, c) for c in ("3333", "33333333*3333")] == ["iss_wrong_code"] * 2
    assert [finds(engine, c) for c in ("5555", "33333333*5555")] == ["iss_found"] * 2
    # the same code again changes nothing; an older rotation arriving late is stale
    before = domain(store)
    assert put(store, updates(code, mid="p1-again", version=2)).counts["unchanged"] == 1
    before["document_versions"] = [("order:33333333", 2)]  # only central's version moved on
    assert domain(store) == before
    old = {**code, "pickup_code_hmac": code_hmac(KEY, "7777")}
    assert put(store, updates(old, mid="p0", version=1)).outcome == "stale"
    assert finds(engine, "7777") == "iss_wrong_code"


def test_no_grace_invalidates_the_old_code_at_once_and_the_qr_token_follows_the_update(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day
    at(engine, NOW)
    code = {"type": "pickup_code", "order": "22222222", "pickup_code_hmac": code_hmac(KEY, "808080")}
    put(store, updates({**code, "grace_hours": 0}, mid="p1", version=1))
    assert finds(engine, "222222") == "iss_wrong_code"
    # 22222222-0001-1 was never placed: the order is found with one of its two parcels ready
    assert finds(engine, "808080") == "iss_found_part"
    assert finds(engine, "PVZQR:qr-token-22") == "iss_found_part"  # left out: the QR token is kept
    qr = {**code, "qr_token_hmac": code_hmac(KEY, "qr-new")}
    put(store, updates(qr, mid="p2", version=2))
    assert (finds(engine, "PVZQR:qr-token-22"), finds(engine, "PVZQR:qr-new")) == (
        "iss_qr_unknown",
        "iss_found_part",
    )
    put(store, updates({**code, "qr_token_hmac": None}, mid="p3", version=3))
    assert store.scalar("SELECT qr_token_hmac FROM orders WHERE id = '22222222'") is None
    data = [
        json.loads(r[0])
        for r in store.conn.execute("SELECT data FROM journal WHERE kind = 'pickup_code_changed'")
    ]
    assert data[0] == {"order": "22222222", "code": True, "qr": False, "previous_valid_until": None}
    assert [d["qr"] for d in data] == [False, True, True]


# -- the docs ---------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_documented_envelopes_apply_to_the_documented_manifest(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db")
    import_manifest(store, load_manifest_file(DOCS / "examples" / "manifest.json"), now=NOW.isoformat())
    blocks = [
        block.split("```", 1)[0]
        for name in ("manifest.md", "updates.md")
        for block in (DOCS / name).read_text(encoding="utf-8").split("```json\n")[1:]
    ]
    envelopes = [b.encode() for b in blocks if '"body"' in b]
    assert len(envelopes) == 2
    results = [put(store, raw) for raw in envelopes]
    assert [(r.outcome, r.id) for r in results] == [
        ("applied", "sup-SUP-2026-000124-v1"),
        ("applied", "upd-000000871"),
    ]
    assert (results[1].counts["cancelled"], results[1].counts["codes"]) == (1, 1)
    store.close()


# -- the command line ---------------------------------------------------------------------------


def test_pvz_manifest_apply_takes_an_envelope(
    deadline_day: tuple[Store, Engine], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _ = deadline_day
    assert store.path is not None
    db = str(store.path)
    good, bad = tmp_path / "m.json", tmp_path / "bad.json"
    good.write_bytes(supply(s9(), mid="cli-1"))
    bad.write_bytes(json.dumps({**GOOD, "priority": 1}).encode())
    assert main(["manifest", "apply", str(good), "--store", db]) == 0
    assert "message cli-1: applied: parcels 1, orders 1" in capsys.readouterr().out
    assert main(["manifest", "apply", str(good), "--store", db]) == 0
    assert "message cli-1: duplicate (already applied)" in capsys.readouterr().out
    assert main(["manifest", "apply", str(bad), "--store", db]) == 2
    assert "message m-ok rejected: unknown_field $.priority: " in capsys.readouterr().err
    assert main(["manifest", "apply", str(tmp_path / "none.json"), "--store", db]) == 2
    assert inbox_row(store, "cli-1") == ("supply", 1, "applied", None)
