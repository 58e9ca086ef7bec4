"""The inbox refuses whatever is wrong with a message: whole, logged, counted, with a reason code and a path."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.decode import REASONS
from device.engine import Engine
from device.store.db import Store
from sync.inbox import MAX_MESSAGE_BYTES, InboxResult, wrap
from tests.support.factory import M, P
from tests.support.strategies import json_values
from tests.test_inbox import GOOD, counter, domain, inbox_row, put, s9, supply, updates

# -- rejections ---------------------------------------------------------------------------------

MALFORMED: dict[str, tuple[bytes, str | None, str, str]] = {
    # name: (payload, id the record is kept under, reason code, JSON path)
    "not json": (b"cancel order 22222222", None, "not_json", "$"),
    "empty": (b"", None, "not_json", "$"),
    "not utf-8": (b'{"id": "\xff\xfe"}', None, "not_utf8", "$"),
    "not utf-8 in a field": (b'{"type": "updates", "id": "m-\xff"}', None, "not_utf8", "$"),
    "an array": (b"[1, 2]", None, "wrong_type", "$"),
    "deeply nested": (
        b'{"id": "m-deep", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        None,
        "too_deep",
        "$",
    ),
    "10 MB": (b'{"id": "m-big", "pad": "' + b"x" * 10_000_000 + b'"}', None, "too_large", "$"),
    "no type": (
        json.dumps({k: v for k, v in GOOD.items() if k != "type"}).encode(),
        "m-ok",
        "missing_field",
        "$.type",
    ),
    "unknown type": (json.dumps({**GOOD, "type": "refund"}).encode(), "m-ok", "bad_value", "$.type"),
    "wrong schema": (
        json.dumps({**GOOD, "body": {"orders": []}}).encode(),
        "m-ok",
        "unknown_field",
        "$.body.orders",
    ),
    "string version": (json.dumps({**GOOD, "version": "1"}).encode(), "m-ok", "wrong_type", "$.version"),
    "float version": (json.dumps({**GOOD, "version": 1.0}).encode(), "m-ok", "wrong_type", "$.version"),
    "zero version": (json.dumps({**GOOD, "version": 0}).encode(), "m-ok", "out_of_range", "$.version"),
    "bad id": (json.dumps({**GOOD, "id": "has space"}).encode(), None, "bad_format", "$.id"),
    "long id": (json.dumps({**GOOD, "id": "x" * 65}).encode(), None, "too_long", "$.id"),
    "unknown envelope field": (
        json.dumps({**GOOD, "priority": 1}).encode(),
        "m-ok",
        "unknown_field",
        "$.priority",
    ),
    "unknown update field": (
        updates({"type": "cancel_order", "order": "22222222", "why": "x"}, mid="m-ok", version=1),
        "m-ok",
        "unknown_field",
        "$.body.updates[0].why",
    ),
    "grace too long": (
        updates(
            {"type": "pickup_code", "order": "22222222", "pickup_code_hmac": "a" * 64, "grace_hours": 73},
            mid="m-ok",
            version=1,
        ),
        "m-ok",
        "out_of_range",
        "$.body.updates[0].grace_hours",
    ),
    "unknown parcel": (
        updates(
            {"type": "deadline", "parcel": "00000000-0000-0", "deadline": "2026-12-01"}, mid="m-ok", version=1
        ),
        "m-ok",
        "unknown_reference",
        "$.body.updates[0].parcel",
    ),
    "supply version differs": (
        json.dumps({"id": "m-ok", "type": "supply", "version": 2, "body": s9().to_json()}).encode(),
        "m-ok",
        "version_mismatch",
        "$.version",
    ),
    "bad supply reference": (
        wrap(
            "supply",
            json.dumps({**s9().to_json(), "orders": [{"id": "X", "customer": "Я"}]}).encode(),
            message_id="m-ok",
            version=1,
        ),
        "m-ok",
        "unknown_reference",
        "$.body.parcels[0].order",
    ),
    "barcode of another supply": (
        supply(M("S9", [P("11111111-0001-1", "99999999")]), mid="m-ok"),
        "m-ok",
        "duplicate_barcode",
        "$.body.parcels[0].barcode",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_message_is_rejected_whole_logged_and_counted(
    deadline_day: tuple[Store, Engine], caplog: pytest.LogCaptureFixture, name: str
) -> None:
    store, _ = deadline_day
    payload, mid, code, path = MALFORMED[name]
    before = domain(store)
    caplog.set_level(logging.WARNING, logger="pvz.sync.inbox")
    result = put(store, payload)
    assert (result.outcome, result.id, result.code, result.path) == ("rejected", mid, code, path)
    assert str(result.reason).startswith(f"{code} {path}: ")  # what an operator greps for
    assert len(str(result.reason)) <= 301
    assert domain(store) == before
    logged = [r.getMessage() for r in caplog.records if r.name == "pvz.sync.inbox"]
    assert len(logged) == 1 and "rejected" in logged[0] and str(result.reason) in logged[0]
    assert (counter(store, "inbox_rejected"), counter(store, "inbox_rejected:manifest")) == (1, 1)
    rows = store.conn.execute("SELECT id, outcome, reason FROM inbox_messages").fetchall()
    assert [tuple(r) for r in rows] == ([] if mid is None else [(mid, "rejected", result.reason)])


def test_a_rejected_id_may_come_again_fixed_but_an_applied_one_never_changes(
    deadline_day: tuple[Store, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = deadline_day
    assert put(store, MALFORMED["unknown envelope field"][0]).outcome == "rejected"
    assert put(store, json.dumps(GOOD).encode()).outcome == "applied"
    assert inbox_row(store, "m-ok") == ("updates", 1, "applied", None)
    before = domain(store)
    assert put(store, MALFORMED["unknown envelope field"][0]).outcome == "rejected"
    assert inbox_row(store, "m-ok") == ("updates", 1, "applied", None)
    caplog.set_level(logging.WARNING, logger="pvz.sync.inbox")
    reused = put(store, supply(s9(), mid="m-ok"))
    assert (reused.outcome, reused.reason) == ("duplicate", "already applied as updates version 1")
    assert "duplicate message m-ok" in caplog.text
    assert domain(store) == before
    assert counter(store, "inbox_rejected") == 2


def test_counters_name_the_topic_kind(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    put(store, b"junk", topic="file")
    put(store, b"junk", topic="pvz/v1/test-site/pvz-test-0001/manifest")
    put(store, supply(s9(), mid="f1"), topic="file")
    names = dict(store.conn.execute("SELECT name, value FROM sync_counters").fetchall())
    assert names == {
        "inbox_rejected": 2,
        "inbox_rejected:file": 1,
        "inbox_rejected:manifest": 1,
        "inbox_applied": 1,
        "inbox_applied:file": 1,
    }


def test_the_size_limit_is_checked_before_decoding(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    pad = MAX_MESSAGE_BYTES - len(supply(s9(), mid="edge")) - 20
    body = {**s9().to_json(), "carrier": "Test Carrier"}
    raw = wrap("supply", json.dumps(body).encode() + b" " * pad, message_id="edge", version=1)
    assert len(raw) <= MAX_MESSAGE_BYTES and put(store, raw).outcome == "applied"
    over = raw + b" " * (MAX_MESSAGE_BYTES - len(raw) + 1)
    refused = put(store, over)
    assert (refused.outcome, refused.code) == ("rejected", "too_large")


# -- anything at all ----------------------------------------------------------------------------

JSON = json_values(12)
VALID = [
    supply(s9(2, "99999999-0007-1"), mid="h-supply"),
    updates({"type": "cancel_order", "order": "22222222"}, mid="h-cancel", version=3),
    updates(
        {"type": "pickup_code", "order": "33333333", "pickup_code_hmac": "ab" * 32, "grace_hours": 5},
        {"type": "deadline", "parcel": "44444444-0001-1", "deadline": "2026-12-24"},
        mid="h-code",
        version=4,
    ),
]
ENVELOPES = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["h-1", "", "x" * 65]) | st.text(max_size=8),
        "type": st.sampled_from(["supply", "updates", "cancel"]) | JSON,
        "version": st.integers(min_value=-2, max_value=2**64) | JSON,
        "body": JSON | st.sampled_from([json.loads(v)["body"] for v in VALID]),
    },
    optional={"extra": JSON},
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(VALID))
    at = draw(st.integers(0, len(raw)))
    cut = draw(st.integers(0, 4))
    return raw[:at] + draw(st.binary(max_size=4)) + raw[at + cut :]


PAYLOADS = (
    st.binary(max_size=300)
    | JSON.map(lambda v: json.dumps(v).encode())
    | ENVELOPES.map(lambda v: json.dumps(v).encode())
    | mutated()
    | st.sampled_from(VALID)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=PAYLOADS)
def test_any_bytes_give_a_result_and_change_nothing_unless_applied(
    deadline_day: tuple[Store, Engine], raw: bytes
) -> None:
    store, _ = deadline_day
    before = domain(store)
    result = put(store, raw)
    assert isinstance(result, InboxResult)
    assert result.outcome in ("applied", "stale", "duplicate", "rejected")
    assert (result.reason is None) == (result.outcome == "applied")
    assert (result.code is not None) == (result.outcome == "rejected")
    if result.code is not None:
        assert result.code in REASONS and str(result.path).startswith("$")
        assert str(result.reason).startswith(f"{result.code} {result.path}")
    if result.outcome != "applied":
        assert domain(store) == before
    assert not store.conn.in_transaction
