"""Desired config: allowed sections only, validated with the base config, written atomically, acked by hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from device.config import load_config
from sync.desired_config import (
    OVERLAY_NAME,
    DesiredConfig,
    DesiredConfigError,
    canonical,
    config_hash,
    parse_desired,
)
from tests.support.broker import Broker
from tests.support.sim_device import Central, SimDevice, run, write_config
from tests.support.sync import wait_until


def doc(version: int, config: dict[str, Any]) -> bytes:
    return json.dumps({"version": version, "config": config}).encode()


@pytest.fixture
def desired(tmp_path: Path) -> DesiredConfig:
    return DesiredConfig(write_config(tmp_path))


def test_the_hash_is_over_canonical_json_whatever_the_key_order() -> None:
    a = parse_desired(
        b'{"version": 2, "config": {"issue": {"max_wrong_codes": 3}, "returns": {"window_days": 7}}}'
    )
    b = parse_desired(
        b'{"config": {"returns": {"window_days": 7}, "issue": {"max_wrong_codes": 3}}, "version": 2}'
    )
    assert (
        a.hash == b.hash == config_hash(2, {"returns": {"window_days": 7}, "issue": {"max_wrong_codes": 3}})
    )
    assert canonical({"b": 1, "a": "я"}) == '{"a":"я","b":1}'.encode()
    toml = parse_desired(json.dumps({"version": 2, "toml": "[issue]\nmax_wrong_codes = 3\n"}).encode())
    assert toml.overlay == {"issue": {"max_wrong_codes": 3}}


def test_the_overlay_goes_into_the_store_directory_next_to_the_base_config(desired: DesiredConfig) -> None:
    assert desired.path == desired.config_file.parent / OVERLAY_NAME


def test_a_valid_document_is_written_and_in_force(desired: DesiredConfig) -> None:
    report = desired.apply(doc(1, {"issue": {"max_wrong_codes": 3}, "device": {"language": "en"}}))
    assert report["applied"] is True and report["error"] is None
    assert report["hash"] == config_hash(1, {"issue": {"max_wrong_codes": 3}, "device": {"language": "en"}})
    assert report["active"] == {"version": 1, "hash": report["hash"]}
    config, current = desired.effective()
    assert config.issue.max_wrong_codes == 3 and config.device.language == "en"
    assert config.device.id == "pvz-test-0001"  # the rest of [device] comes from the base config
    assert current is not None and current.version == 1
    assert load_config(desired.config_file).issue.max_wrong_codes == 5  # the base file is untouched
    again = desired.apply(doc(1, {"device": {"language": "en"}, "issue": {"max_wrong_codes": 3}}))
    assert again["applied"] is True  # the retained document delivered again: a no-op
    second = desired.apply(doc(2, {"returns": {"window_days": 3}}))
    assert second["applied"] is True and desired.effective()[0].issue.max_wrong_codes == 5
    previous = json.loads(desired.previous_path.read_text())
    assert previous["version"] == 1


@pytest.mark.parametrize(
    ("config", "reason", "path"),
    [
        ({"issue": {"max_wrong_codes": 0}}, "out_of_range", "$.issue.max_wrong_codes"),
        ({"issue": {"max_wrong": 3}}, "unknown_field", "$.issue.max_wrong"),
        ({"clerks": [{"badge": "B-1", "name": "x"}]}, "too_short", "$.clerks[0].badge"),
        ({"security": {"pickup_key": "00" * 16}}, "not_remote", "$.config.security"),
        ({"stations": []}, "not_remote", "$.config.stations"),
        ({"device": {"id": "pvz-other"}}, "not_remote", "$.config.device.id"),
        ({"lights": {"backend": "gpio"}}, "not_remote", "$.config.lights.backend"),
    ],
)
def test_a_bad_or_forbidden_document_is_rejected_and_the_old_one_stays(
    desired: DesiredConfig, config: dict[str, Any], reason: str, path: str
) -> None:
    ok = desired.apply(doc(1, {"issue": {"max_wrong_codes": 4}}))
    assert (ok["reason"], ok["path"]) == (None, None)
    report = desired.apply(doc(2, config))
    assert report["applied"] is False and (report["reason"], report["path"]) == (reason, path)
    assert f"{path}: " in report["error"] and report["error"].endswith(f"({reason})")
    assert report["version"] == 2 and report["active"] == {"version": 1, "hash": ok["hash"]}
    assert desired.effective()[0].issue.max_wrong_codes == 4


def test_versions_never_go_back_and_a_version_is_never_reused(desired: DesiredConfig) -> None:
    desired.apply(doc(5, {"issue": {"max_wrong_codes": 4}}))
    older = desired.apply(doc(4, {}))
    assert (older["reason"], older["path"]) == ("version_not_newer", "$.version")
    assert "older than the applied 5" in older["error"]
    reused = desired.apply(doc(5, {}))
    assert (reused["reason"], reused["path"]) == ("conflicting_content", "$.version")


@pytest.mark.parametrize(
    ("payload", "reason", "path"),
    [
        (b"[]", "wrong_type", "$"),
        (b'{"version": 0, "config": {}}', "out_of_range", "$.version"),
        (b'{"version": true, "config": {}}', "wrong_type", "$.version"),
        (b'{"config": {}}', "missing_field", "$.version"),
        (b'{"version": 1}', "missing_field", "$.config"),
        (b'{"version": 1, "config": {}, "toml": ""}', "invalid", "$"),
        (b'{"version": 1, "config": {}, "extra": 1}', "unknown_field", "$.extra"),
        (b"\xff", "not_utf8", "$"),
        (b"{version: 1}", "not_json", "$"),
        (b'{"version": 1, "config": {"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}", "too_deep", "$"),
        (b" " * 70_000, "too_large", "$"),
        (b'{"version": 1, "toml": 3}', "wrong_type", "$.toml"),
        (b'{"version": 1, "toml": "[issue"}', "not_toml", "$.toml"),
        (json.dumps({"version": 1, "toml": "a = " + "[" * 5000}).encode(), "too_deep", "$.toml"),
        (b'{"version": 1, "config": []}', "wrong_type", "$.config"),
        (b'{"version": 1, "toml": "[returns]\\nsince = 2026-11-21"}', "bad_value", "$.toml"),
        (b'{"version": 1, "config": {"device": "en"}}', "wrong_type", "$.config.device"),
    ],
)
def test_a_malformed_document_names_its_reason_and_path(payload: bytes, reason: str, path: str) -> None:
    with pytest.raises(DesiredConfigError) as info:
        parse_desired(payload)
    assert (info.value.reason, info.value.path) == (reason, path)


def test_a_write_failure_keeps_the_old_config(desired: DesiredConfig, tmp_path: Path) -> None:
    desired.apply(doc(1, {"issue": {"max_wrong_codes": 4}}))
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where a directory should be")
    desired.path = blocker / OVERLAY_NAME
    report = desired.apply(doc(2, {"issue": {"max_wrong_codes": 2}}))
    assert report["applied"] is False and report["reason"] == "write_failed"
    assert "cannot write" in report["error"]


def test_an_overlay_that_no_longer_fits_the_base_falls_back(desired: DesiredConfig) -> None:
    desired.apply(doc(1, {"issue": {"max_wrong_codes": 4}}))
    desired.apply(doc(2, {"clerks": [{"badge": "BADGE-0009", "name": "Ян"}]}))
    desired.path.write_text(
        json.dumps({"version": 2, "hash": "x", "config": {"issue": {"max_wrong_codes": 0}}})
    )
    config, current = desired.effective()
    assert current is not None and current.version == 1 and config.issue.max_wrong_codes == 4


def test_desired_config_over_mqtt_is_applied_live_and_acknowledged_on_the_status(
    tmp_path: Path, broker: Broker
) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        reports: list[dict[str, Any]] = []
        central.link.subscribe(
            device.topics.status, lambda m: reports.append(json.loads(m.payload)["config"])
        )

        def report_for(version: int) -> Any:
            return next((r for r in reports if r.get("version") == version), None)

        good = {"device": {"language": "en"}, "returns": {"window_days": 3}}
        await central.link.publish(device.topics.config, doc(1, good), 1, True)
        ack = await wait_until(lambda: report_for(1))
        assert ack["applied"] is True and ack["hash"] == config_hash(1, good)
        assert device.runtime.lang == "en" and device.runtime.engine.docs.lang == "en"
        assert device.runtime.engine.policy.return_window_days == 3
        await central.link.publish(
            device.topics.config, doc(2, {"security": {"pickup_key": "00" * 16}}), 1, True
        )
        nack = await wait_until(lambda: report_for(2))
        assert nack["applied"] is False and (nack["reason"], nack["path"]) == (
            "not_remote",
            "$.config.security",
        )
        assert nack["active"] == {"version": 1, "hash": ack["hash"]}
        assert device.store.scalar("SELECT value FROM sync_counters WHERE name = 'config_rejected'") == 1

    run(tmp_path, broker, scenario)


def test_a_failing_live_apply_keeps_the_written_config(desired: DesiredConfig) -> None:
    def broken(config: object) -> None:
        raise RuntimeError("driver refused")

    desired.on_applied = broken
    report = desired.apply(doc(1, {"print": {"width": 32}}))
    assert report["applied"] is True and desired.effective()[0].print.width == 32
