"""Tests for supply manifests: decoding, cross-checks, and the all-or-nothing import."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.decode import REASONS
from device.exc import ManifestError
from device.intake.manifest import (
    ImportResult,
    Manifest,
    decode_manifest,
    import_manifest,
    load_manifest_file,
)
from device.store.codes import code_hmac
from device.store.db import Store
from tests.support.strategies import json_values

DOCS = Path(__file__).resolve().parent.parent / "docs"
NOW = "2026-03-01T10:00:00+03:00"
KEY = bytes(range(32))
TABLES = ("supplies", "packages", "orders", "parcels", "journal")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "pvz.db")
    yield s
    s.close()


def manifest_dict(supply: str = "SUP-1", version: int = 1, prefix: str = "P") -> dict[str, Any]:
    return {
        "version": version,
        "supply_id": supply,
        "carrier": "СДЭК",
        "packages": [
            {"barcode": f"{supply}-BOX-1", "kind": "box"},
            {"barcode": f"{supply}-BAG-1", "kind": "bag"},
        ],
        "orders": [
            {
                "id": "ORD-1",
                "customer": "Иван П.",
                "pickup_code_hmac": code_hmac(KEY, "482915"),
                "qr_token_hmac": code_hmac(KEY, "QR-1"),
            },
            {"id": "ORD-2", "customer": "Мария С.", "pickup_code_hmac": code_hmac(KEY, "731046")},
        ],
        "parcels": [
            parcel(f"{prefix}1", "ORD-1", f"{supply}-BOX-1"),
            parcel(f"{prefix}2", "ORD-1", f"{supply}-BOX-1", size="S", cod=149900),
            parcel(f"{prefix}3", "ORD-2", f"{supply}-BAG-1", size="XL", age=True),
        ],
    }


def parcel(
    barcode: str, order: str, package: str | None, *, size: str = "M", cod: int = 0, age: bool = False
) -> dict[str, Any]:
    return {
        "barcode": barcode,
        "order": order,
        "package": package,
        "size": size,
        "deadline": "2026-03-14",
        "cod_kopecks": cod,
        "age_restricted": age,
    }


def raw(d: dict[str, Any]) -> bytes:
    return json.dumps(d, ensure_ascii=False).encode()


def counts(store: Store) -> dict[str, int]:
    return {t: int(store.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def load(store: Store, d: dict[str, Any]) -> ImportResult:
    return import_manifest(store, decode_manifest(raw(d)), now=NOW)


def test_valid_import_writes_every_row(store: Store) -> None:
    store.set_meta("device_id", "pvz-test-0001")
    result = load(store, manifest_dict())
    assert result == ImportResult(supply_id="SUP-1", parcels=3, packages=2, orders=2)
    assert counts(store) == {"supplies": 1, "packages": 2, "orders": 2, "parcels": 3, "journal": 1}
    supply = store.conn.execute("SELECT * FROM supplies").fetchone()
    assert (supply["status"], supply["version"], supply["imported_at"]) == ("open", 1, NOW)
    rows = {r["barcode"]: r for r in store.conn.execute("SELECT * FROM parcels")}
    assert {r["state"] for r in rows.values()} == {"expected"}
    assert rows["P2"]["cod_kopecks"] == 149900 and rows["P2"]["size"] == "S"
    assert rows["P3"]["age_restricted"] == 1 and rows["P3"]["package"] == "SUP-1-BAG-1"
    assert rows["P1"]["updated_at"] == NOW and rows["P1"]["deadline"] == "2026-03-14"
    order = store.conn.execute("SELECT * FROM orders WHERE id = 'ORD-1'").fetchone()
    assert order["pickup_code_hmac"] == code_hmac(KEY, "482915")
    assert store.scalar("SELECT qr_token_hmac FROM orders WHERE id = 'ORD-2'") is None
    event = store.conn.execute("SELECT * FROM journal").fetchone()
    assert (event["kind"], event["device_id"], event["ts"]) == ("manifest_imported", "pvz-test-0001", NOW)
    assert json.loads(event["data"]) == {"supply": "SUP-1", "version": 1, "parcels": 3}
    assert len(event["event_id"]) == 32


def test_journal_device_id_defaults_to_unknown(store: Store) -> None:
    load(store, manifest_dict())
    assert store.scalar("SELECT device_id FROM journal") == "unknown"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _del(path: str, key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for k in path.split("."):
            target = target[int(k)] if k.isdigit() else target[k]
        del target[key]

    return mutate


def _dup_order(d: dict[str, Any]) -> None:
    d["orders"].append(copy.deepcopy(d["orders"][0]))


def _drop_supply(d: dict[str, Any]) -> None:
    del d["supply_id"]


def _parcel_is_package(d: dict[str, Any]) -> None:
    d["parcels"][2]["barcode"] = "SUP-1-BOX-1"


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # name, change, reason code, JSON path
    ("wrong type", _set("version", "1"), "wrong_type", "$.version"),
    ("version zero", _set("version", 0), "out_of_range", "$.version"),
    ("unknown field", _set("parcels.0.colour", "red"), "unknown_field", "$.parcels[0].colour"),
    ("unknown top field", _set("note", "x"), "unknown_field", "$.note"),
    ("missing field", _del("parcels.1", "size"), "missing_field", "$.parcels[1].size"),
    ("missing supply", _drop_supply, "missing_field", "$.supply_id"),
    ("bad size class", _set("parcels.0.size", "XXL"), "bad_value", "$.parcels[0].size"),
    ("negative cod", _set("parcels.2.cod_kopecks", -1), "out_of_range", "$.parcels[2].cod_kopecks"),
    ("float cod", _set("parcels.2.cod_kopecks", 10.5), "wrong_type", "$.parcels[2].cod_kopecks"),
    ("huge cod", _set("parcels.2.cod_kopecks", 2**70), "out_of_range", "$.parcels[2].cod_kopecks"),
    ("int as bool", _set("parcels.0.age_restricted", 1), "wrong_type", "$.parcels[0].age_restricted"),
    ("bad date", _set("parcels.1.deadline", "2026-02-30"), "bad_date", "$.parcels[1].deadline"),
    ("date format", _set("parcels.1.deadline", "14.03.2026"), "bad_format", "$.parcels[1].deadline"),
    ("unknown order", _set("parcels.1.order", "123"), "unknown_reference", "$.parcels[1].order"),
    ("unknown package", _set("parcels.0.package", "BOX-9"), "unknown_reference", "$.parcels[0].package"),
    ("duplicate barcode", _set("parcels.2.barcode", "P1"), "duplicate_barcode", "$.parcels[2].barcode"),
    ("duplicate order", _dup_order, "duplicate", "$.orders[2].id"),
    (
        "duplicate package",
        _set("packages.1.barcode", "SUP-1-BOX-1"),
        "duplicate_barcode",
        "$.packages[1].barcode",
    ),
    ("parcel is package", _parcel_is_package, "duplicate_barcode", "$.parcels[2].barcode"),
    ("empty barcode", _set("parcels.0.barcode", ""), "too_short", "$.parcels[0].barcode"),
    ("long barcode", _set("parcels.0.barcode", "9" * 65), "too_long", "$.parcels[0].barcode"),
    ("control char", _set("parcels.0.barcode", "P\x07"), "bad_format", "$.parcels[0].barcode"),
    ("trailing newline", _set("parcels.0.barcode", "P1\n"), "bad_format", "$.parcels[0].barcode"),
    ("space in barcode", _set("parcels.0.barcode", "P 1"), "bad_format", "$.parcels[0].barcode"),
    ("control in name", _set("orders.0.customer", "Иван\x00"), "bad_format", "$.orders[0].customer"),
    ("upper hex", _set("orders.0.pickup_code_hmac", "A" * 64), "bad_format", "$.orders[0].pickup_code_hmac"),
    ("short hmac", _set("orders.1.qr_token_hmac", "ab"), "bad_format", "$.orders[1].qr_token_hmac"),
    ("bad kind", _set("packages.0.kind", "crate"), "bad_value", "$.packages[0].kind"),
    ("no parcels", _set("parcels", []), "too_short", "$.parcels"),
    ("parcels not a list", _set("parcels", {}), "wrong_type", "$.parcels"),
]


@pytest.mark.parametrize(
    ("mutate", "reason", "path"), [(m, r, p) for _, m, r, p in MALFORMED], ids=[n for n, *_ in MALFORMED]
)
def test_malformed_manifest_rejected_whole(
    store: Store, mutate: Callable[[dict[str, Any]], None], reason: str, path: str
) -> None:
    load(store, manifest_dict("SUP-0", prefix="Z"))
    before = counts(store)
    d = manifest_dict()
    mutate(d)
    with pytest.raises(ManifestError) as info:
        import_manifest(store, decode_manifest(raw(d)), now=NOW)
    assert (info.value.reason, info.value.path) == (reason, path)
    # what the technician reads: where, what, and the code
    assert str(info.value).startswith(f"invalid manifest: {path}: ")
    assert str(info.value).endswith(f" ({reason})")
    assert counts(store) == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not_json"),
        (b"", "not_json"),
        (b"[]", "wrong_type"),
        (b"null", "wrong_type"),
        ("{}".encode("utf-16"), "not_utf8"),
    ],
)
def test_not_a_manifest(store: Store, data: bytes, reason: str) -> None:
    with pytest.raises(ManifestError) as info:
        decode_manifest(data)
    assert (info.value.reason, info.value.path) == (reason, "$")
    assert counts(store) == dict.fromkeys(TABLES, 0)


def test_too_large_rejected_before_parsing() -> None:
    data = raw(manifest_dict())
    with pytest.raises(ManifestError) as info:
        decode_manifest(data, max_bytes=100)
    assert (info.value.reason, info.value.path) == ("too_large", "$")
    assert decode_manifest(data, max_bytes=len(data)).supply_id == "SUP-1"


def test_too_many_parcels() -> None:
    d = manifest_dict()
    d["parcels"] = [parcel(f"X{i}", "ORD-1", None) for i in range(10_001)]
    with pytest.raises(ManifestError) as info:
        decode_manifest(raw(d))
    assert (info.value.reason, info.value.path) == ("too_long", "$.parcels")
    d["parcels"].pop()
    assert len(decode_manifest(raw(d)).parcels) == 10_000


def test_optional_fields_may_be_omitted() -> None:
    d = manifest_dict()
    del d["packages"]
    for p in d["parcels"]:
        del p["package"]
    del d["orders"][0]["qr_token_hmac"]
    m = decode_manifest(raw(d))
    assert m.packages == [] and m.parcels[0].package is None and m.orders[0].qr_token_hmac is None


def test_reimport_same_version_refused(store: Store) -> None:
    load(store, manifest_dict())
    before = counts(store)
    with pytest.raises(ManifestError) as info:
        load(store, manifest_dict())
    assert (info.value.reason, info.value.path) == ("version_not_newer", "$.version")
    assert "version 1 is already imported" in str(info.value)
    assert counts(store) == before


def test_older_version_refused(store: Store) -> None:
    load(store, manifest_dict(version=3))
    with pytest.raises(ManifestError) as info:
        load(store, manifest_dict(version=2))
    assert (info.value.reason, info.value.path) == ("version_not_newer", "$.version")
    assert store.scalar("SELECT version FROM supplies") == 3


def test_newer_version_replaces_open_supply(store: Store) -> None:
    load(store, manifest_dict())
    d = manifest_dict(version=2)
    d["orders"] = [d["orders"][0] | {"customer": "Игорь Петров"}, {"id": "ORD-3", "customer": "Олег Н."}]
    d["packages"] = [{"barcode": "SUP-1-BOX-2", "kind": "box"}]
    d["parcels"] = [parcel("P1", "ORD-1", "SUP-1-BOX-2", size="L"), parcel("P4", "ORD-3", None)]
    result = load(store, d)
    assert result.replaced == 1 and result.parcels == 2
    assert store.scalar("SELECT version FROM supplies WHERE id = 'SUP-1'") == 2
    parcels = {r[0]: r[1] for r in store.conn.execute("SELECT barcode, size FROM parcels")}
    assert parcels == {"P1": "L", "P4": "M"}
    assert [r[0] for r in store.conn.execute("SELECT barcode FROM packages")] == ["SUP-1-BOX-2"]
    # ORD-2 was only in version 1 and has no parcels left.
    assert [r[0] for r in store.conn.execute("SELECT id FROM orders ORDER BY id")] == ["ORD-1", "ORD-3"]
    assert store.scalar("SELECT customer FROM orders WHERE id = 'ORD-1'") == "Игорь П."  # masked at intake
    versions = [
        json.loads(r[0])["version"] for r in store.conn.execute("SELECT data FROM journal ORDER BY seq")
    ]
    assert versions == [1, 2]


def accept(store: Store, *barcodes: str, supply: str = "SUP-1", status: str = "accepting") -> None:
    """What the counter leaves behind: these parcels accepted and the supply in `status`."""
    with store.transaction() as conn:
        conn.execute("UPDATE supplies SET status = ? WHERE id = ?", (status, supply))
        conn.executemany("UPDATE parcels SET state = 'accepted' WHERE barcode = ?", [(b,) for b in barcodes])


def test_newer_version_after_acceptance_started_merges_into_what_the_counter_did(store: Store) -> None:
    load(store, manifest_dict())
    accept(store, "P2")
    d = manifest_dict(version=2)
    d["parcels"] = [
        parcel("P1", "ORD-1", "SUP-1-BOX-1", size="L"),  # untouched: takes the new word
        parcel("P2", "ORD-1", "SUP-1-BAG-1", size="XL", cod=5000),  # handled: keeps its size and state
        parcel("P4", "ORD-2", None),  # new
    ]  # P3 (expected) is left out
    result = load(store, d)
    assert (result.replaced, result.parcels, result.attached) == (1, 3, ())
    rows = {
        r[0]: tuple(r)[1:]
        for r in store.conn.execute("SELECT barcode, state, size, package, cod_kopecks FROM parcels")
    }
    assert rows == {
        "P1": ("expected", "L", "SUP-1-BOX-1", 0),
        "P2": ("accepted", "S", "SUP-1-BAG-1", 5000),
        "P4": ("expected", "M", None, 0),
    }
    assert store.scalar("SELECT status FROM supplies") == "accepting"
    assert store.scalar("SELECT version FROM supplies") == 2


def test_a_newer_version_may_not_drop_or_reassign_what_the_counter_handled(store: Store) -> None:
    load(store, manifest_dict())
    accept(store, "P2")
    before = counts(store)
    d = manifest_dict(version=2)
    d["parcels"] = [p for p in d["parcels"] if p["barcode"] != "P2"]
    with pytest.raises(ManifestError) as info:
        load(store, d)
    assert (info.value.reason, info.value.path) == ("acceptance_started", "$.parcels")
    assert "'P2' is already accepted" in str(info.value)
    d = manifest_dict(version=2)
    d["parcels"][1]["order"] = "ORD-2"
    with pytest.raises(ManifestError) as info:
        load(store, d)
    assert (info.value.reason, info.value.path) == ("conflicting_content", "$.parcels[1].order")
    store.conn.execute("UPDATE packages SET state = 'accepted' WHERE barcode = 'SUP-1-BAG-1'")
    d = manifest_dict(version=2)
    d["packages"] = d["packages"][:1]
    d["parcels"][2]["package"] = None
    with pytest.raises(ManifestError) as info:
        load(store, d)
    assert (info.value.reason, info.value.path) == ("acceptance_started", "$.packages")
    assert counts(store) == before
    assert store.scalar("SELECT version FROM supplies") == 1


def test_what_a_newer_version_adds_to_a_closed_supply_is_missing_until_it_comes(store: Store) -> None:
    load(store, manifest_dict())
    accept(store, "P1", "P2", "P3", status="closed")
    store.conn.execute("UPDATE packages SET state = 'accepted'")
    d = manifest_dict(version=2)
    d["packages"].append({"barcode": "SUP-1-BOX-2", "kind": "box"})
    d["parcels"].append(parcel("P4", "ORD-2", "SUP-1-BOX-2"))
    load(store, d)
    assert store.scalar("SELECT state FROM parcels WHERE barcode = 'P4'") == "missing"
    assert store.scalar("SELECT state FROM packages WHERE barcode = 'SUP-1-BOX-2'") == "missing"
    event = store.conn.execute(
        "SELECT from_state, to_state, data FROM journal WHERE parcel = 'P4'"
    ).fetchone()
    assert (event[0], event[1], json.loads(event[2])) == (
        "expected",
        "missing",
        {"supply": "SUP-1", "version": 2},
    )


def test_barcode_of_another_supply_refused(store: Store) -> None:
    load(store, manifest_dict("SUP-1"))
    before = counts(store)
    with pytest.raises(ManifestError) as info:
        load(
            store,
            manifest_dict("SUP-2") | {"parcels": [parcel("Q1", "ORD-1", None), parcel("P2", "ORD-1", None)]},
        )
    assert (info.value.reason, info.value.path) == ("duplicate_barcode", "$.parcels[1].barcode")
    assert "barcode 'P2' is already a parcel of supply SUP-1" in str(info.value)
    d = manifest_dict("SUP-3", prefix="R")
    d["packages"][0]["barcode"] = "P3"
    d["parcels"][0]["package"] = d["parcels"][1]["package"] = "P3"
    with pytest.raises(ManifestError) as info:
        load(store, d)
    assert (info.value.reason, info.value.path) == ("duplicate_barcode", "$.packages[0].barcode")
    assert counts(store) == before


def test_order_spanning_supplies_is_updated(store: Store) -> None:
    load(store, manifest_dict("SUP-1"))
    d = manifest_dict("SUP-2", prefix="Q")
    d["orders"][0]["pickup_code_hmac"] = code_hmac(KEY, "000111")
    load(store, d)
    assert counts(store)["orders"] == 2
    assert store.scalar("SELECT count(*) FROM parcels WHERE order_id = 'ORD-1'") == 4
    assert store.scalar("SELECT pickup_code_hmac FROM orders WHERE id = 'ORD-1'") == code_hmac(KEY, "000111")


def test_docs_example_decodes_and_imports(store: Store) -> None:
    m = load_manifest_file(DOCS / "examples" / "manifest.json")
    assert isinstance(m, Manifest)
    result = import_manifest(store, m, now=NOW)
    assert result.parcels == len(m.parcels) == counts(store)["parcels"]
    customers = {o.customer for o in m.orders}
    assert "Иван Петров" in customers  # as central knows it; the store keeps the mask and the ending
    assert store.scalar("SELECT customer FROM orders WHERE phone_tail = '4567'") == "Иван П."


def test_docs_markdown_example_matches_file() -> None:
    text = (DOCS / "manifest.md").read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert decode_manifest(block.encode()) == load_manifest_file(DOCS / "examples" / "manifest.json")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as info:
        load_manifest_file(tmp_path / "missing.json")
    assert (info.value.reason, info.value.path) == ("unreadable", "$")
    assert "missing.json: cannot read manifest" in str(info.value)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"version": "x"}')
    with pytest.raises(ManifestError) as info:
        load_manifest_file(bad)
    assert (info.value.reason, info.value.path) == ("wrong_type", "$.version")
    assert str(info.value).startswith(f"{bad}: invalid manifest: $.version: ")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_else(data: bytes) -> None:
    try:
        assert isinstance(decode_manifest(data), Manifest)
    except ManifestError as exc:
        assert exc.reason in REASONS and exc.path.startswith("$")


@settings(max_examples=300)
@given(st.sampled_from(["version", "supply_id", "carrier", "packages", "orders", "parcels"]), json_values(8))
def test_arbitrary_field_values_never_raise_anything_else(field: str, value: Any) -> None:
    d = manifest_dict()
    d[field] = value
    with contextlib.suppress(ManifestError):
        decode_manifest(raw(d))
