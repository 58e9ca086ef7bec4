"""Drop-off lists from central: the inbox's "dropoff" type over a real broker, by file, and refused whole."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from device.engine import Engine
from device.exc import ManifestError
from device.intake.dropoff import decode_dropoff, import_dropoff
from device.store.db import Store
from sync.inbox import wrap
from sync.inbox_service import InboxService
from tests.support.broker import Broker
from tests.support.factory import DEVICE, T0, dump, scan, state
from tests.test_cli import pvz
from tests.test_dropoff import D1, SHIPMENTS, dropoff_json
from tests.test_inbox import NOW, domain, inbox_row, put
from tests.test_inbox_mqtt import deliver, handled


def message(body: dict[str, Any], *, mid: str, version: int | None = None) -> bytes:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return wrap("dropoff", raw, message_id=mid, version=version or int(body["version"]))


def with_shipment(index: int, **fields: Any) -> dict[str, Any]:
    body = dropoff_json()
    body["shipments"][index] = {**body["shipments"][index], **fields}
    return body


# name: (body, reason code, JSON path)
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "an inbound parcel's barcode": (
        with_shipment(2, barcode="33333333-0001-1"),
        "duplicate_barcode",
        "$.body.shipments[2].barcode",
    ),
    "a package's barcode": (
        with_shipment(1, barcode="BOX00000001"),
        "duplicate_barcode",
        "$.body.shipments[1].barcode",
    ),
    "a barcode twice": (
        with_shipment(2, barcode=SHIPMENTS[0]),
        "duplicate_barcode",
        "$.body.shipments[2].barcode",
    ),
    "a posting twice": (with_shipment(1, posting="4711-0000-1"), "duplicate", "$.body.shipments[1].posting"),
    "a size nobody has": (with_shipment(0, size="XXL"), "bad_value", "$.body.shipments[0].size"),
    "a weight of nothing": (with_shipment(0, weight_g=0), "out_of_range", "$.body.shipments[0].weight_g"),
    "a field too many": (with_shipment(1, colour="red"), "unknown_field", "$.body.shipments[1].colour"),
    "no shipments": ({**dropoff_json(), "shipments": []}, "too_short", "$.body.shipments"),
    "no seller": (
        {k: v for k, v in dropoff_json().items() if k != "seller"},
        "missing_field",
        "$.body.seller",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_drop_off_is_refused_whole_naming_the_field(store: Store, name: str) -> None:
    body, code, path = BAD[name]
    before = domain(store)
    result = put(store, message(body, mid=f"bad-{len(name)}"))
    assert (result.outcome, result.code, result.path) == ("rejected", code, path)
    assert domain(store) == before  # not one shipment of it written


def test_a_drop_off_is_applied_once_and_a_newer_version_replaces_an_unstarted_list(
    store: Store, engine: Engine
) -> None:
    first = put(store, message(dropoff_json(), mid="do-1"))
    assert (first.outcome, first.counts) == ("applied", {"shipments": 3})
    assert put(store, message(dropoff_json(), mid="do-1")).outcome == "duplicate"
    assert put(store, message(dropoff_json(), mid="do-1b")).outcome == "stale"
    newer = put(store, message(dropoff_json(barcodes=SHIPMENTS[:2], version=2), mid="do-2"))
    assert newer.outcome == "applied"
    assert store.scalar("SELECT count(*) FROM parcels WHERE dropoff = ?", (D1,)) == 2
    assert inbox_row(store, "do-2") == ("dropoff", 2, "applied", None)
    scan(engine, SHIPMENTS[0])  # the counter has started it: no list may replace it now
    before = domain(store)
    late = put(store, message(dropoff_json(version=3), mid="do-3"))
    assert (late.outcome, late.code, late.path) == ("rejected", "acceptance_started", "$.body.dropoff_id")
    assert domain(store) == before


def test_a_drop_off_over_a_real_broker_is_received_at_the_counter(
    store: Store, engine: Engine, broker: Broker
) -> None:
    service = InboxService(store, device_id=DEVICE, clock=lambda: NOW)
    payloads = [
        message(dropoff_json(), mid="do-1"),
        message(dropoff_json("DO-2026-0009", ("33333333-0001-1",)), mid="do-bad"),
    ]
    asyncio.run(deliver(store, broker.port, service, payloads, total=len(payloads)))
    assert handled(store) == {"applied": 1, "rejected": 1}
    assert inbox_row(store, "do-bad")[2] == "rejected"  # type: ignore[index]
    assert state(store, "33333333-0001-1") == ("expected", None)  # the inbound parcel untouched
    scan(engine, D1, *SHIPMENTS)
    assert {state(store, b)[0] for b in SHIPMENTS} == {"outbound"}


def test_pvz_dropoff_import_takes_a_file_and_refuses_a_bad_one(store: Store, tmp_path: Path) -> None:
    good, bad = tmp_path / "dropoff.json", tmp_path / "bad.json"
    good.write_text(json.dumps(dropoff_json(), ensure_ascii=False))
    bad.write_text(
        json.dumps(
            {
                **dropoff_json("DO-2"),
                "shipments": [{"barcode": "22222222-0001-1", "posting": "x", "size": "S"}],
            }
        )
    )
    db = str(store.path)
    store.close()
    ok = pvz("dropoff", "import", str(good), "--store", db)
    assert ok.returncode == 0, ok.stderr
    assert f"imported drop-off {D1}: 3 shipments" in ok.stdout
    refused = pvz("dropoff", "import", str(bad), "--store", db)
    assert refused.returncode != 0
    assert "$.shipments[0].barcode" in refused.stderr and "duplicate_barcode" in refused.stderr
    with Store.open(db) as again:
        assert again.scalar("SELECT count(*) FROM dropoffs") == 1


def test_import_dropoff_refuses_in_one_transaction(store: Store) -> None:
    before = dump(store)
    body = with_shipment(1, barcode="11111111-0001-1")
    with pytest.raises(ManifestError) as caught:
        import_dropoff(store, decode_dropoff(json.dumps(body).encode()), now=T0.isoformat())
    assert (caught.value.reason, caught.value.path) == ("duplicate_barcode", "$.shipments[1].barcode")
    assert dump(store) == before
