"""hub.toml (`pvz-central hub --config`): checked whole at start; anything wrong is a reason code
and the key's path, and at the command line one line and exit code 2 before any broker is tried."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from central import cli
from central.hub_config import load_config, parse_config
from device.exc import ConfigError
from tests.support.process import ROOT, one_line_error

HASH = "a" * 64
GOOD = f"""
[web]
listen = "127.0.0.1:8443"

[dashboard]
session_hours = 8
history_days = 3
[[dashboard.operator]]
name = "Анна"
token_sha256 = "{HASH}"
"""


def test_a_good_file_is_read_whole(tmp_path: Path) -> None:
    config = parse_config(GOOD + f'\n[releases]\ndir = "{tmp_path}"\n')
    assert config.address() == ("127.0.0.1", 8443)
    assert config.web is not None and not config.web.https
    assert config.dashboard is not None and config.dashboard.operator[0].name == "Анна"
    assert config.releases is not None and config.releases.dir == str(tmp_path)


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        ("[web]\nlisten = 'nowhere'\n", "bad_format", "$.web.listen"),
        ("[web]\nlisten = '0.0.0.0:8443'\ncert = '/etc/hostname'\n", "missing_option", "$.web.key"),
        (
            "[web]\nlisten = '0.0.0.0:8443'\ncert = '/nonexistent.crt'\nkey = '/nonexistent.key'\n",
            "not_found",
            "$.web.cert",
        ),
        ("[web]\nlisten = '0.0.0.0:8443'\nport = 1\n", "unknown_field", "$.web.port"),
        ("[dashboard]\n", "missing_option", "$.web"),
        ("[releases]\ndir = '/'\n", "missing_option", "$.web"),
        (GOOD.replace("session_hours = 8", "session_hours = 0"), "out_of_range", "$.dashboard.session_hours"),
        (GOOD.replace("history_days = 3", "history_days = 0"), "out_of_range", "$.dashboard.history_days"),
        (GOOD.replace(HASH, "secret"), "bad_format", "$.dashboard.operator[0].token_sha256"),
        (
            GOOD + f'[[dashboard.operator]]\nname = "Анна"\ntoken_sha256 = "{"b" * 64}"\n',
            "duplicate",
            "$.dashboard.operator[1].name",
        ),
        (
            GOOD + f'[[dashboard.operator]]\nname = "Борис"\ntoken_sha256 = "{HASH}"\n',
            "duplicate",
            "$.dashboard.operator[1].token_sha256",
        ),
        (GOOD + "\n[releases]\ndir = '/nonexistent/releases'\n", "not_found", "$.releases.dir"),
        ("[web\n", "not_toml", "$"),
    ],
)
def test_each_mistake_has_its_reason_and_key(text: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert (caught.value.reason, caught.value.path) == (reason, path)


def test_a_certificate_that_does_not_load_is_refused_at_start(tmp_path: Path) -> None:
    cert, key = tmp_path / "web.crt", tmp_path / "web.key"
    cert.write_text("not a certificate")
    key.write_text("not a key")
    with pytest.raises(ConfigError) as caught:
        parse_config(f'[web]\nlisten = "0.0.0.0:8443"\ncert = "{cert}"\nkey = "{key}"\n')
    assert (caught.value.reason, caught.value.path) == ("bad_value", "$.web.cert")


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.toml")
    assert caught.value.reason == "unreadable"


def test_the_hub_refuses_a_bad_file_in_one_line_before_the_broker(tmp_path: Path) -> None:
    bad = tmp_path / "hub.toml"
    bad.write_text("[dashboard]\nsession_hours = -1\n", encoding="utf-8")
    # No broker listens on port 9: a hub that got that far would wait for it instead of exiting.
    args = ["--broker", "127.0.0.1:9", "--db", str(tmp_path / "hub.db"), "--config", str(bad)]
    result = subprocess.run(
        [sys.executable, "-m", "central.cli", "hub", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = one_line_error(result)
    assert "$.web" in line and "(missing_option)" in line
    assert not (tmp_path / "hub.db").exists()


def test_a_web_port_in_use_stops_the_hub_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "hub.toml"
        config.write_text(f'[web]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
        argv = ["hub", "--broker", "127.0.0.1:1", "--db", str(tmp_path / "hub.db"), "--config", str(config)]
        assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"cannot serve [web] on 127.0.0.1:{port}" in err and "Traceback" not in err
