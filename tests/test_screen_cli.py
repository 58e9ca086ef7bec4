"""`pvz screen pair|tokens|revoke` end to end: a token row and a queued slip whose printed QR code zbar
reads back as the URL the command printed; listing and revoking; refusals with exit code 2."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from device.cli.main import main
from device.cli.screen import pairing_url
from device.screen.netaddr import is_loopback, local_addresses
from device.screen.tokens import station_for
from device.store.db import Store
from device.store.print_queue import PrintQueue
from drivers.printer.fit import paper_dots
from drivers.printer.sim_printer import SimPrinter
from tests.support.config import station, write_config
from tests.support.escpos_paper import zbar_codes

URL = re.compile(r"^URL: (http://\S+)$", re.MULTILINE)
STATIONS = station("counter-1") + station("counter-2")


def config(tmp_path: Path, listen: str = "0.0.0.0:8080") -> Path:
    return write_config(tmp_path, stations=STATIONS, screen=listen)


def pair(capsys: pytest.CaptureFixture[str], cfg: Path, *args: str) -> str:
    """Run `pvz screen pair`; the URL it printed."""
    assert main(["screen", "pair", "--config", str(cfg), *args]) == 0
    found = URL.search(capsys.readouterr().out)
    assert found is not None
    return found.group(1)


def network_address() -> str:
    return next(a for a in local_addresses() if not is_loopback(a))


def test_pair_makes_a_token_and_queues_a_slip_whose_qr_code_is_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    with Store.open(tmp_path / "pvz.db", owner=True):  # the daemon runs: pairing works all the same
        url = pair(capsys, cfg, "--station", "counter-2", "--label", "front tablet")
    assert url.startswith(f"http://{network_address()}:8080/pair?token=")
    token = url.rsplit("=", 1)[1]
    with Store.open(tmp_path / "pvz.db") as store:
        row = store.conn.execute("SELECT station, label FROM screen_tokens").fetchone()
        assert tuple(row) == ("counter-2", "front tablet")
        job = store.conn.execute("SELECT station, kind, state FROM print_jobs").fetchone()
        assert tuple(job) == ("counter-2", "screen_pair", "queued")
        printer = SimPrinter(width=42)
        queue = PrintQueue(
            store,
            {"counter-1": SimPrinter(), "counter-2": printer},
            clock=time.monotonic,
            device_id="pvz-test-0001",
            now=lambda: datetime.now(UTC),
            lang="ru",
        )
        assert queue.drain() == 1
        assert zbar_codes(printer.printed[-1].data, tmp_path, paper_dots=paper_dots(42)) == [f"QR-Code:{url}"]
        assert station_for(store.conn, token) == "counter-2"
    assert token.encode() not in (tmp_path / "pvz.db").read_bytes()


def test_the_url_host_is_the_one_given_or_the_one_listened_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pair(capsys, config(tmp_path / "a"), "--host", "pvz.local").startswith(
        "http://pvz.local:8080/pair?token="
    )
    assert pair(capsys, config(tmp_path / "b", "192.0.2.77:9000")).startswith("http://192.0.2.77:9000/pair?")
    # on loopback a tablet cannot reach the screen: the command says so, and still pairs
    assert main(["screen", "pair", "--config", str(config(tmp_path / "c", "127.0.0.1:8080"))]) == 0
    out, err = capsys.readouterr()
    assert f"URL: http://{network_address()}:8080/pair?token=" in out
    assert "[screen] listen" in err
    assert pairing_url("fd00::2", 8080, "t") == "http://[fd00::2]:8080/pair?token=t"


def test_tokens_are_listed_and_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path)
    pair(capsys, cfg, "--label", "front tablet")
    url = pair(capsys, cfg, "--station", "counter-2", "--label", "back tablet")
    assert main(["screen", "tokens", "--config", str(cfg)]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split()[:4] for r in rows] == [
        ["1", "counter-1", "front", "tablet"],
        ["2", "counter-2", "back", "tablet"],
    ]
    assert all(r.rstrip().endswith("-") for r in rows)  # none revoked
    assert main(["screen", "revoke", "2", "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["screen", "tokens", "--config", str(cfg)]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert rows[0].rstrip().endswith("-") and not rows[1].rstrip().endswith("-")
    with Store.open(tmp_path / "pvz.db") as store:
        assert station_for(store.conn, url.rsplit("=", 1)[1]) is None
    assert main(["screen", "revoke", "2", "--config", str(cfg)]) == 2  # already revoked
    assert main(["screen", "revoke", "9", "--config", str(cfg)]) == 2


@pytest.mark.parametrize(
    ("listen", "args"),
    [("off", ()), ("0.0.0.0:8080", ("--station", "counter-9"))],
    ids=["screen-off", "unknown-station"],
)
def test_pair_refuses_what_it_cannot_serve_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], listen: str, args: tuple[str, ...]
) -> None:
    cfg = config(tmp_path, listen)
    assert main(["screen", "pair", "--config", str(cfg), *args]) == 2
    assert "URL:" not in capsys.readouterr().out
    with Store.open(tmp_path / "pvz.db") as store:
        assert store.scalar("SELECT count(*) FROM screen_tokens") == 0
        assert store.scalar("SELECT count(*) FROM print_jobs") == 0
