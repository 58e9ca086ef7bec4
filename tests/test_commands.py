"""Commands over a real broker: MQTT 5 request/response, allow-list, de-duplication, restarts, expiry."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from device.store.db import Store
from sync.commands import EXPIRED, UNKNOWN_OUTCOME, CommandProcessor, parse_request
from sync.topics import reply_topic
from tests.support.broker import Broker
from tests.support.sim_device import Central, SimDevice, command, run

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def test_ping_round_trip_uses_response_topic_and_correlation(tmp_path: Path, broker: Broker) -> None:
    seen: dict[str, Any] = {}

    async def scenario(device: SimDevice, central: Central) -> None:
        body = command("ping")
        correlation = await central.send(device.topics.cmd, body)
        reply, msg = await asyncio.wait_for(central.replies[correlation], 10)
        seen.update(reply=reply, topic=msg.topic, correlation=msg.prop("CorrelationData"), id=body["id"])
        seen["want"] = correlation

    run(tmp_path, broker, scenario)
    assert seen["topic"].startswith("pvz/fleet/replies/")
    assert seen["correlation"] == seen["want"]
    assert seen["reply"]["id"] == seen["id"] and seen["reply"]["ok"] is True
    assert seen["reply"]["result"]["pong"] is True and seen["reply"]["result"]["device"] == "pvz-test-0001"


def test_unknown_command_gets_an_error_answer(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        reply = await central.ask(device.topics.cmd, command("open-all-doors"))
        assert reply["ok"] is False and reply["error"] == "unknown command `open-all-doors`"
        bad = await central.ask(device.topics.cmd, {"id": "x1", "name": "ping"})  # no issued_at
        assert bad == {"id": "x1", "ok": False, "error": bad["error"]}
        assert bad["error"].startswith("bad request: `issued_at`")

    device = run(tmp_path, broker, scenario)
    assert sum(device.calls.values()) == 0


def test_a_repeated_command_gets_the_stored_reply_and_runs_once(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        body = command("print-test")
        first = await central.ask(device.topics.cmd, body)
        second = await central.ask(device.topics.cmd, body)
        assert first["ok"] is True and first == second

    device = run(tmp_path, broker, scenario)
    assert device.calls["print-test"] == 1
    assert len(device.printer.printed) == 1
    row = device.store.conn.execute("SELECT state, reply FROM commands").fetchone()
    assert row["state"] == "done" and json.loads(row["reply"])["ok"] is True


def test_a_command_running_when_the_process_died_is_answered_outcome_unknown(
    tmp_path: Path, broker: Broker
) -> None:
    from tests.support.sim_device import open_device_store

    store = open_device_store(tmp_path / "device")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO commands (id, name, state, received_at) VALUES ('c-1', 'print-test', 'running', ?)",
            (NOW.isoformat(),),
        )

    async def scenario(device: SimDevice, central: Central) -> None:
        assert device.processor.recovered == ["c-1"]
        reply = await central.ask(device.topics.cmd, command("print-test", id="c-1"))
        assert reply["id"] == "c-1" and reply["ok"] is False and reply["error"] == UNKNOWN_OUTCOME
        again = await central.ask(device.topics.cmd, command("print-test", id="c-1"))
        assert again == reply

    device = run(tmp_path, broker, scenario, store=store)
    assert device.calls["print-test"] == 0 and device.printer.printed == ()


def test_a_command_issued_long_ago_is_answered_expired_and_not_run(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        old = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
        reply = await central.ask(device.topics.cmd, command("print-test", issued_at=old))
        assert reply["ok"] is False and reply["error"] == EXPIRED and "issued_at" in reply["detail"]
        past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        reply = await central.ask(device.topics.cmd, command("lights-test", expires_at=past))
        assert reply["error"] == EXPIRED and "expires_at" in reply["detail"]

    device = run(tmp_path, broker, scenario)
    assert device.calls == {} and device.printer.printed == ()


def test_message_expiry_drops_a_command_queued_while_the_device_was_away(
    tmp_path: Path, broker: Broker
) -> None:
    """The broker drops the expired request; the next one arrives, and only it runs."""

    async def main() -> None:
        device = SimDevice(tmp_path / "device", broker.port)
        await device.start()
        await device.close(goodbye=False)  # a clean disconnect: the persistent session stays
        central = Central(broker.port)
        await central.start()
        stale = command("print-test")
        await central.send(device.topics.cmd, stale, expiry=1)
        await asyncio.sleep(2.5)  # longer than the expiry: the broker must not deliver it
        fresh = await central.send(device.topics.cmd, command("ping"))
        again = SimDevice(tmp_path / "device", broker.port, store=device.store)
        await again.start()
        reply = await central.answer(fresh)
        assert reply["ok"] is True
        ids = [r[0] for r in again.store.conn.execute("SELECT id FROM commands")]
        assert stale["id"] not in ids and again.calls == {"ping": 1} and again.printer.printed == ()
        central.link.stop()
        await again.close()

    asyncio.run(main())


def test_message_expiry_counts_from_when_the_transport_received_it(store: Store) -> None:
    clock = SimpleNamespace(t=100.0)
    calls: list[str] = []

    async def ping(args: dict[str, Any]) -> str:
        calls.append("ping")
        return "pong"

    processor = CommandProcessor(store, {"ping": ping}, lambda: NOW, monotonic=lambda: clock.t)
    body = json.dumps({"id": "e1", "name": "ping", "issued_at": NOW.isoformat()}).encode()
    props = SimpleNamespace(ResponseTopic="r/1", CorrelationData=b"c", MessageExpiryInterval=5)
    clock.t = 106.0  # received at 100 and queued behind something slow for 6 s
    topic, correlation, reply = asyncio.run(processor.handle(body, props, received_at=100.0)) or (
        "",
        b"",
        b"",
    )
    assert (topic, correlation) == ("r/1", b"c")
    assert json.loads(reply)["error"] == EXPIRED and calls == []
    assert (
        asyncio.run(processor.handle(body, SimpleNamespace(CorrelationData=b"c"))) is None
    )  # nowhere to answer
    assert store.scalar("SELECT value FROM sync_counters WHERE name = 'commands_rejected'") == 1


def test_request_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="unknown field `door`"):
        parse_request(b'{"id": "1", "name": "ping", "issued_at": "2026-11-21T09:00:00Z", "door": 1}')
    with pytest.raises(ValueError, match="needs a time zone"):
        parse_request(b'{"id": "1", "name": "ping", "issued_at": "2026-11-21T09:00:00"}')
    with pytest.raises(ValueError, match="`args` must be a JSON object"):
        parse_request(b'{"id": "1", "name": "ping", "args": [], "issued_at": "2026-11-21T09:00:00Z"}')


def processor_for(store: Store, **actions: Any) -> CommandProcessor:
    return CommandProcessor(store, actions, lambda: NOW)


def request(cid: str, name: str, **args: Any) -> bytes:
    return json.dumps({"id": cid, "name": name, "args": args, "issued_at": NOW.isoformat()}).encode()


PROPS = SimpleNamespace(ResponseTopic="r/1", CorrelationData=b"c")


def reply_of(processor: CommandProcessor, payload: bytes) -> dict[str, Any]:
    answer = asyncio.run(processor.handle(payload, PROPS))
    assert answer is not None
    return dict(json.loads(answer[2]))


def test_a_duplicate_arriving_while_the_first_runs_gets_the_same_reply(store: Store) -> None:
    calls: list[int] = []

    async def slow(args: dict[str, Any]) -> int:
        calls.append(1)
        await release.wait()
        return len(calls)

    processor = processor_for(store, slow=slow)

    async def main() -> list[Any]:
        first = asyncio.create_task(processor.handle(request("d1", "slow"), PROPS))
        await asyncio.sleep(0)
        second = asyncio.create_task(processor.handle(request("d1", "slow"), PROPS))
        await asyncio.sleep(0)
        assert processor.status()["running_now"] == ["d1"]
        release.set()
        return list(await asyncio.gather(first, second))

    release = asyncio.Event()
    first, second = asyncio.run(main())
    assert first == second and json.loads(first[2]) == {"id": "d1", "ok": True, "result": 1}
    assert calls == [1] and processor.status()["commands"] == {"done": 1}


def test_failures_are_answered_not_raised(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync import commands

    async def boom(args: dict[str, Any]) -> None:
        raise RuntimeError("relay stuck")

    async def refuse(args: dict[str, Any]) -> None:
        raise commands.CommandFailed("no such station")

    async def hang(args: dict[str, Any]) -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(commands, "ACTION_TIMEOUT_S", 0.01)
    processor = processor_for(store, boom=boom, refuse=refuse, hang=hang)
    assert reply_of(processor, request("f1", "boom"))["error"] == "failed: RuntimeError: relay stuck"
    assert reply_of(processor, request("f2", "refuse"))["error"] == "no such station"
    assert reply_of(processor, request("f3", "hang"))["error"] == UNKNOWN_OUTCOME


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"x" * 20_000, "over the limit"),
        (b"{", "not JSON"),
        (b"[" * 10_000, "nested too deeply"),
        (b"[]", "must be a JSON object"),
        (b'{"id": "1", "id": "2", "name": "ping", "issued_at": "2026-11-21T09:00:00Z"}', "duplicate_key $: "),
        (
            b'{"id": "1", "name": "ping", "args": {"on": 1, "on": 0}, "issued_at": "2026-11-21T09:00:00Z"}',
            "duplicate_key $.args: key `on`",
        ),
        (b'{"id": "1", "name": "ping", "args": {"n": NaN}, "issued_at": "2026-11-21T09:00:00Z"}', "not JSON"),
        (b'{"id": "", "name": "ping"}', "`id` must be a string"),
        (b'{"id": "1", "name": 3}', "`name` must be a non-empty string"),
        (b'{"id": "1", "name": "ping", "issued_at": 5}', "`issued_at` must be an ISO 8601 time string"),
        (b'{"id": "1", "name": "ping", "issued_at": "yesterday"}', "`issued_at` is not an ISO 8601 time"),
        (
            b'{"id": "1", "name": "ping", "issued_at": "2026-11-21T09:00:00Z", "expires_at": "soon"}',
            "expires_at",
        ),
    ],
)
def test_bad_requests_are_answered_with_the_reason_and_not_stored(
    store: Store, payload: bytes, reason: str
) -> None:
    reply = reply_of(processor_for(store), payload)
    assert reply["ok"] is False and reply["error"].startswith("bad request: ") and reason in reply["error"]
    assert store.scalar("SELECT count(*) FROM commands") == 0


def test_old_replies_are_dropped_at_start(store: Store) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO commands (id, name, state, reply, received_at, finished_at) VALUES (?, 'ping', 'done', '{}', ?, ?)",
            [
                ("old", "2026-09-01T00:00:00+00:00", "2026-09-01T00:00:00+00:00"),
                ("new", NOW.isoformat(), NOW.isoformat()),
            ],
        )
    processor_for(store)
    assert [r[0] for r in store.conn.execute("SELECT id FROM commands")] == ["new"]


def test_a_reply_asked_for_outside_the_devices_replies_prefix_is_refused_before_it_runs(
    store: Store,
) -> None:
    ran: list[str] = []

    async def ping(args: dict[str, Any]) -> dict[str, Any]:
        ran.append("ping")
        return {"pong": True}

    prefix = reply_topic("s1", "dev-a", "")
    processor = CommandProcessor(store, {"ping": ping}, lambda: NOW, reply_prefix=prefix)
    ping_request = request("c-1", "ping")
    elsewhere = SimpleNamespace(ResponseTopic="pvz/v1/replies/s1/dev-b/n1", CorrelationData=b"c")
    assert asyncio.run(processor.handle(ping_request, elsewhere)) is None
    assert ran == []
    assert store.scalar("SELECT value FROM sync_counters WHERE name = 'commands_rejected'") == 1
    own = SimpleNamespace(ResponseTopic=reply_topic("s1", "dev-a", "n1"), CorrelationData=b"c")
    answer = asyncio.run(processor.handle(ping_request, own))
    assert answer is not None and answer[0] == "pvz/v1/replies/s1/dev-a/n1" and ran == ["ping"]
