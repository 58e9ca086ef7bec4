"""Hypothesis over every MQTT payload decoder: any bytes give a value or pvz's own refusal, never a crash.

Each decoder is fed raw bytes, arbitrary JSON, and valid payloads with one byte changed or
a field replaced. A refusal is pvz's InputError (a reason from device.decode.REASONS and a
JSON path) or, for a remote command, BadRequest, which the device answers with an error.
(Decoders another change adds for sync get their own tests/test_fuzz_*.py module.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from central.hub_batches import check
from device.decode import REASONS, decode
from device.exc import InputError
from sync.commands import BadRequest, parse_request
from sync.desired_config import parse_desired
from sync.inbox import decode_message
from sync.inbox_service import MAX_OUTCOME_BYTES, WireOutcome
from sync.publisher import MAX_ACK_BYTES, WireAck, WireBatch
from tests.support.factory import standard_manifest
from tests.support.strategies import json_values

EVENT = {
    "id": "0190d5a4-0000-7000-8000-000000000001",
    "seq": 1,
    "device": "pvz-test-0001",
    "ts": "2026-11-21T09:00:00+00:00",
    "kind": "accepted",
    "station": "s1",
    "clerk": "BADGE-0001",
    "parcel": "11111111-0001-1",
    "from": "expected",
    "to": "accepted",
    "cell": None,
    "data": {},
}
OUTCOME: dict[str, object] = {"device": "pvz-test-0001", "id": "m-1", "outcome": "applied", "code": None}
OUTCOME.update(path=None, reason=None, counts={"parcels": 5}, ts="2026-11-21T09:00:00Z")
VALID: dict[str, bytes] = {
    "ack": json.dumps({"device": "pvz-test-0001", "acked_seq": 7}).encode(),
    "batch": json.dumps(
        {"device": "pvz-test-0001", "first_seq": 1, "last_seq": 1, "events": [EVENT]}
    ).encode(),
    "manifest": json.dumps(
        {"type": "supply", "id": "m-1", "version": 1, "body": standard_manifest().to_json()}
    ).encode(),
    "desired": json.dumps({"version": 3, "config": {"device": {"language": "en"}}}).encode(),
    "command": json.dumps(
        {"id": "c-1", "name": "status", "args": {}, "issued_at": "2026-11-21T09:00:00Z"}
    ).encode(),
    "outcome": json.dumps(OUTCOME).encode(),
}


def _batch(raw: bytes) -> None:
    batch = decode(raw, WireBatch, max_bytes=1 << 20, what="invalid batch")
    try:
        check("test-site", "pvz-test-0001", batch)
    except ValueError as exc:  # the hub's BadBatch: logged and counted, never raised further
        assert isinstance(exc, InputError) or type(exc).__name__ == "BadBatch"


DECODERS: dict[str, Callable[[bytes], Any]] = {
    "ack": lambda raw: decode(raw, WireAck, max_bytes=MAX_ACK_BYTES, what="invalid ack"),
    "batch": _batch,
    "manifest": decode_message,
    "desired": parse_desired,
    "command": parse_request,
    "outcome": lambda raw: decode(raw, WireOutcome, max_bytes=MAX_OUTCOME_BYTES, what="invalid outcome"),
}


def flipped(raw: bytes, at: int, value: int) -> bytes:
    i = at % len(raw)
    return raw[:i] + bytes([value]) + raw[i + 1 :]


def replaced(raw: bytes, path: list[int], value: Any) -> bytes:
    """The valid payload with one field, picked by `path` through its objects, set to `value`."""
    doc = json.loads(raw)
    node = doc
    for step in path:
        if not isinstance(node, dict) or not node:
            break
        key = sorted(node)[step % len(node)]
        if not isinstance(node[key], dict) or not node[key]:
            node[key] = value
            break
        node = node[key]
    return json.dumps(doc).encode()


def payloads(name: str) -> st.SearchStrategy[bytes]:
    raw = VALID[name]
    return st.one_of(
        st.binary(max_size=300),
        json_values(20).map(lambda v: json.dumps(v).encode()),
        st.builds(flipped, st.just(raw), st.integers(0, 10_000), st.integers(0, 255)),
        st.builds(replaced, st.just(raw), st.lists(st.integers(0, 20), max_size=4), json_values(10)),
    )


def refused_properly(name: str, raw: bytes) -> None:
    try:
        DECODERS[name](raw)
    except InputError as exc:
        assert exc.reason in REASONS and exc.path.startswith("$"), (exc.reason, exc.path)
    except BadRequest:
        assert name == "command"
    except msgspec.ValidationError:  # never: decode() turns these into InputError
        raise AssertionError("a library's error escaped pvz's decoder") from None


def test_the_valid_payloads_decode() -> None:
    for name, raw in VALID.items():
        DECODERS[name](raw)


@given(payloads("ack"))
def test_fuzz_ack(raw: bytes) -> None:
    refused_properly("ack", raw)


@given(payloads("batch"))
def test_fuzz_event_batch(raw: bytes) -> None:
    refused_properly("batch", raw)


@given(payloads("manifest"))
def test_fuzz_manifest_message(raw: bytes) -> None:
    refused_properly("manifest", raw)


@given(payloads("desired"))
def test_fuzz_desired_config(raw: bytes) -> None:
    refused_properly("desired", raw)


@given(payloads("command"))
def test_fuzz_command(raw: bytes) -> None:
    refused_properly("command", raw)


@given(payloads("outcome"))
def test_fuzz_outcome(raw: bytes) -> None:
    refused_properly("outcome", raw)
