"""`pvz hw` and `pvz print` on the simulated backends, as on a laptop without hardware."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.cli.main import main
from tests.support.config import SCRIPT, station, write_config

ROOT = Path(__file__).resolve().parents[1]


def sim_config(tmp_path: Path, scanner: str = SCRIPT) -> Path:
    (tmp_path / "codes.txt").write_text("BADGE-7001\n12345678-0001-1\n\\xff\n", encoding="utf-8")
    return write_config(
        tmp_path,
        device="pvz-hw-0001",
        site="hw-lab",
        key="cd" * 16,
        stations=station("counter-1", scanner, prints="prints") + station("kiosk-1", prints="kiosk-prints"),
    )


def test_hw_list_shows_every_station_and_the_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hw", "list", "--json", "--config", str(sim_config(tmp_path))]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {p["station"] for p in found["parts"]} == {"counter-1", "kiosk-1", "-"}
    printer = next(p for p in found["parts"] if p["name"] == "counter-1/printer")
    assert (printer["found"], printer["ready"]) == (True, True)
    assert found["problems"] == []
    assert "input_devices" in found and "serial_ports" in found


def test_hw_scan_prints_each_scan_and_names_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = sim_config(tmp_path)
    # only the script scanner: the kiosk's stdin would wait forever
    text = config.read_text(encoding="utf-8").split('[[stations]]\nname = "kiosk-1"')[0]
    config.write_text(text, encoding="utf-8")
    assert main(["hw", "scan", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "counter-1 counter-1/scanner0 scan: 'BADGE-7001'"
    assert out[1] == "counter-1 counter-1/scanner0 scan: '12345678-0001-1'"
    assert out[2].startswith("counter-1 counter-1/scanner0 scan: '\\\\xff'")


def test_hw_print_test_prints_on_every_station(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hw", "print-test", "--config", str(sim_config(tmp_path))]) == 0
    assert "counter-1: test page printed" in capsys.readouterr().out
    for folder in ("prints", "kiosk-prints"):
        [page] = (tmp_path / folder).glob("*-test_page.txt")
        assert "Съешь же ещё" in page.read_text(encoding="utf-8") or "PVZ-TEST" in page.read_text(
            encoding="utf-8"
        )


def test_hw_lights_test_walks_every_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["hw", "lights-test", "--config", str(sim_config(tmp_path)), "--channels", "5", "--step", "0"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("channel ")] == [
        f"channel {c}: no cell on this channel, lit" for c in range(5)
    ]  # no store yet: no cells to name
    assert out[-1] == "5 channel(s) walked; cell lights now off"  # everything off again after the walk


def test_walk_lights_each_channel_once_and_leaves_them_off() -> None:
    from device.cli.hw import walk
    from drivers.base import Pattern
    from drivers.lights.sim_lights import SimCellLights

    rack = SimCellLights()
    assert walk(rack, range(4), step_s=0) == 4
    shown = [(c, p) for _, c, p in rack.history if p is Pattern.STEADY]
    assert shown == [(c, Pattern.STEADY) for c in range(4)]
    assert rack.lit() == {}


def test_print_cell_labels_and_test_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pvz.db"
    assert main(["cells", "import", str(ROOT / "docs/examples/cells.json"), "--store", str(db)]) == 0
    assert main(["print", "cell-labels", "--store", str(db), "--out", str(tmp_path / "labels")]) == 0
    [txt] = (tmp_path / "labels").glob("*-cell_labels.txt")
    cells = json.loads((ROOT / "docs/examples/cells.json").read_text(encoding="utf-8"))["cells"]
    text = txt.read_text(encoding="utf-8")
    assert all(c["address"] in text for c in cells)
    assert main(["print", "test-page", "--out", str(tmp_path / "page")]) == 0
    assert list((tmp_path / "page").glob("*-test_page.bin"))
