"""A boot partition for provisioning tests: a site config, a device's certificates, the file itself."""

from __future__ import annotations

from pathlib import Path

from central import pki
from tests.support.config import PICKUP_KEY

SITE_CONFIG = f"""[device]
language = "en"
timezone = "Europe/Moscow"

[security]
pickup_key = "{PICKUP_KEY}"

[store]
path = "/var/lib/pvz/pvz.db"

[[stations]]
name = "s1"
[[stations.scanners]]
backend = "stdin"
"""


def make_pki(
    directory: Path, *, site: str = "site-1", device: str = "dev-1", hosts: tuple[str, ...] = ("10.0.2.2",)
) -> Path:
    """A site CA with a broker certificate for `hosts` and one device's certificate; the device's folder."""
    pki.init(directory, site, hosts=hosts)
    return pki.device(directory, site, device)


def write_boot(
    boot: Path,
    device_dir: Path,
    *,
    site: str = "site-1",
    device: str = "dev-1",
    host: str = "10.0.2.2",
    port: int = 8883,
    wifi: bool = True,
    inline_key: bool = False,
    site_config: str = SITE_CONFIG,
) -> Path:
    """A boot partition with pvz-provision.toml, the site's pvz.toml and the PEM files it names."""
    boot.mkdir(parents=True, exist_ok=True)
    (boot / "site.toml").write_text(site_config, encoding="utf-8")
    for name in ("ca.crt", "client.crt", "client.key"):
        (boot / name).write_bytes((device_dir / name).read_bytes())
    key = '"""\n' + (device_dir / "client.key").read_text() + '"""' if inline_key else '"client.key"'
    text = f"""config = "site.toml"

[device]
id = "{device}"
site = "{site}"

[broker]
host = "{host}"
port = {port}

[tls]
ca = "ca.crt"
cert = "client.crt"
key = {key}
"""
    if wifi:
        text += '\n[wifi]\nssid = "pvz shop"\npsk = "correct horse battery"\ncountry = "RU"\n'
    path = boot / "pvz-provision.toml"
    path.write_text(text, encoding="utf-8")
    return path
