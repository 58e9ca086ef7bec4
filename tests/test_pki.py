"""`pvz-central pki`: the files it writes, their permissions, refusing to overwrite, and what openssl says of them."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from central import pki
from central.cli import main


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def cert_text(path: Path) -> str:
    done = openssl("x509", "-in", path, "-noout", "-text", "-nameopt", "RFC2253")
    assert done.returncode == 0, done.stderr
    return done.stdout


def days_valid(path: Path) -> float:
    text = openssl("x509", "-in", path, "-noout", "-startdate", "-enddate").stdout
    start, end = (datetime.strptime(v, "%b %d %H:%M:%S %Y %Z") for v in re.findall(r"=(.+)", text))
    return (end - start).total_seconds() / 86400


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Keys must come out 0600 even when the operator's umask would let everyone read new files."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def site(tmp_path: Path, loose_umask: None) -> Path:
    assert main(["pki", "init", "--dir", str(tmp_path / "pki"), "--site", "s1"]) == 0
    return tmp_path / "pki"


def test_init_makes_a_site_ca_and_everything_the_broker_needs(site: Path) -> None:
    broker = site / "broker"
    for name in ("ca.crt", "server.crt", "server.key", "crl.pem", "acl", "mosquitto.conf"):
        assert (broker / name).is_file(), name
    assert mode(site / "ca.key") == 0o600
    assert mode(broker / "server.key") == 0o600
    assert mode(site / "ca.crt") == 0o644
    ca = cert_text(site / "ca.crt")
    assert "Subject: CN=pvz site CA s1,OU=s1,O=pvz" in ca
    assert re.search(r"Basic Constraints: critical\s+CA:TRUE, pathlen:0", ca)
    assert "ASN1 OID: prime256v1" in ca
    assert 3649 <= days_valid(site / "ca.crt") <= 3651
    server = cert_text(broker / "server.crt")
    assert "DNS:localhost, IP Address:127.0.0.1" in server
    assert "TLS Web Server Authentication" in server
    assert (
        openssl(
            "verify", "-CAfile", site / "ca.crt", "-purpose", "sslserver", broker / "server.crt"
        ).returncode
        == 0
    )
    conf = (broker / "mosquitto.conf").read_text(encoding="utf-8")
    for line in ("require_certificate true", "use_identity_as_username true", "allow_anonymous false"):
        assert line in conf.splitlines()
    assert f"acl_file {pki.BROKER_PATH}/acl" in conf
    assert "${" not in conf


def test_the_broker_certificate_names_the_hosts_given(tmp_path: Path) -> None:
    args = [
        "pki",
        "init",
        "--dir",
        str(tmp_path),
        "--site",
        "s1",
        "--host",
        "mqtt.example.net",
        "--host",
        "10.0.0.5",
    ]
    assert main(args) == 0
    server = cert_text(tmp_path / "broker" / "server.crt")
    assert "DNS:mqtt.example.net, IP Address:10.0.0.5" in server
    assert "localhost" not in server


def test_init_refuses_to_replace_a_ca_without_force(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (site / "ca.crt").read_bytes()
    assert main(["pki", "init", "--dir", str(site), "--site", "s1"]) == 2
    assert "a CA is already there" in capsys.readouterr().err
    assert (site / "ca.crt").read_bytes() == before
    main(["pki", "device", "--dir", str(site), "--site", "s1", "--device", "dev-a"])
    assert main(["pki", "init", "--dir", str(site), "--site", "s1", "--force"]) == 0
    assert (site / "ca.crt").read_bytes() != before
    [old] = (site / "archive").iterdir()
    assert (old / "ca.crt").read_bytes() == before
    assert not list(old.rglob("*.key"))  # an archived CA signs nothing again
    assert not (site / "devices").exists()


def test_a_device_certificate_verifies_against_the_site_ca(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pki", "device", "--dir", str(site), "--site", "s1", "--device", "dev-a"]) == 0
    out = site / "devices" / "dev-a"
    assert str(out) in capsys.readouterr().out
    assert mode(out / "client.key") == 0o600
    assert (out / "ca.crt").read_bytes() == (site / "ca.crt").read_bytes()
    done = openssl("verify", "-CAfile", out / "ca.crt", "-purpose", "sslclient", out / "client.crt")
    assert done.returncode == 0, done.stderr
    assert (
        openssl("verify", "-CAfile", out / "ca.crt", "-purpose", "sslserver", out / "client.crt").returncode
        != 0
    )
    text = cert_text(out / "client.crt")
    assert "Subject: CN=dev-a,OU=s1,O=pvz" in text
    assert 729 <= days_valid(out / "client.crt") <= 731
    key = openssl("pkey", "-in", out / "client.key", "-pubout").stdout
    assert key == openssl("x509", "-in", out / "client.crt", "-noout", "-pubkey").stdout
    acl = (site / "broker" / "acl").read_text(encoding="utf-8")
    assert "user dev-a\ntopic write pvz/v1/s1/dev-a/status\n" in acl


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "s2", "--device", "dev-a"], "this CA is for site 's1', not 's2'"),
        (["--device", "Dev_A"], "device 'Dev_A'"),
        (["--device", "hub-central"], "name hubs"),
        ([], "--device"),
    ],
)
def test_a_device_certificate_is_refused_when(
    site: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["pki", "device", "--dir", str(site), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (site / "devices").exists()


def test_a_device_certificate_is_replaced_only_with_force(site: Path) -> None:
    argv = ["pki", "device", "--dir", str(site), "--site", "s1", "--device", "dev-a"]
    assert main(argv) == 0
    first = (site / "devices" / "dev-a" / "client.crt").read_bytes()
    assert main(argv) == 2
    assert (site / "devices" / "dev-a" / "client.crt").read_bytes() == first
    assert main([*argv, "--force"]) == 0
    assert (site / "devices" / "dev-a" / "client.crt").read_bytes() != first
    [old] = (site / "archive").iterdir()
    assert (old / "dev-a" / "client.crt").read_bytes() == first
    assert not (old / "dev-a" / "client.key").exists()


def test_a_hub_certificate_and_its_acl_block(site: Path) -> None:
    assert main(["pki", "hub", "--dir", str(site), "--name", "central"]) == 0
    out = site / "hubs" / "central"
    assert "Subject: CN=hub-central,OU=hubs,O=pvz" in cert_text(out / "client.crt")
    assert openssl("verify", "-CAfile", site / "ca.crt", out / "client.crt").returncode == 0
    acl = (site / "broker" / "acl").read_text(encoding="utf-8")
    assert "user hub-central\ntopic read pvz/v1/s1/+/events\n" in acl
    assert "topic write pvz/v1/s1/+/manifest" in acl


def test_a_hub_name_fits_a_certificate_name_or_is_refused_before_openssl(site: Path) -> None:
    longest = "h" * 60  # hub- and 60 characters: the 64 a certificate's common name holds
    assert main(["pki", "hub", "--dir", str(site), "--name", longest]) == 0
    assert f"CN=hub-{longest}," in cert_text(site / "hubs" / longest / "client.crt")
    assert main(["pki", "hub", "--dir", str(site), "--name", "h" * 61]) == 2
    assert not (site / "hubs" / ("h" * 61)).exists()


def test_a_revoked_device_is_on_the_crl_and_out_of_the_acl(site: Path) -> None:
    for device in ("dev-a", "dev-b"):
        main(["pki", "device", "--dir", str(site), "--site", "s1", "--device", device])
    cert = site / "devices" / "dev-b" / "client.crt"
    kept = site.parent / "dev-b.crt"
    kept.write_bytes(cert.read_bytes())
    assert main(["pki", "revoke", "--dir", str(site), "--device", "dev-b"]) == 0
    crl = site / "broker" / "crl.pem"
    serial = openssl("x509", "-in", kept, "-noout", "-serial").stdout.strip().removeprefix("serial=")
    assert f"Serial Number: {serial}" in openssl("crl", "-in", crl, "-noout", "-text").stdout
    assert openssl("verify", "-crl_check", "-CAfile", site / "ca.crt", "-CRLfile", crl, kept).returncode != 0
    dev_a = site / "devices" / "dev-a" / "client.crt"
    assert openssl("verify", "-crl_check", "-CAfile", site / "ca.crt", "-CRLfile", crl, dev_a).returncode == 0
    acl = (site / "broker" / "acl").read_text(encoding="utf-8")
    assert "user dev-a" in acl
    assert "dev-b" not in acl
    assert not (site / "devices" / "dev-b").exists()
    assert main(["pki", "revoke", "--dir", str(site), "--device", "dev-b"]) == 2


def test_commands_other_than_init_need_a_ca(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pki", "hub", "--dir", str(tmp_path), "--name", "central"]) == 2
    assert "no site CA here" in capsys.readouterr().err
