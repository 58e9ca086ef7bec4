"""Every MQTT payload decoder the inbox tests do not cover, fed any bytes: commands, desired
config, acks at the device, event batches at the hub. Each gives a value or pvz's own refusal,
and what it changes keeps its promise (an ack never runs ahead, the hub holds each event once)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from central.hub import Hub
from central.hub_store import HubStore
from device.decode import REASONS
from sync.commands import BadRequest, CommandProcessor, Request, parse_request
from sync.desired_config import Desired, DesiredConfig, DesiredConfigError, parse_desired
from sync.outbox import Outbox
from sync.publisher import ACK_REJECTED, Publisher
from sync.topics import Topics
from sync.transport import Inbound, MqttLink
from tests.support.factory import DEVICE, SITE, new_store
from tests.support.sim_device import write_config
from tests.support.strategies import json_values
from tests.support.sync import TOPICS, fill_journal

JSON = json_values(12)
FIXTURES = [HealthCheck.function_scoped_fixture]


def mutated(valid: list[bytes]) -> st.SearchStrategy[bytes]:
    """A valid payload with a few bytes cut out and a few random ones put in their place."""

    @st.composite
    def one(draw: st.DrawFn) -> bytes:
        raw = draw(st.sampled_from(valid))
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(max_size=4)) + raw[at + draw(st.integers(0, 4)) :]

    return one()


def payloads(valid: list[bytes], shapes: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return (
        st.binary(max_size=300)
        | JSON.map(lambda v: json.dumps(v).encode())
        | shapes.map(lambda v: json.dumps(v).encode())
        | mutated(valid)
        | st.sampled_from(valid)
    )


NOW = datetime(2026, 11, 21, 6, 0, 30, tzinfo=UTC)
COMMANDS = [
    b'{"id": "c1", "name": "ping", "issued_at": "2026-11-21T09:00:00Z"}',
    b'{"id": "c2", "name": "print-test", "args": {"station": "s1"}, "issued_at": "2026-11-21T09:00:00+03:00",'
    b' "expires_at": "2026-11-21T09:05:00+03:00"}',
]
TIMES = ["2026-11-21T09:00:00+03:00", "2026-11-21T09:00:00", "yesterday", "9999-12-31T23:59:00-05:00"]
COMMAND_SHAPES = st.fixed_dictionaries(
    {
        "id": st.text(max_size=140) | JSON,
        "name": st.sampled_from(["ping", "print-test", ""]) | JSON,
        "issued_at": st.sampled_from(TIMES) | st.datetimes(timezones=st.timezones()).map(str) | JSON,
    },
    optional={"args": JSON, "expires_at": JSON, "door": JSON},
)


@pytest.fixture
def processor(tmp_path: Path) -> Iterator[CommandProcessor]:
    store = new_store(tmp_path / "device.db")

    async def ping(args: dict[str, Any]) -> str:
        return "pong"

    yield CommandProcessor(store, {"ping": ping}, lambda: NOW)
    store.close()


@settings(max_examples=300, suppress_health_check=FIXTURES, deadline=None)
@given(raw=payloads(COMMANDS, COMMAND_SHAPES))
@example(
    raw=b'{"id": "c3", "name": "ping", "issued_at": "9999-12-31T23:59:00-05:00"}'
)  # + max age: past 9999
@example(
    raw=b'{"id": "c4", "name": "ping", "issued_at": "0001-01-01T00:00:00+05:00"}'
)  # in UTC: before year 1
def test_a_command_payload_is_a_request_or_a_bad_request_and_always_gets_a_reply(
    processor: CommandProcessor, raw: bytes
) -> None:
    try:
        request = parse_request(raw)
    except BadRequest as exc:
        assert str(exc)
    else:
        assert isinstance(request, Request) and 0 < len(request.id) <= 128
        assert isinstance(request.args, dict) and request.issued_at.tzinfo is not None
    props = SimpleNamespace(ResponseTopic="r/1", CorrelationData=b"c")
    reply = asyncio.run(processor.handle(raw, props))
    assert reply is not None and reply[:2] == ("r/1", b"c")
    body = json.loads(reply[2])
    assert isinstance(body["ok"], bool) and "id" in body


DESIRED = [
    b'{"version": 2, "config": {"issue": {"max_wrong_codes": 3}, "returns": {"window_days": 7}}}',
    b'{"version": 3, "toml": "[device]\\nlanguage = \\"en\\"\\n"}',
]
DESIRED_SHAPES = st.fixed_dictionaries(
    {"version": st.integers(-2, 2**64) | JSON},
    optional={
        "config": st.dictionaries(st.sampled_from(["device", "issue", "lights", "store"]), JSON, max_size=3)
        | JSON,
        "toml": st.text(max_size=60),
        "id": JSON,
        "extra": JSON,
    },
)


@settings(max_examples=300)
@given(raw=payloads(DESIRED, DESIRED_SHAPES))
def test_a_desired_config_payload_is_a_document_or_a_known_reason_with_a_path(raw: bytes) -> None:
    try:
        desired = parse_desired(raw)
    except DesiredConfigError as exc:
        assert exc.reason in REASONS and exc.path.startswith("$")
    else:
        assert isinstance(desired, Desired) and desired.version >= 1 and len(desired.hash) == 64


SECTIONS = ["device", "lights", "issue", "print", "returns", "clerks", "store"]
KEYS = ["language", "timeout_s", "max_wrong_codes", "window_days", "copies", "badges", "x"]
OVERLAYS = st.dictionaries(
    st.sampled_from(SECTIONS),
    st.dictionaries(
        st.sampled_from(KEYS), JSON | st.integers(-5, 400) | st.sampled_from(["en", "ru"]), max_size=3
    )
    | JSON,
    max_size=3,
)


@settings(max_examples=150, suppress_health_check=FIXTURES, deadline=None)
@given(
    raws=st.lists(
        payloads(DESIRED, st.fixed_dictionaries({"version": st.integers(1, 4), "config": OVERLAYS})),
        min_size=1,
        max_size=3,
    )
)
def test_a_desired_config_is_applied_whole_or_refused_with_a_known_reason_and_the_device_still_starts(
    tmp_path_factory: pytest.TempPathFactory, raws: list[bytes]
) -> None:
    desired = DesiredConfig(write_config(tmp_path_factory.mktemp("desired")))
    for raw in raws:
        before = desired.current()
        report = desired.apply(raw)
        if report["applied"]:
            assert desired.current() is not None and report["reason"] is None
        else:
            assert report["reason"] in REASONS and str(report["path"]).startswith("$")
            assert desired.current() == before
        config, _ = desired.effective()  # what `pvz run` starts with: always a checked config
        assert config.device.id


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[Publisher]:
    """A device with 20 events in its journal, of which 1..10 went out (no broker: acks are fed in)."""
    store = new_store(tmp_path / "device.db")
    fill_journal(store, 20)
    link = MqttLink(client_id=DEVICE, host="127.0.0.1")
    device = Publisher(store, link, TOPICS)
    device.published = device.sent = 10
    yield device
    store.close()


ACKS = [json.dumps({"device": DEVICE, "acked_seq": n}).encode() for n in (0, 4, 10, 11, 20)]
ACK_SHAPES = st.fixed_dictionaries(
    {"device": st.sampled_from([DEVICE, "pvz-other-0002"]) | JSON, "acked_seq": st.integers(-3, 30) | JSON},
    optional={"extra": JSON},
)


@settings(max_examples=300, suppress_health_check=FIXTURES, deadline=None)
@given(raws=st.lists(payloads(ACKS, ACK_SHAPES), min_size=1, max_size=5))
def test_an_ack_payload_moves_the_mark_forward_within_what_was_sent_or_is_counted_as_rejected(
    publisher: Publisher, raws: list[bytes]
) -> None:
    for raw in raws:
        mark, acks, rejected = publisher.acked, publisher.counters["acks"], publisher.counters[ACK_REJECTED]
        publisher._on_ack(Inbound(TOPICS.ack, raw, 1, False))
        taken = publisher.counters["acks"] - acks
        assert taken + publisher.counters[ACK_REJECTED] - rejected == 1
        assert mark <= publisher.acked <= publisher.published == 10
        assert Outbox(publisher.store).acked() == publisher.acked
        if not taken:
            assert publisher.acked == mark


def batch_json(first: int, last: int, *, device: str = DEVICE) -> dict[str, Any]:
    events = [
        {
            "seq": seq,
            "id": f"{seq:032x}",
            "device": device,
            "ts": "2026-11-21T06:00:00+00:00",
            "kind": "placed",
            "data": {"n": seq},
        }
        for seq in range(first, last + 1)
    ]
    return {"device": device, "first_seq": first, "last_seq": last, "events": events}


BATCHES = [json.dumps(batch_json(a, b)).encode() for a, b in ((1, 3), (2, 5), (4, 4), (7, 9))]
EVENT_SHAPES = st.fixed_dictionaries(
    {
        "seq": st.integers(-1, 12) | JSON,
        "id": st.sampled_from([f"{n:032x}" for n in range(1, 6)]) | JSON,
        "device": st.just(DEVICE) | JSON,
        "ts": st.just("2026-11-21T06:00:00+00:00") | JSON,
        "kind": st.just("placed") | JSON,
        "data": JSON,
    },
    optional={"station": JSON, "from": JSON, "extra": JSON},
)
BATCH_SHAPES = st.fixed_dictionaries(
    {
        "device": st.sampled_from([DEVICE, "pvz-other-0002"]) | JSON,
        "first_seq": st.integers(-1, 12) | JSON,
        "last_seq": st.integers(-1, 12) | JSON,
        "events": st.lists(EVENT_SHAPES, max_size=4) | JSON,
    }
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, list[bytes]]]:
    """A hub on its own SQLite file whose acks are collected instead of published (no broker)."""
    store = HubStore(tmp_path / "hub.db")
    link = MqttLink(client_id="hub-1", host="127.0.0.1")
    acks: list[bytes] = []

    async def publish(
        topic: str, payload: bytes | str, qos: int = 1, retain: bool = False, properties: Any = None
    ) -> None:
        assert topic == Topics(SITE, DEVICE).ack and qos == 1 and isinstance(payload, bytes)
        acks.append(payload)

    link.publish = publish  # type: ignore[method-assign]
    yield Hub(store, link), acks
    store.close()


@settings(max_examples=200, suppress_health_check=FIXTURES, deadline=None)
@given(raws=st.lists(payloads(BATCHES, BATCH_SHAPES), min_size=1, max_size=4))
def test_a_batch_payload_is_stored_once_and_acked_within_the_unbroken_run_or_counted_as_rejected(
    hub: tuple[Hub, list[bytes]], raws: list[bytes]
) -> None:
    central, acks = hub

    async def deliver() -> list[asyncio.Future[None] | None]:
        taken = [central._on_events(Inbound(TOPICS.events, raw, 1, False)) for raw in raws]
        await asyncio.gather(*(t for t in taken if t is not None))
        await asyncio.gather(*central._tasks)
        return taken

    before = central.counters["batches"] + central.counters["rejected"]
    taken = asyncio.run(deliver())
    assert central.counters["batches"] + central.counters["rejected"] - before == len(raws)
    assert all(t is None or t.done() for t in taken)
    assert isinstance(central.store, HubStore)  # the SQLite file of the fixture
    conn = central.store.conn
    assert conn.execute("SELECT count(*) = count(DISTINCT event_id) FROM events").fetchone()[0] == 1
    acked = central.store.acked(DEVICE)
    held = {seq for (seq,) in conn.execute("SELECT seq FROM events WHERE device = ?", (DEVICE,))}
    assert set(range(1, acked + 1)) <= held and acked + 1 not in held
    for raw in acks:
        ack = msgspec.json.decode(raw)
        assert ack["device"] == DEVICE and ack["acked_seq"] <= acked


def test_batches_that_arrive_during_a_commit_share_the_next_one_and_each_device_is_acked_once(
    hub: tuple[Hub, list[bytes]],
) -> None:
    central, acks = hub

    async def deliver() -> None:
        taken = [central._on_events(Inbound(TOPICS.events, raw, 1, False)) for raw in BATCHES]
        assert all(t is not None and not t.done() for t in taken)  # not stored yet: no PUBACK yet
        await asyncio.gather(*(t for t in taken if t is not None))
        await asyncio.gather(*central._tasks)

    asyncio.run(deliver())
    assert central.counters["commits"] == 1 and central.counters["batches"] == len(BATCHES)
    assert [json.loads(a) for a in acks] == [{"device": DEVICE, "acked_seq": 5}]  # 7..9 wait for 6
    assert central.counters["events_new"] == 8 and central.counters["duplicates"] == 3


def test_a_commit_that_fails_leaves_its_batches_unacked(hub: tuple[Hub, list[bytes]]) -> None:
    central, acks = hub
    assert isinstance(central.store, HubStore)
    central.store.conn.execute("DROP TABLE devices")  # the transaction fails after the inserts

    async def deliver() -> list[BaseException | None]:
        taken = [central._on_events(Inbound(TOPICS.events, raw, 1, False)) for raw in BATCHES[:2]]
        return await asyncio.gather(*(t for t in taken if t is not None), return_exceptions=True)

    outcomes = asyncio.run(deliver())
    assert len(outcomes) == 2 and all(isinstance(o, Exception) for o in outcomes)
    assert acks == [] and central.counters["batches"] == 0 and central.store.count() == 0
