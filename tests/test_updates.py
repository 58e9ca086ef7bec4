"""Manifest updates on the deadline day's store: deadlines, extensions, return requests, all or nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from device.engine import Engine
from device.exc import ManifestError
from device.intake.deadlines import due_today, needs_sweep, sweep
from device.intake.updates import MAX_BYTES, apply_updates, decode_updates
from device.store.db import Store
from tests.support.factory import dump, scan, state
from tests.support.stock import TODAY, device_stamp
from tests.support.updates import REQUEST, deadline, put, raw
from workflows.inputs import Command


def test_a_deadline_update_sets_the_deadline_and_journals_old_and_new(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    counts = put(store, raw(deadline("44444444-0001-1", "2026-12-05")))
    assert counts == {"deadlines": 1, "extended": 0, "return_requests": 0, "clerks": 0, "unchanged": 0}
    assert store.scalar("SELECT deadline FROM parcels WHERE barcode = '44444444-0001-1'") == "2026-12-05"
    assert state(store, "44444444-0001-1") == ("stored", "B-01-1")
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'deadline_changed'").fetchone()
    assert (ev["parcel"], ev["from_state"], ev["to_state"], ev["cell"]) == (
        "44444444-0001-1",
        "stored",
        "stored",
        "B-01-1",
    )
    assert (ev["station"], ev["clerk"]) == (None, None)
    assert json.loads(ev["data"]) == {"old": "2026-11-28", "new": "2026-12-05"}
    # the same batch again (MQTT delivers at least once) changes nothing
    before = dump(store)
    assert put(store, raw(deadline("44444444-0001-1", "2026-12-05")))["unchanged"] == 1
    assert dump(store) == before


def test_an_extended_deadline_brings_a_swept_parcel_back_to_stored_in_its_cell(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")
    counts = put(store, raw(deadline("33333333-0001-1", TODAY.isoformat())))
    assert counts == {"deadlines": 1, "extended": 1, "return_requests": 0, "clerks": 0, "unchanged": 0}
    assert state(store, "33333333-0001-1") == ("stored", "A-02-1")
    assert store.scalar("SELECT return_reason FROM parcels WHERE barcode = '33333333-0001-1'") is None
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'deadline_extended'").fetchone()
    assert (ev["parcel"], ev["from_state"], ev["to_state"], ev["cell"]) == (
        "33333333-0001-1",
        "to_return",
        "stored",
        "A-02-1",
    )
    assert json.loads(ev["data"]) == {"deadline": "2026-11-25"}
    assert due_today(store, TODAY) == {"to_return": 1, "expiring_today": 2}
    # the next sweep of the same day leaves it alone; the one after its new deadline takes it again
    assert sweep(store, today=TODAY, stamp=device_stamp()) == []
    later = TODAY + timedelta(days=1)
    assert "33333333-0001-1" in sweep(store, today=later, stamp=device_stamp(later))


def test_a_deadline_still_in_the_past_or_a_parcel_without_a_cell_stays_to_return(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    counts = put(
        store,
        raw(deadline("33333333-0001-1", "2026-11-24"), deadline("22222222-0001-1", "2026-12-31")),
    )
    assert counts == {"deadlines": 1, "extended": 0, "return_requests": 0, "clerks": 0, "unchanged": 1}
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")
    assert state(store, "22222222-0001-1") == ("to_return", None)  # never placed: nowhere to go back to
    assert store.scalar("SELECT deadline FROM parcels WHERE barcode = '22222222-0001-1'") == "2026-12-31"


def test_a_parcel_refused_by_the_customer_is_not_brought_back(deadline_day: tuple[Store, Engine]) -> None:
    store, engine = deadline_day
    scan(engine, "22222222-0001-1", "C-A-03-1", Command.DONE)
    scan(engine, "22222222*222222", keyed=True)
    scan(engine, Command.REFUSE_ITEM, "22222222-0001-1", "22222222-0002-1", Command.DONE)
    assert store.scalar("SELECT return_reason FROM parcels WHERE barcode = '22222222-0001-1'") == (
        "refused_by_customer"
    )
    assert state(store, "22222222-0001-1") == ("to_return", "A-03-1")
    assert put(store, raw(deadline("22222222-0001-1", "2026-12-31")))["extended"] == 0
    assert state(store, "22222222-0001-1") == ("to_return", "A-03-1")


def test_a_deadline_moved_into_the_past_asks_for_another_sweep_today(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    assert not needs_sweep(store, TODAY)
    put(store, raw(deadline("44444444-0001-1", "2026-11-22")))
    assert needs_sweep(store, TODAY)
    assert sweep(store, today=TODAY, stamp=device_stamp()) == ["44444444-0001-1"]


def test_a_return_request_is_recorded_once(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    stamp = device_stamp()
    assert apply_updates(store, decode_updates(raw(REQUEST)), stamp=stamp)["return_requests"] == 1
    row = store.conn.execute("SELECT * FROM return_requests").fetchone()
    assert (row["id"], row["order_id"], json.loads(row["parcels"]), row["reason"]) == (
        "RR-1",
        "11111111",
        ["11111111-0001-1"],
        "Не подошёл размер",
    )
    assert (row["received_at"], row["used_by"]) == (stamp.ts, None)
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'return_request'").fetchone()
    assert json.loads(ev["data"])["id"] == "RR-1" and ev["ts"] == stamp.ts
    before = dump(store)
    assert put(store, raw(REQUEST, REQUEST)) == {
        "deadlines": 0,
        "extended": 0,
        "return_requests": 0,
        "clerks": 0,
        "unchanged": 2,
    }
    assert dump(store) == before


def conflicting(store: Store) -> bytes:
    put(store, raw(REQUEST))
    return raw(deadline("44444444-0001-1", "2026-12-05"), {**REQUEST, "reason": "Передумал"})


def sized(store: Store) -> bytes:
    return raw(deadline("44444444-0001-1", "2026-12-05")) + b" " * MAX_BYTES


BAD: dict[str, tuple[Any, str, str]] = {
    # name: (batch, or a function of the store that makes one; reason code; JSON path)
    "unknown parcel": (
        raw(deadline("44444444-0001-1", "2026-12-05"), deadline("99999999-0001-1", "2026-12-05")),
        "unknown_reference",
        "$.updates[1].parcel",
    ),
    "not a calendar date": (
        raw(deadline("44444444-0001-1", "2026-02-30")),
        "bad_date",
        "$.updates[0].deadline",
    ),
    "bad date shape": (raw(deadline("44444444-0001-1", "5.12.2026")), "bad_format", "$.updates[0].deadline"),
    "unknown field": (
        raw({**deadline("44444444-0001-1", "2026-12-05"), "colour": 1}),
        "unknown_field",
        "$.updates[0].colour",
    ),
    "unknown top-level field": (b'{"version": 1, "updates": [], "extra": 0}', "unknown_field", "$.extra"),
    "unknown type": (raw({"type": "refund", "id": "X"}), "bad_value", "$.updates[0].type"),
    "missing type": (
        raw({"parcel": "44444444-0001-1", "deadline": "2026-12-05"}),
        "missing_field",
        "$.updates[0].type",
    ),
    "version is a string": (raw(version="1"), "wrong_type", "$.version"),
    "version zero": (raw(version=0), "out_of_range", "$.version"),
    "deadline is a number": (
        raw(deadline("44444444-0001-1", 20261205)),
        "wrong_type",
        "$.updates[0].deadline",
    ),
    "no parcels": (raw({**REQUEST, "parcels": []}), "too_short", "$.updates[0].parcels"),
    "parcel twice": (
        raw({**REQUEST, "parcels": ["A-1", "B-1", "A-1"]}),
        "duplicate_barcode",
        "$.updates[0].parcels[2]",
    ),
    "reason too long": (raw({**REQUEST, "reason": "x" * 201}), "too_long", "$.updates[0].reason"),
    "reason empty": (raw({**REQUEST, "reason": ""}), "too_short", "$.updates[0].reason"),
    "reason with a control character": (
        raw({**REQUEST, "reason": "a\nb"}),
        "bad_format",
        "$.updates[0].reason",
    ),
    "not json": (b'{"version": 1, "updates": [', "not_json", "$"),
    "same request id, other content": (conflicting, "conflicting_content", "$.updates[1].id"),
    "too large": (sized, "too_large", "$"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_batch_is_rejected_whole_with_the_field_named(
    deadline_day: tuple[Store, Engine], case: str
) -> None:
    store, _ = deadline_day
    data, reason, path = BAD[case]
    if callable(data):
        data = data(store)
    before = dump(store)
    with pytest.raises(ManifestError) as info:
        put(store, data)
    assert (info.value.reason, info.value.path) == (reason, path)
    assert str(info.value).startswith(f"invalid updates: {path}: ")
    assert dump(store) == before


def test_an_unknown_parcel_after_valid_updates_undoes_them(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    before = dump(store)
    batch = raw(REQUEST, deadline("33333333-0001-1", "2026-12-31"), deadline("NOPE-0001", "2026-12-31"))
    with pytest.raises(ManifestError) as info:
        put(store, batch)
    assert (info.value.reason, info.value.path) == ("unknown_reference", "$.updates[2].parcel")
    assert dump(store) == before
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")


def test_an_empty_batch_is_valid_and_changes_nothing(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    before = dump(store)
    assert put(store, raw()) == {
        "deadlines": 0,
        "extended": 0,
        "return_requests": 0,
        "clerks": 0,
        "unchanged": 0,
    }
    assert dump(store) == before
