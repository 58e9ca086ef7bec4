"""One rule for site and device ids: config, `pvz-central pki` and the topics agree, and the docs' examples pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from central import pki
from device.config import KEY_PLACEHOLDER, parse_config
from device.exc import ConfigError
from sync.topics import ID_RULE, Topics
from tests.support.config import PICKUP_KEY

DOCS = Path(__file__).resolve().parents[1] / "docs"
# The example as a technician fills it in: with a key of the site's own.
EXAMPLE = (DOCS / "config.example.toml").read_text(encoding="utf-8").replace(KEY_PLACEHOLDER, PICKUP_KEY)


def documented() -> tuple[set[str], set[str]]:
    """(sites, devices) named in protocol.md, security.md and config.example.toml."""
    protocol = (DOCS / "protocol.md").read_text(encoding="utf-8")
    security = (DOCS / "security.md").read_text(encoding="utf-8")
    sites = set(re.findall(r'"site":"([^"]+)"', protocol)) | set(
        re.findall(r"--site ([a-z0-9][^\s`]*)", security)
    )
    devices = set(re.findall(r'"device":"([^"]+)"', protocol)) | set(
        re.findall(r"--device ([a-z0-9][^\s`]*)", security)
    )
    sites |= set(re.findall(r'^site = "([^"]+)"', EXAMPLE, re.MULTILINE))
    devices |= set(re.findall(r'^id = "([^"]+)"', EXAMPLE, re.MULTILINE))
    return sites, devices


def config_with(site: str, device: str) -> str:
    text = re.sub(r'^site = "[^"]+"', f'site = "{site}"', EXAMPLE, count=1, flags=re.MULTILINE)
    return re.sub(r'^id = "[^"]+"', f'id = "{device}"', text, count=1, flags=re.MULTILINE)


def test_the_documented_ids_pass_config_pki_and_topics(tmp_path: Path) -> None:
    sites, devices = documented()
    assert "s1" in sites and "pvz-0042" in devices  # the short site of security.md is among them
    assert "2..64 characters" in (DOCS / "protocol.md").read_text(encoding="utf-8")
    for site in sorted(sites):
        base = tmp_path / site
        pki.init(base, site)
        for device in sorted(devices):
            Topics(site, device)
            config = parse_config(config_with(site, device), source="example")
            assert (config.device.site, config.device.id) == (site, device)
            assert pki.device(base, site, device).exists()


@pytest.mark.parametrize(
    "bad",
    ["a", "-ab", "ab_c", "Ab", "a" * 65, "a.b", ""],
)
def test_an_id_outside_the_rule_is_refused_by_all_three(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(ID_RULE)):
        Topics(bad, "pvz-0042")
    with pytest.raises(ConfigError) as info:
        parse_config(config_with(bad, "pvz-0042"), source="example")
    assert (info.value.reason, info.value.path) == ("bad_format", "$.device.site")
    with pytest.raises(pki.PkiError, match=re.escape(ID_RULE)):
        pki.init(tmp_path / "x", bad)


def test_the_longest_and_shortest_ids_pass_all_three(tmp_path: Path) -> None:
    for site in ("s1", "a" * 64):
        Topics(site, site)
        assert parse_config(config_with(site, site), source="example").device.site == site
        pki.init(tmp_path / site[:8], site)
