"""Rollout outcomes for the operator, from the devices' retained statuses on a real Mosquitto:
`fleet ls` says each device's last update in words, `fleet rollout --progress` how a release
stands on its target devices, publishing nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from central.cli import main as central_main
from central.fleet_view import update_words
from tests.support.broker import Broker
from tests.support.debs import make_deb
from tests.test_rollout_publish import retained_statuses


def test_the_last_update_reads_in_words_in_both_languages() -> None:
    back = {"version": "2.0", "result": "rolled_back", "reason": "unhealthy", "running": "1.0"}
    assert (
        update_words(back, "en") == "2.0: rolled back to 1.0 (the new version did not report ready in time)"
    )
    assert update_words(back) == "2.0: возврат на 1.0 (новая версия не сообщила о готовности вовремя)"
    aside = back | {"store_set_aside": "store-2.0-20261207-010603.db", "events_set_aside": 3}
    assert update_words(aside).endswith("; хранилище новой версии отложено: 3 события")  # type: ignore[union-attr]
    assert update_words(aside, "en").endswith("; the new version's store set aside: 3 events")  # type: ignore[union-attr]
    odd = {"version": "2.0", "result": "failed", "reason": "no_such_code"}
    assert update_words(odd, "en") == "2.0: failed, needs a technician (no reason given)"
    assert update_words(None) is None and update_words({"result": "sideways"}) is None


def test_fleet_ls_and_rollout_progress_from_the_devices_reports(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    deb = make_deb(tmp_path, "pvzt", "2.0")
    sha = hashlib.sha256(deb.read_bytes()).hexdigest()
    reports: dict[str, dict[str, object]] = {
        "msk-1/msk-c1": {"version": "2.0", "result": "installed", "running": "2.0", "sha256": sha},
        "msk-1/msk-c3": {
            "version": "2.0",
            "result": "rolled_back",
            "reason": "unhealthy",
            "running": "1.0",
            "sha256": sha,
            "store_set_aside": "store-2.0-20261207-010603.db",
            "events_set_aside": 1,
        },
        "msk-1/msk-c4": {"version": "2.0", "result": "pending", "running": "1.0", "sha256": sha},
        "spb-1/spb-c1": {
            "version": "2.0",
            "result": "refused",
            "reason": "bad_hash",
            "running": "1.0",
            "sha256": sha,
        },
    }
    asyncio.run(retained_statuses(broker, reports))
    broker_arg = ["--broker", f"127.0.0.1:{broker.port}"]

    assert central_main(["fleet", "ls", *broker_arg, "--lang", "en", "--json"]) == 0
    rows = {r["device"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["msk-c1"]["update"] == "2.0: installed"
    assert rows["msk-c2"]["update"] is None  # offline, nothing reported
    assert rows["msk-c3"]["update"] == (
        "2.0: rolled back to 1.0 (the new version did not report ready in time)"
        "; the new version's store set aside: 1 event"
    )
    assert rows["msk-c4"]["update"] == "2.0: installing"
    assert rows["spb-c1"]["update"] == "2.0: refused (the package's checksum does not match)"
    assert rows["msk-c3"]["release"]["reason"] == "unhealthy"  # the codes stay for a script
    assert central_main(["fleet", "ls", *broker_arg]) == 0
    table = capsys.readouterr().out
    assert "UPDATE" in table.splitlines()[0] and "2.0: установлена" in table
    assert "unhealthy" not in table and "rolled_back" not in table

    assert central_main(["pki", "release-key", "--dir", str(tmp_path / "pki")]) == 0
    www = tmp_path / "www"
    common = [*broker_arg, "--pki", str(tmp_path / "pki"), "--serve-dir", str(www)]
    common += ["--url-base", "http://127.0.0.1:8088/releases", "--progress"]
    capsys.readouterr()
    assert (
        central_main(["fleet", "rollout", str(deb), "--sites", "msk-1,spb-1", *common, "--lang", "en"]) == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "pvzt 2.0",
        "Progress on 5 devices: healthy on 1, rolled back or failed on 1, refused on 1, installing on 1, "
        "no report yet from 1",
    ]
    assert not www.exists()  # nothing written, nothing published
    assert central_main(["fleet", "rollout", str(deb), "--sites", "spb-1", *common, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["devices"] == ["spb-1/spb-c1"] and plan["progress"]["refused"] == 1
    assert central_main(["fleet", "rollout", str(deb), "--sites", "spb-1", *common]) == 0
    assert "Ход выпуска на 1 устройстве: установлена на 0" in capsys.readouterr().out
