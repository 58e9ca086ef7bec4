"""Commands and config pushes listed with their answers whoever sent them: the hub's group reads
them on the devices' cmd and config topics (central/dashboard/requests.py). On both stores, and
with `pvz-central fleet cmd` and `fleet config push` run against a real hub process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from central.cli import main as central
from central.store_api import CentralStore
from sync.desired_config import parse_desired
from tests.support.broker import Broker
from tests.support.hub_web import Devices, HubProcess, responder, running_hub, status, wait_for

SITE, DEVICE = "msk-01", "pvz-a"


@pytest.fixture
def store(hub_store: CentralStore) -> CentralStore:
    """Each test that takes it runs on both hub stores (tests/conftest.py hub_store)."""
    return hub_store


def test_a_request_is_kept_once_the_latest_first(store: CentralStore) -> None:
    assert store.record_request(SITE, DEVICE, "command", "c-1", operator="Анна", detail={"name": "ping"})
    assert not store.record_request(SITE, DEVICE, "command", "c-1", operator=None, detail={"name": "ping"})
    assert store.record_request(SITE, DEVICE, "config", "3:abc", operator=None, detail={"version": 3})
    rows = store.requests()
    assert [(r["kind"], r["request_id"], r["operator"]) for r in rows] == [
        ("config", "3:abc", None),
        ("command", "c-1", "Анна"),
    ]
    assert rows[1]["detail"] == {"name": "ping"} and rows[1]["sent_at"].endswith("+00:00")


def commands(hub: HubProcess) -> list[dict[str, Any]]:
    code, _, body = hub.request("GET", "/state")
    assert code == 200
    return list(json.loads(body)["commands"])


def test_the_command_lines_requests_with_their_answers(tmp_path: Path, broker: Broker) -> None:
    address = f"127.0.0.1:{broker.port}"
    doc = tmp_path / "desired.json"
    doc.write_text(json.dumps({"version": 3, "config": {"returns": {"window_days": 7}}}))
    desired = parse_desired(doc.read_bytes())
    bad = tmp_path / "desired4.json"
    bad.write_text(json.dumps({"version": 4, "config": {"returns": {"window_days": 9}}}))
    devices = Devices(broker.port)
    device = responder(broker.port, SITE, DEVICE)
    try:
        with running_hub(tmp_path, broker.port) as hub:
            assert (
                central(["fleet", "cmd", f"{SITE}/{DEVICE}", "ping", "--broker", address, "--timeout", "5"])
                == 0
            )
            row = wait_for(lambda: [c for c in commands(hub) if c["answer"]["key"] == "cmd_ok"])
            assert row and (row[0]["what"], row[0]["by"]) == ({"key": "cmd", "name": "ping"}, None)

            push = [
                "fleet",
                "config",
                "push",
                f"{SITE}/{DEVICE}",
                str(doc),
                "--broker",
                address,
                "--timeout",
                "0",
            ]
            assert central(push) == 0
            pushed = wait_for(lambda: [c for c in commands(hub) if c["what"]["key"] == "cfg_push"])
            assert (
                pushed and pushed[0]["what"]["version"] == 3 and pushed[0]["answer"] == {"key": "cmd_waiting"}
            )
            report = {"version": 3, "hash": desired.hash, "applied": True, "reason": None}
            devices.publish(SITE, DEVICE, status(SITE, DEVICE, config=report))
            assert wait_for(
                lambda: [
                    c
                    for c in commands(hub)
                    if c["what"].get("version") == 3 and c["answer"]["key"] == "cmd_ok"
                ]
            )

            push[4] = str(bad)
            assert central(push) == 0
            report = {"version": 4, "hash": "other", "applied": False, "reason": "unknown_field"}
            devices.publish(SITE, DEVICE, status(SITE, DEVICE, config=report))
            refused = wait_for(
                lambda: [
                    c
                    for c in commands(hub)
                    if c["what"].get("version") == 4 and c["answer"]["key"] == "cmd_failed"
                ]
            )
            assert refused and refused[0]["answer"]["reason"] == "unknown_field"
            assert commands(hub)[0]["what"]["version"] == 4  # the latest first
    finally:
        device.loop_stop()
        device.disconnect()
        devices.close()
