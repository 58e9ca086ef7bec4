"""The pairing slip: what it prints in both languages, and that its token leaves the store once it printed.

The slip's print job holds the token in clear until the printer took it (a job cut off
mid-print is printed again as a copy); after that the stored document says only what it was,
and the token is in no byte of the store file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from device.apply import queue_document
from device.documents.registry import Documents
from device.screen.tokens import new_token
from device.store.db import Store
from device.store.journal import Stamp
from device.store.print_queue import SECRET_KINDS, PrintQueue
from drivers.document import QR, Document
from drivers.printer.sim_printer import SimPrinter
from drivers.printer.text_render import render_text

T0 = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
STAMP = Stamp("pvz-test-0001", "2026-11-21T10:00:00+00:00", "counter-1")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "pvz.db") as store:
        yield store


def pair(store: Store, lang: str = "ru", station: str = "counter-1") -> tuple[int, str, str]:
    """A token and its slip queued in one transaction, as `pvz screen pair` does: (job, token, url)."""
    docs = Documents(site="SITE-1", device_id="pvz-test-0001", lang=lang)
    with store.transaction() as conn:
        token_id, token = new_token(conn, station, "front tablet", T0)
        url = f"http://192.0.2.2:8080/pair?token={token}"
        data = {"station": station, "label": "front tablet", "url": url, "token": token_id}
        job = queue_document(conn, docs, "screen_pair", data, STAMP)
    return job, token, url


def stored(store: Store, job: int) -> Document:
    return Document.from_json(
        json.loads(store.scalar("SELECT document FROM print_jobs WHERE id = ?", (job,)))
    )


def queue(store: Store, printer: SimPrinter) -> PrintQueue:
    return PrintQueue(
        store,
        {"counter-1": printer},
        clock=time.monotonic,
        device_id="pvz-test-0001",
        now=lambda: T0,
        lang="ru",
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ["Подключение планшета к посту", "Пост: counter-1", "Планшет: front tablet", "камеру"]),
        ("en", ["Pairing a tablet with a station", "Station: counter-1", "Tablet: front tablet", "camera"]),
    ],
)
def test_the_slip_names_the_station_and_carries_the_url(db: Store, lang: str, words: list[str]) -> None:
    job, _, url = pair(db, lang)
    doc = stored(db, job)
    text = render_text(doc, width=42)
    for word in words:
        assert word in text
    assert QR(url) in doc.blocks
    assert url in "".join(text.split())  # the URL as text too, for typing it (it may wrap)
    assert "pvz screen revoke 1" in " ".join(text.split())


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("ru", ["1 экран", "2 экрана", "3 экрана", "4 экрана", "5 экранов"]),
        ("en", ["1 screen is", "2 screens are", "3 screens are", "4 screens are", "5 screens are"]),
    ],
)
def test_the_slip_counts_the_screens_paired_with_its_station(db: Store, lang: str, counts: list[str]) -> None:
    pair(db, lang, station="counter-2")  # another station's screen is not counted
    for expected in counts:
        job, _, _ = pair(db, lang)
        assert expected in render_text(stored(db, job), width=80)


def test_the_token_is_gone_from_the_store_file_once_the_slip_printed(db: Store) -> None:
    assert "screen_pair" in SECRET_KINDS
    # SQLite's default without SQLITE_SECURE_DELETE (Debian builds with it): freed space keeps old text.
    db.conn.execute("PRAGMA secure_delete = OFF")
    job, token, url = pair(db)
    printer = SimPrinter()
    assert queue(db, printer).drain() == 1
    assert db.scalar("PRAGMA secure_delete") == 0  # the connection's setting is left as it was
    assert QR(url) in printer.printed[-1].doc.blocks
    blank = stored(db, job)
    assert (blank.kind, blank.title) == ("screen_pair", "Подключение планшета к посту")
    assert token not in json.dumps(blank.to_json())
    path = db.path
    assert path is not None
    db.close()
    assert not path.with_name(path.name + "-wal").exists()
    assert token.encode() not in path.read_bytes()


def test_a_slip_cut_off_mid_print_is_printed_again_whole_as_a_copy(db: Store) -> None:
    job, token, url = pair(db)
    printer = SimPrinter()
    pq = queue(db, printer)
    pq.sending(job)  # the process died after the first byte went out
    assert pq.recover() == 1
    assert QR(url) in stored(db, job).blocks
    assert pq.drain() == 1
    copy = printer.printed[-1].doc
    assert copy.mark == "КОПИЯ"
    assert QR(url) in copy.blocks
    assert token not in json.dumps(stored(db, job).to_json())
