"""`pvz-central send-key` and `send-qr`: a key made at central, a QR the point's config accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.cli import main
from workflows.send_qr import load_public_key, verify


def test_a_key_and_a_qr_a_point_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "send.pem"
    assert main(["send-key", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip()
    assert key.stat().st_mode & 0o777 == 0o600
    assert (
        main(["send-qr", "--key", str(key), "--id", "SND-000777", "--to", "PVZ-7", "--sender", "Анна П."])
        == 0
    )
    shipment = verify(capsys.readouterr().out.strip(), load_public_key(public))
    assert (shipment.shipment_id, shipment.to_point, shipment.sender) == ("SND-000777", "PVZ-7", "Анна П.")


def test_a_key_is_never_overwritten_and_a_bad_shipment_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "send.pem"
    main(["send-key", "--out", str(key)])
    before = key.read_bytes()
    assert main(["send-key", "--out", str(key)]) == 2
    assert key.read_bytes() == before
    capsys.readouterr()
    assert main(["send-qr", "--key", str(key), "--id", "bad id", "--to", "PVZ-7", "--sender", "A"]) == 2
    assert "send_qr_field at $.id" in capsys.readouterr().err
