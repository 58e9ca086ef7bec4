"""`pvz-central fleet ls | cmd | config push` against two simulated devices on a real broker."""

from __future__ import annotations

import asyncio
import hashlib
import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from central.cli import main
from central.fleet_diag import save_bundle
from central.fleet_view import last_seen_utc
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


def test_fleet_ls_lists_both_devices_with_their_health(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scenario(devices: list[SimDevice], address: str) -> None:
        devices[1].printer.set_fault("paper out")
        await devices[1].reporter.publish_status()  # what the next periodic check would do
        assert await pvz("fleet", "ls", "--broker", address) == 0
        assert await pvz("fleet", "ls", "--broker", address, "--json") == 0

    with_devices(tmp_path, broker, scenario)
    out = capsys.readouterr().out
    table, _, lines = out.partition("2 device(s)\n")
    header, *rows = table.splitlines()
    assert header.split("  ")[0] == "DEVICE" and header.endswith("LAST SEEN (UTC)")
    for title in ("PRINTER", "PAPER", "SCANNERS", "OUTBOX", "CONFIG", "ALERTS"):
        assert title in header
    assert rows[0].split()[:11] == [
        "pvz-a",
        "msk-0001",
        "yes",
        "0.1.0",
        "-",  # no update reported
        "0",
        "ready",
        "ok",
        "1/1",
        "1",
        "none",
    ]
    assert rows[1].split()[:12] == [
        *["pvz-b", "msk-0001", "yes", "0.1.0", "-", "0", "paper", "out", "out", "1/1", "1", "printer"]
    ]
    assert "printer s1: paper out" in rows[1]
    listed = {d["device"]: d for d in map(json.loads, lines.splitlines())}
    assert list(listed) == ["pvz-a", "pvz-b"]
    assert listed["pvz-b"]["alert_list"] == ["printer s1: paper out"]
    assert listed["pvz-b"]["printers"] == {"s1": {"state": "paper out", "paper": "out"}}
    for device in listed.values():
        # The device wrote its time with an offset; the table shows the same moment in UTC.
        moment = datetime.fromisoformat(device["last_seen_raw"]).astimezone(UTC)
        assert device["last_seen"] == f"{moment:%Y-%m-%d %H:%M:%S}"
        assert device["last_seen"] in table


def test_last_seen_is_shown_in_utc_whatever_zone_the_device_wrote() -> None:
    assert last_seen_utc("2025-03-01T12:00:00+03:00") == "2025-03-01 09:00:00"
    assert last_seen_utc("2025-03-01T09:00:00+00:00") == "2025-03-01 09:00:00"
    assert last_seen_utc("2025-03-01T12:00:00") == "2025-03-01 12:00:00 (no zone)"
    assert last_seen_utc("yesterday") == "yesterday (unreadable)"
    assert last_seen_utc(None) is None


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
        assert await pvz("fleet", "ls", "--broker", address, "--json") == 0

    devices = with_devices(tmp_path, broker, scenario)
    captured = capsys.readouterr()
    digest = config_hash(3, {"returns": {"window_days": 7}})
    assert f"msk-0001/pvz-a: pushed version 3 hash {digest}" in captured.out
    assert "msk-0001/pvz-a: applied\nmsk-0001/pvz-b: applied\n" in captured.out
    assert "msk-0001/pvz-a: rejected: desired config: $.issue.max_wrong_codes: " in captured.out
    assert "forbidden.json: $.config.store: " in captured.err and "(not_remote)" in captured.err
    report = devices[0].desired.report()
    assert (report["reason"], report["path"]) == ("out_of_range", "$.issue.max_wrong_codes")
    listed = {d["device"]: d for d in map(json.loads, captured.out.splitlines()[-2:])}
    assert listed["pvz-a"]["alert_list"] == ["config 4 rejected: out_of_range at $.issue.max_wrong_codes"]
    assert listed["pvz-a"]["config_version"] == 3 and listed["pvz-b"]["alert_list"] == []
    assert report["active"] == {"version": 3, "hash": digest}


def test_every_site_is_one_target_for_commands_and_config(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    desired = tmp_path / "desired.json"
    desired.write_text(json.dumps({"version": 2, "config": {"returns": {"window_days": 5}}}))

    async def run() -> list[SimDevice]:
        devices = [
            SimDevice(tmp_path / site, broker.port, device="pvz-a", site=site)
            for site in ("msk-0001", "spb-0002")
        ]
        for device in devices:
            await device.start()
        address = f"127.0.0.1:{broker.port}"
        try:
            assert await pvz("fleet", "cmd", "*/*", "ping", "--broker", address) == 0
            assert await pvz("fleet", "config", "push", "*/*", str(desired), "--broker", address) == 0
        finally:
            for device in devices:
                await device.close()
        return devices

    devices = asyncio.run(run())
    out = capsys.readouterr().out.splitlines()
    pings = [json.loads(line) for line in out[:2]]
    assert [p["device"] for p in pings] == ["msk-0001/pvz-a", "spb-0002/pvz-a"]
    assert all(p["ok"] and p["result"]["pong"] for p in pings)
    assert out[-2:] == ["msk-0001/pvz-a: applied", "spb-0002/pvz-a: applied"]
    assert [d.calls["ping"] for d in devices] == [1, 1]
    assert all(d.runtime.engine.policy.return_window_days == 5 for d in devices)


def test_diagnostics_are_saved_as_a_file_not_printed(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "bundles"

    async def scenario(devices: list[SimDevice], address: str) -> None:
        cmd = ("fleet", "cmd", "msk-0001/*", "diagnostics", "--broker", address, "--save-dir", str(saved))
        assert await pvz(*cmd) == 0

    with_devices(tmp_path, broker, scenario)
    out = capsys.readouterr().out
    assert "base64" not in out and len(out) < 4000
    answers = {a["device"]: a["result"] for a in map(json.loads, out.splitlines())}
    for who, result in answers.items():
        path = Path(result["saved"])
        assert path.parent == saved and path.name.startswith(who.replace("/", "-") + "-pvz-diag-")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == result["sha256"]
        with zipfile.ZipFile(path) as bundle:
            meta = json.loads(next(bundle.read(n) for n in bundle.namelist() if n.endswith("meta.json")))
        assert meta["device"] == who.split("/")[1]


def test_a_bundle_that_does_not_match_its_digest_is_not_saved(tmp_path: Path) -> None:
    result: dict[str, Any] = {"path": "/d/pvz-diag-1.zip", "sha256": "0" * 64}
    reply = {"id": "x", "ok": True, "result": result}
    bad = save_bundle({**reply, "result": {**result, "base64": "UEsFBg=="}}, "s/d", tmp_path)
    assert bad["ok"] is False and bad["error"] == "the bundle does not match its sha256"
    assert "base64" not in bad["result"] and not list(tmp_path.iterdir())
    big = save_bundle(reply, "s/d", tmp_path)
    assert (
        big["ok"] is True and big["result"]["saved"] is None and "/d/pvz-diag-1.zip" in big["result"]["note"]
    )


def test_fleet_errors_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "ls", "--broker", "nonsense"]) == 2
    assert main(["fleet", "cmd", "Bad Site/x", "ping", "--args", "[1]"]) == 2
    err = capsys.readouterr().err
    assert "--broker must be HOST:PORT" in err and "--args must be a JSON object" in err


def test_fleet_edge_cases(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from central import fleet_link
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
    monkeypatch.setattr(fleet_link, "CONNECT_TIMEOUT_S", 0.3)
    assert main(["fleet", "ls", "--broker", f"127.0.0.1:{free_port()}"]) == 2
    captured = capsys.readouterr()
    assert "target 'Bad Site/x': site 'Bad Site'" in captured.err
    assert "no device of site 'empty-site'" in captured.err
    assert '{"device": "msk-0001/pvz-nobody", "ok": false, "error": "no answer within 0.2 s"}' in captured.out
    assert "a TOML file needs --version N" in captured.err and "none.json" in captured.err
    assert "msk-0001/pvz-x: pushed version 1 hash" in captured.out
    assert "cannot connect to 127.0.0.1:" in captured.err
