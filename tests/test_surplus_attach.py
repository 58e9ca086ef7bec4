"""A surplus parcel joins its order when a manifest names it: one row, journalled, the rest imported."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.exc import ManifestError
from device.intake.manifest import ImportResult, decode_manifest, import_manifest
from device.store.db import Store
from device.store.journal import Stamp
from tests.support.factory import DEVICE, T0, M, P, dump, scan, standard_manifest, state
from tests.support.stock import CELLS
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

SURPLUS = "99999999-0001-1"


def load(store: Store, manifest: M) -> ImportResult:
    raw = json.dumps(manifest.to_json()).encode()
    return import_manifest(store, decode_manifest(raw), now=T0.isoformat())


def s2() -> M:
    """Supply S2 lists the surplus of S1 under order 99999999, and one parcel of its own."""
    return M(
        "S2",
        [P(SURPLUS, "99999999", size="L", cod=50000), P("55555555-0001-1", "55555555")],
        codes={"99999999": "9999", "55555555": "5555"},
    )


def act_text(store: Store, supply: str) -> str:
    """The acceptance act as it would print now."""
    from device.documents.registry import Documents

    docs = Documents(site="test-site", device_id=DEVICE, lang="en")
    doc = docs.build("acceptance_act", {"supply": supply}, store.conn, Stamp(DEVICE, T0.isoformat()))
    return json.dumps(doc.to_json(), ensure_ascii=False)


def test_a_new_supply_that_names_a_surplus_attaches_it_and_imports_the_rest(
    engine: Engine, store: Store
) -> None:
    r = scan(engine, "BOX00000001", *CELLS, SURPLUS)
    assert r.feedback.msg.key == "acc_surplus"
    assert scan(engine, Command.DONE).feedback.msg.key == "acc_closed"  # nothing listed is missing
    scan(engine, SURPLUS, "C-B-01-1", Command.DONE)  # placed like any parcel
    assert state(store, SURPLUS) == ("stored", "B-01-1")
    act_before = act_text(store, "S1")

    result = load(store, s2())

    assert result.attached == (SURPLUS,) and result.parcels == 2
    rows = store.conn.execute(
        "SELECT order_id, supply_id, surplus, size, cod_kopecks, state FROM parcels WHERE barcode = ?",
        (SURPLUS,),
    ).fetchall()
    # one record: the surplus row itself, still with the supply it came with and still its surplus
    assert [tuple(r) for r in rows] == [("99999999", "S1", 1, "L", 50000, "stored")]
    assert state(store, "55555555-0001-1") == ("expected", None)
    event = store.conn.execute(
        "SELECT from_state, to_state, data FROM journal WHERE kind = 'surplus_attached' AND parcel = ?",
        (SURPLUS,),
    ).fetchone()
    assert (event[0], event[1]) == ("stored", "stored")
    assert json.loads(event[2]) == {"order": "99999999", "supply": "S2", "arrived_with": "S1", "version": 1}
    imported = store.scalar("SELECT data FROM journal WHERE kind = 'manifest_imported' ORDER BY seq DESC")
    assert json.loads(imported)["attached"] == 1
    # what S1's act said stays true: the parcel came with S1's courier, not on its manifest
    assert act_text(store, "S1") == act_before
    assert SURPLUS in act_before

    # S2's courier does not bring it again: S2 counts and closes without it
    opened = scan(engine, "S2")
    assert opened.feedback.msg.params["total"] == 1
    scan(engine, "55555555-0001-1")
    closed = scan(engine, Command.DONE)
    assert (closed.feedback.msg.key, closed.feedback.msg.params["missing"]) == ("acc_closed", 0)

    # and the customer's code finds it: issued from its cell
    found = scan(engine, "99999999*9999", keyed=True)
    assert found.feedback.level is Level.OK
    scan(engine, SURPLUS, Command.PAID, Command.DONE)
    assert state(store, SURPLUS) == ("issued", None)


def test_a_newer_version_of_the_supply_being_accepted_takes_its_own_surplus_in(
    engine: Engine, store: Store
) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1", SURPLUS)
    v2 = standard_manifest()
    v2.version = 2
    v2.parcels.append(P(SURPLUS, "99999999", package="BOX00000001"))
    v2.codes["99999999"] = "9999"

    result = load(store, v2)  # acceptance has started: merged, not refused

    assert result.attached == (SURPLUS,) and result.replaced == 1
    row = store.conn.execute(
        "SELECT order_id, supply_id, surplus, package, state FROM parcels WHERE barcode = ?", (SURPLUS,)
    ).fetchone()
    assert tuple(row) == ("99999999", "S1", 0, "BOX00000001", "accepted")  # a parcel of S1 now
    again = scan(engine, SURPLUS)
    assert again.feedback.msg.key == "duplicate_scan"
    accepted = scan(engine, "22222222-0001-1")
    progress = accepted.feedback.msg.params["progress"]
    assert isinstance(progress, Msg)
    assert (progress.params["done"], progress.params["total"], progress.params["box_total"]) == (3, 6, 4)
    scan(engine, Command.DONE, Command.DONE)
    act = act_text(store, "S1")
    assert "Expected 6, accepted 3" in act
    assert "Surplus (0)" in act


def test_a_manifest_that_names_a_surplus_but_is_wrong_elsewhere_writes_nothing(
    engine: Engine, store: Store
) -> None:
    scan(engine, "BOX00000001", SURPLUS)
    before = dump(store)
    bad = s2()
    bad.parcels.append(P("11111111-0001-1", "11111111"))  # a parcel of S1
    with pytest.raises(ManifestError) as info:
        load(store, bad)
    assert (info.value.reason, info.value.path) == ("duplicate_barcode", "$.parcels[2].barcode")
    assert dump(store) == before
    assert store.scalar("SELECT order_id FROM parcels WHERE barcode = ?", (SURPLUS,)) is None


def test_a_surplus_joins_one_order_only(engine: Engine, store: Store) -> None:
    scan(engine, "BOX00000001", SURPLUS)
    load(store, s2())
    before = dump(store)
    with pytest.raises(ManifestError) as info:
        load(store, M("S3", [P(SURPLUS, "77777777")]))
    assert (info.value.reason, info.value.path) == ("duplicate_barcode", "$.parcels[0].barcode")
    assert "already a parcel of order 99999999 (a surplus of supply S1)" in str(info.value)
    assert dump(store) == before


def test_over_mqtt_the_same_message_attaches_and_counts_it(engine: Engine, store: Store) -> None:
    from sync.inbox import apply_message, wrap

    scan(engine, "BOX00000001", SURPLUS)
    body = json.dumps(s2().to_json(), ensure_ascii=False).encode()
    raw = wrap("supply", body, message_id="sup-S2-v1", version=1)
    result = apply_message(store, raw, stamp=Stamp(DEVICE, T0.isoformat()), topic="file")
    assert (result.outcome, result.counts["attached"], result.counts["parcels"]) == ("applied", 1, 2)
    assert store.scalar("SELECT order_id FROM parcels WHERE barcode = ?", (SURPLUS,)) == "99999999"
