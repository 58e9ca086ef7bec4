"""Station tokens of the local screen: only their hashes are stored, revoking works, use is noted once a minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from device.reports.history import event_name
from device.screen.tokens import new_token, revoke, station_for, token_hash, tokens
from device.store.db import Store
from device.store.journal import read_events

T0 = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "pvz.db") as store:
        store.set_meta("device_id", "pvz-test-0001")
        yield store


def test_only_the_hash_is_kept_and_the_pairing_is_journalled_without_the_token(db: Store) -> None:
    with db.transaction() as conn:
        token_id, token = new_token(conn, "counter-1", "front tablet", T0)
    assert len(token) >= 43
    row = db.conn.execute("SELECT * FROM screen_tokens WHERE id = ?", (token_id,)).fetchone()
    assert row["token_hash"] == token_hash(token) != token
    assert (row["station"], row["label"], row["created_at"]) == (
        "counter-1",
        "front tablet",
        "2026-11-21T10:00:00+00:00",
    )
    assert token not in "".join(str(v) for v in tuple(row))
    (event,) = read_events(db.conn, "kind = 'screen_paired'")
    assert (event.device_id, event.station) == ("pvz-test-0001", "counter-1")
    assert event.data == {"station": "counter-1", "label": "front tablet", "token": token_id}
    assert token not in str(event.to_json())


def test_a_token_opens_its_station_until_it_is_revoked(db: Store) -> None:
    with db.transaction() as conn:
        first, token = new_token(conn, "counter-1", "a", T0)
        _, other = new_token(conn, "counter-2", "b", T0)
    assert station_for(db.conn, token, now=T0) == "counter-1"
    assert station_for(db.conn, other, now=T0) == "counter-2"
    assert station_for(db.conn, token + "x", now=T0) is None
    assert station_for(db.conn, "", now=T0) is None
    with db.transaction() as conn:
        assert revoke(conn, first, T0 + timedelta(hours=1)) is True
    assert station_for(db.conn, token, now=T0) is None
    assert station_for(db.conn, other, now=T0) == "counter-2"
    with db.transaction() as conn:
        assert revoke(conn, first, T0) is False  # already revoked: nothing journalled twice
        assert revoke(conn, 999, T0) is False
    (event,) = read_events(db.conn, "kind = 'screen_revoked'")
    assert event.data == {"station": "counter-1", "label": "a", "token": first}
    listed = tokens(db.conn)
    assert [(t.id, t.station, t.active) for t in listed] == [
        (first, "counter-1", False),
        (first + 1, "counter-2", True),
    ]
    assert listed[0].revoked_at == "2026-11-21T11:00:00+00:00"


def test_last_used_is_written_at_most_once_a_minute(db: Store) -> None:
    with db.transaction() as conn:
        token_id, token = new_token(conn, "counter-1", "a", T0)

    def last_used() -> str | None:
        value = db.scalar("SELECT last_used_at FROM screen_tokens WHERE id = ?", (token_id,))
        return None if value is None else str(value)

    assert last_used() is None
    station_for(db.conn, token, now=T0)
    assert last_used() == "2026-11-21T10:00:00+00:00"
    changes = db.conn.total_changes
    for seconds in (1, 30, 59):
        station_for(db.conn, token, now=T0 + timedelta(seconds=seconds))
    assert last_used() == "2026-11-21T10:00:00+00:00"
    assert db.conn.total_changes == changes  # not even a write of the same value
    station_for(db.conn, token, now=T0 + timedelta(seconds=60))
    assert last_used() == "2026-11-21T10:01:00+00:00"


def test_pairing_events_have_words_in_both_languages() -> None:
    for kind in ("screen_paired", "screen_revoked"):
        assert event_name(kind).key == f"ev_{kind}"
        assert event_name(kind).render("ru") != event_name(kind).render("en")
