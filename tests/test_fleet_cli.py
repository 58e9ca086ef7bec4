"""`pvz-central fleet ls | cmd | config push` against two simulated devices on a real broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from central.cli import main
from sync.desired_config import config_hash
from tests.support.broker import Broker
from tests.support.sim_device import SimDevice

Scenario = Callable[[list[SimDevice], str], Awaitable[None]]


def with_devices(tmp_path: Path, broker: Broker, scenario: Scenario) -> list[SimDevice]:
    """Two devices of one site on the test's loop; the CLI runs in a worker thread (it has its own loop)."""

    async def run() -> list[SimDevice]:
        devices = [
            SimDevice(tmp_path / name, broker.port, device=name, site="msk-0001")
            for name in ("pvz-a", "pvz-b")
        ]
        for device in devices:
            await device.start()
        try:
            await scenario(devices, f"127.0.0.1:{broker.port}")
        finally:
            for device in devices:
                await device.close()
        return devices

    return asyncio.run(run())


async def pvz(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def test_fleet_ls_lists_both_devices(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scenario(devices: list[SimDevice], address: str) -> None:
        assert await pvz("fleet", "ls", "--broker", address) == 0
        assert await pvz("fleet", "ls", "--broker", address, "--json") == 0

    with_devices(tmp_path, broker, scenario)
    out = capsys.readouterr().out
    table, _, lines = out.partition("2 device(s)\n")
    rows = [line.split() for line in table.splitlines()]
    assert rows[0] == ["DEVICE", "SITE", "ONLINE", "VERSION", "OUTBOX", "LAST", "SEEN"]
    assert [r[:5] for r in rows[1:]] == [
        ["pvz-a", "msk-0001", "yes", "0.1.0", "1"],
        ["pvz-b", "msk-0001", "yes", "0.1.0", "1"],
    ]
    listed = [json.loads(line) for line in lines.splitlines()]
    assert [d["device"] for d in listed] == ["pvz-a", "pvz-b"] and all(d["last_seen"] for d in listed)


def test_fleet_cmd_to_a_whole_site_gets_an_answer_from_every_device(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scenario(devices: list[SimDevice], address: str) -> None:
        assert await pvz("fleet", "cmd", "msk-0001/*", "ping", "--broker", address) == 0
        code = await pvz("fleet", "cmd", "msk-0001/pvz-b", "print-test", "--broker", address, "--args", "{}")
        assert code == 0
        assert await pvz("fleet", "cmd", "msk-0001/pvz-a", "reboot", "--broker", address) == 1

    devices = with_devices(tmp_path, broker, scenario)
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    pings = {a["device"]: a for a in answers[:2]}
    assert set(pings) == {"msk-0001/pvz-a", "msk-0001/pvz-b"}
    assert all(a["ok"] and a["result"]["pong"] for a in pings.values())
    assert pings["msk-0001/pvz-b"]["result"]["device"] == "pvz-b"
    assert answers[2]["device"] == "msk-0001/pvz-b" and answers[2]["result"]["printed"] == {"s1": "sim-s1"}
    assert answers[3]["ok"] is False and answers[3]["error"] == "unknown command `reboot`"
    assert [d.calls["ping"] for d in devices] == [1, 1] and len(devices[1].printer.printed) == 1


def test_fleet_config_push_waits_for_the_ack_by_hash(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "desired.json"
    good.write_text(json.dumps({"version": 3, "config": {"returns": {"window_days": 7}}}))
    toml = tmp_path / "desired.toml"
    toml.write_text("[issue]\nmax_wrong_codes = 0\n")
    forbidden = tmp_path / "forbidden.json"
    forbidden.write_text(json.dumps({"version": 5, "config": {"store": {"path": "/tmp/x.db"}}}))

    async def scenario(devices: list[SimDevice], address: str) -> None:
        assert await pvz("fleet", "config", "push", "msk-0001/*", str(good), "--broker", address) == 0
        assert all(d.runtime.engine.policy.return_window_days == 7 for d in devices)
        bad = ("fleet", "config", "push", "msk-0001/pvz-a", str(toml), "--version", "4", "--broker", address)
        assert await pvz(*bad) == 1
        assert (
            await pvz("fleet", "config", "push", "msk-0001/pvz-a", str(forbidden), "--broker", address) == 2
        )

    devices = with_devices(tmp_path, broker, scenario)
    captured = capsys.readouterr()
    digest = config_hash(3, {"returns": {"window_days": 7}})
    assert f"msk-0001/pvz-a: pushed version 3 hash {digest}" in captured.out
    assert "msk-0001/pvz-a: applied\nmsk-0001/pvz-b: applied\n" in captured.out
    assert "msk-0001/pvz-a: rejected: desired config: $.issue.max_wrong_codes: " in captured.out
    assert "forbidden.json: $.config.store: " in captured.err and "(not_remote)" in captured.err
    report = devices[0].desired.report()
    assert (report["reason"], report["path"]) == ("out_of_range", "$.issue.max_wrong_codes")
    assert report["active"] == {"version": 3, "hash": digest}


def test_fleet_errors_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "ls", "--broker", "nonsense"]) == 2
    assert main(["fleet", "cmd", "Bad Site/x", "ping", "--args", "[1]"]) == 2
    err = capsys.readouterr().err
    assert "--broker must be HOST:PORT" in err and "--args must be a JSON object" in err


def test_fleet_edge_cases(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from central import fleet_cli
    from tests.support.broker import free_port

    address = f"127.0.0.1:{broker.port}"
    assert main(["fleet", "cmd", "Bad Site/x", "ping", "--broker", address]) == 2
    assert main(["fleet", "cmd", "empty-site/*", "ping", "--broker", address, "--window", "0.2"]) == 2
    assert main(["fleet", "cmd", "msk-0001/pvz-nobody", "ping", "--broker", address, "--timeout", "0.2"]) == 1
    toml = tmp_path / "d.toml"
    toml.write_text("[issue]\nmax_wrong_codes = 3\n")
    assert main(["fleet", "config", "push", "msk-0001/pvz-x", str(toml), "--broker", address]) == 2
    assert main(["fleet", "config", "push", "msk-0001/pvz-x", str(tmp_path / "none.json")]) == 2
    push = ["fleet", "config", "push", "msk-0001/pvz-x", str(toml), "--version", "1", "--timeout", "0"]
    assert main([*push, "--broker", address]) == 0
    monkeypatch.setattr(fleet_cli, "CONNECT_TIMEOUT_S", 0.3)
    assert main(["fleet", "ls", "--broker", f"127.0.0.1:{free_port()}"]) == 2
    captured = capsys.readouterr()
    assert "target 'Bad Site/x': site 'Bad Site'" in captured.err
    assert "no device of site 'empty-site'" in captured.err
    assert '{"device": "msk-0001/pvz-nobody", "ok": false, "error": "no answer within 0.2 s"}' in captured.out
    assert "a TOML file needs --version N" in captured.err and "none.json" in captured.err
    assert "msk-0001/pvz-x: pushed version 1 hash" in captured.out
    assert "cannot connect to 127.0.0.1:" in captured.err
