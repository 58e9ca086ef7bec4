"""The real actions behind the commands, run through the broker on simulated drivers."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from drivers.base import Pattern
from tests.support.broker import Broker
from tests.support.config import PICKUP_KEY
from tests.support.sim_device import Central, SimDevice, command, run


def test_lights_test_walks_every_cell_light_then_restores(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        reply = await central.ask(device.topics.cmd, command("lights-test", {"step_s": 0}))
        assert reply["ok"] is True and reply["result"]["channels"] == 7
        bad = await central.ask(device.topics.cmd, command("lights-test", {"step_s": 60}))
        assert bad["ok"] is False and "step_s" in bad["error"]

    device = run(tmp_path, broker, scenario)
    on = [ch for _, ch, p in device.rack.history if p is Pattern.STEADY]
    off = [ch for _, ch, p in device.rack.history if p is Pattern.OFF]
    assert on == list(range(7)) and set(off) == set(range(7))
    assert device.rack.lit() == {}


def test_print_test_prints_a_test_page_on_the_sim_printer(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        reply = await central.ask(device.topics.cmd, command("print-test"))
        assert reply["result"] == {"printed": {"s1": "sim-s1"}, "failed": {}}
        device.printer.set_fault("paper out")
        failed = await central.ask(device.topics.cmd, command("print-test", {"station": "s1"}))
        assert failed["ok"] is False and "paper out" in failed["error"]

    device = run(tmp_path, broker, scenario)
    assert [p.doc.kind for p in device.printer.printed] == ["test_page"]
    assert "PVZ-TEST-0123" in device.printer.printed[0].text


def test_set_log_level_changes_the_logger(tmp_path: Path, broker: Broker) -> None:
    logger = logging.getLogger("pvz")
    before = logger.level
    try:

        async def scenario(device: SimDevice, central: Central) -> None:
            reply = await central.ask(device.topics.cmd, command("set-log-level", {"level": "debug"}))
            assert reply["result"]["level"] == "DEBUG" and logger.level == logging.DEBUG
            bad = await central.ask(device.topics.cmd, command("set-log-level", {"level": "LOUD"}))
            assert bad["ok"] is False
            other = await central.ask(
                device.topics.cmd, command("set-log-level", {"level": "INFO", "logger": "paho"})
            )
            assert other["ok"] is False and logging.getLogger("paho").level == logging.NOTSET

        run(tmp_path, broker, scenario)
    finally:
        logger.setLevel(before)


def test_diagnostics_bundle_has_status_and_redacted_config(tmp_path: Path, broker: Broker) -> None:
    result: dict[str, Any] = {}

    async def scenario(device: SimDevice, central: Central) -> None:
        logging.getLogger("pvz.test").addHandler(device.recent)
        logging.getLogger("pvz.test").warning("something worth a look")
        reply = await central.ask(device.topics.cmd, command("diagnostics"))
        logging.getLogger("pvz.test").removeHandler(device.recent)
        assert reply["ok"] is True
        result.update(reply["result"])

    run(tmp_path, broker, scenario)
    path = Path(result["path"])
    data = path.read_bytes()
    assert path.parent == tmp_path / "device" / "diagnostics"
    assert result["size"] == len(data) and result["sha256"] == hashlib.sha256(data).hexdigest()
    assert base64.b64decode(result["base64"]) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    assert {"status.json", "config.json", "store.json", "log.txt", "meta.json"} <= set(files)
    config = json.loads(files["config.json"])
    assert config["security"]["pickup_key"] == "<redacted>"
    assert config["clerks"][0]["badge"] == "<redacted>" and config["clerks"][0]["name"] == "Анна С."
    assert all(PICKUP_KEY.encode() not in blob for blob in files.values())
    assert json.loads(files["status.json"])["device"]["online"] is True
    assert (
        json.loads(files["store.json"])["schema_version"] == json.loads(files["meta.json"])["schema_version"]
    )
    assert b"something worth a look" in files["log.txt"]


def test_sync_now_without_a_publisher_says_so(tmp_path: Path, broker: Broker) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        reply = await central.ask(device.topics.cmd, command("sync-now"))
        assert reply == {"id": reply["id"], "ok": False, "error": "sync is not running on this device"}

        async def flush() -> dict[str, int]:
            return {"sent": 3}

        device.ctx.sync_now = flush
        assert (await central.ask(device.topics.cmd, command("sync-now")))["result"] == {"sent": 3}

    run(tmp_path, broker, scenario)


def test_reload_config_reads_the_files_again_and_applies_what_it_can_live(
    tmp_path: Path, broker: Broker
) -> None:
    async def scenario(device: SimDevice, central: Central) -> None:
        text = device.config_file.read_text(encoding="utf-8")
        device.config_file.write_text(
            text.replace('name = "Анна С."', 'name = "Анна Б."') + "[print]\nwidth = 32\n"
        )
        reply = await central.ask(device.topics.cmd, command("reload-config"))
        assert reply["result"]["live"] == ["clerks"] and reply["result"]["at_restart"] == ["print"]
        assert device.store.scalar("SELECT name FROM clerks WHERE badge = 'BADGE-0001'") == "Анна Б."
        device.config_file.write_text(text + "[issue]\nmax_wrong_codes = 0\n")
        bad = await central.ask(device.topics.cmd, command("reload-config"))
        assert bad["ok"] is False and "config not reloaded" in bad["error"]

    run(tmp_path, broker, scenario)
