"""First-boot provisioning (device/provision): a good file becomes the config, a bad one changes nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from device.cli.main import main
from device.config import load_config
from device.provision import provision
from device.provision.apply import DONE_NAME, ERROR_NAME, MARKER
from tests.support.provisioning import make_pki, write_boot


@pytest.fixture(scope="module")
def device_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_device_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki2"), device="dev-2")


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_a_good_file_becomes_the_config_and_leaves_the_boot_partition(
    tmp_path: Path, device_dir: Path
) -> None:
    boot, etc = tmp_path / "boot", tmp_path / "etc"
    write_boot(boot, device_dir, port=18883)
    result = provision(boot, etc)
    assert result.state == "provisioned"
    config = load_config(etc / "pvz.toml")
    assert (config.device.id, config.device.site, config.device.language) == ("dev-1", "site-1", "en")
    assert (config.mqtt.host, config.mqtt.port) == ("10.0.2.2", 18883)
    assert config.mqtt.key_file is not None
    assert (etc / config.mqtt.key_file).read_bytes() == (device_dir / "client.key").read_bytes()
    assert (etc / config.mqtt.key_file).stat().st_mode & 0o777 == 0o640
    assert 'ssid="pvz shop"' in (etc / "wpa_supplicant-wlan0.conf").read_text()
    assert (etc / MARKER).exists()
    # The secrets are gone from the FAT partition; what was done is said there without them.
    assert sorted(p.name for p in boot.iterdir()) == [DONE_NAME]
    # Run again at the next boot: nothing to do, the config stays.
    before = tree(etc)
    assert provision(boot, etc).state == "already"
    assert tree(etc) == before


def test_without_a_file_the_device_stays_unprovisioned(tmp_path: Path) -> None:
    (tmp_path / "boot").mkdir()
    assert provision(tmp_path / "boot", tmp_path / "etc").state == "unprovisioned"
    assert not (tmp_path / "etc").exists()


def test_an_inline_key_and_a_wired_device(tmp_path: Path, device_dir: Path) -> None:
    write_boot(tmp_path / "boot", device_dir, inline_key=True, wifi=False)
    assert provision(tmp_path / "boot", tmp_path / "etc").state == "provisioned"
    assert not (tmp_path / "etc" / "wpa_supplicant-wlan0.conf").exists()


def corrupt_toml(boot: Path) -> None:
    path = boot / "pvz-provision.toml"
    path.write_bytes(path.read_bytes()[:40])  # cut in the middle of a table: a half-copied file


def partial_no_broker(boot: Path) -> None:
    path = boot / "pvz-provision.toml"
    text = path.read_text()
    path.write_text(text.replace("[broker]", "[nothing]").replace('host = "10.0.2.2"\n', ""))


def missing_cert(boot: Path) -> None:
    (boot / "client.crt").unlink()


def not_utf8(boot: Path) -> None:
    (boot / "pvz-provision.toml").write_bytes(b'config = "\xff"\n')


def bad_site_config(boot: Path) -> None:
    (boot / "site.toml").write_text(
        (boot / "site.toml").read_text().replace('backend = "stdin"', 'backend = "x"')
    )


def bad_psk(boot: Path) -> None:
    path = boot / "pvz-provision.toml"
    path.write_text(path.read_text().replace("correct horse battery", "short"))


def path_outside(boot: Path) -> None:
    path = boot / "pvz-provision.toml"
    path.write_text(path.read_text().replace('ca = "ca.crt"', 'ca = "../../etc/ssl/ca.crt"'))


@pytest.mark.parametrize(
    ("damage", "reason", "path"),
    [
        (corrupt_toml, "not_toml", "$"),
        (partial_no_broker, "unknown_field", "$.nothing"),
        (missing_cert, "missing_file", "$.tls.cert"),
        (not_utf8, "not_utf8", "$"),
        (bad_site_config, "bad_value", "$.config.stations[0].scanners[0].backend"),
        (bad_psk, "bad_format", "$.wifi.psk"),
        (path_outside, "bad_file_name", "$.tls.ca"),
    ],
)
def test_a_bad_file_is_reported_and_changes_nothing(
    tmp_path: Path, device_dir: Path, damage: object, reason: str, path: str
) -> None:
    boot, etc = tmp_path / "boot", tmp_path / "etc"
    write_boot(boot, device_dir)
    assert provision(boot, etc).state == "provisioned"
    before = tree(etc)
    write_boot(boot, device_dir, device="dev-9")
    assert callable(damage)
    damage(boot)
    result = provision(boot, etc)
    assert (result.state, result.reason, result.path) == ("rejected", reason, path)
    assert tree(etc) == before  # still the old, whole config
    report = (boot / ERROR_NAME).read_text()
    assert f"reason: {reason}\npath: {path}\n" in report
    assert (boot / "pvz-provision.toml").exists()  # kept, so the next boot reports it again


def test_a_key_that_is_not_the_certificates(tmp_path: Path, device_dir: Path, other_device_dir: Path) -> None:
    boot = tmp_path / "boot"
    write_boot(boot, device_dir)
    (boot / "client.key").write_bytes((other_device_dir / "client.key").read_bytes())
    result = provision(boot, tmp_path / "etc")
    assert (result.state, result.reason, result.path) == ("rejected", "key_mismatch", "$.tls.key")
    assert not (tmp_path / "etc").exists()


def test_the_command_fails_on_a_rejected_file(
    tmp_path: Path, device_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boot, etc = tmp_path / "boot", tmp_path / "etc"
    write_boot(boot, device_dir)
    partial_no_broker(boot)
    assert main(["provision", "--boot", str(boot), "--etc", str(etc)]) == 1
    assert "REJECTED unknown_field at $.nothing" in capsys.readouterr().err
    write_boot(boot, device_dir)
    assert main(["provision", "--boot", str(boot), "--etc", str(etc)]) == 0
    assert tomllib.loads((etc / "pvz.toml").read_text())["device"]["id"] == "dev-1"
