"""Bad codes get a clear refusal with a logged reason, change nothing, and leave the station usable."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, new_engine, new_store, scan, standard_manifest, state
from workflows.inputs import Command
from workflows.outcome import Level

BAD = [
    pytest.param(b"", "code_empty", id="empty"),
    pytest.param("   \r\n", "code_empty", id="blank"),
    pytest.param("7" * 10_000, "code_too_long", id="10k-chars"),
    pytest.param("1111\x001111", "code_control_char", id="nul"),
    pytest.param("\x1b[31m11111111-0001-1", "code_control_char", id="escape-sequence"),
    pytest.param("1111\u200b1111", "code_control_char", id="zero-width-space"),
    pytest.param(b"\xff\xfe\xfd", "code_not_utf8", id="not-utf8"),
    pytest.param(b"11111111-0001-1\xc3", "code_not_utf8", id="truncated-utf8"),
    pytest.param("PVZC-SELF-DESTRUCT", "unknown_command", id="unknown-command"),
    pytest.param("NOBODY-KNOWS-THIS", "unknown_code", id="unknown-code"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD)
@pytest.mark.parametrize("opened", ["idle", "acceptance", "issue"])
def test_bad_code_is_refused_logged_and_changes_nothing(
    engine: Engine, store: Store, caplog: pytest.LogCaptureFixture, raw: str | bytes, reason: str, opened: str
) -> None:
    if opened == "acceptance":
        scan(engine, "BOX00000001")
    elif opened == "issue":
        scan(
            engine,
            "BOX00000001",
            "11111111-0001-1",
            Command.DONE,
            Command.DONE,
            "11111111-0001-1",
            "C-A-01-1",
            Command.DONE,
        )
        scan(engine, "11111111*1111", keyed=True)
    session = engine.session("s1")
    before = dump(store)
    caplog.set_level(logging.INFO, logger="pvz.engine")
    r = scan(engine, raw)
    assert r.feedback.level is Level.ERROR
    if reason == "unknown_code" and opened == "acceptance":
        reason = "acc_not_a_label"  # not parcel-shaped, so not a surplus either
    if reason == "unknown_code" and opened == "issue":
        reason = "iss_unknown_parcel"  # the issue says what to scan instead
    assert r.feedback.msg.key == reason
    assert r.feedback.msg.render("ru") and r.feedback.msg.render("en")
    assert dump(store) == before
    assert engine.session("s1") == session
    assert any(reason in rec.getMessage() or "refused" in rec.getMessage() for rec in caplog.records)
    # the station is still usable: a good code right after works
    good = {"idle": "BOX00000001", "acceptance": "22222222-0001-1", "issue": "11111111-0001-1"}[opened]
    assert scan(engine, good).feedback.level is Level.OK


def test_a_failure_inside_the_transaction_rolls_back_and_the_station_goes_on(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault after some writes (here: the document builder) leaves no trace of the scan."""
    scan(engine, "BOX00000001", "11111111-0001-1", Command.DONE)  # asks: 4 parcels are missing
    before = dump(store)

    def broken(*args: object) -> None:
        raise ValueError("template exploded")

    monkeypatch.setattr(engine.docs, "build", broken)
    r = scan(engine, Command.DONE)  # would mark them missing, close the supply, queue an act
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "internal_error"
    assert dump(store) == before
    monkeypatch.undo()
    assert scan(engine, Command.DONE).feedback.msg.key == "acc_closed"
    assert state(store, "33333333-0001-1")[0] == "missing"


ALPHABET = [
    "BOX00000001",
    "S1",
    "11111111-0001-1",
    "22222222-0001-1",
    "22222222-0002-1",
    "33333333-0001-1",
    "44444444-0001-1",
    "99999999-0001-1",
    "C-A-01-1",
    "C-A-02-1",
    "C-A-03-1",
    "C-B-01-1",
    "11111111",
    "22222222*222222",
    "PVZQR:qr-token-22",
    *[c.barcode for c in Command],
]
WRONG_CODE = {"iss_wrong_code", "iss_codes_paused"}
codes = st.one_of(st.sampled_from(ALPHABET), st.binary(max_size=40), st.text(max_size=40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(codes, st.sampled_from(["a", "b"])), min_size=1, max_size=40))
def test_random_scans_never_raise_and_refusals_never_write(seq: list[tuple[str | bytes, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = new_store(Path(tmp) / "pvz.db", standard_manifest())
        engine = new_engine(store)
        try:
            for raw, station in seq:
                before = dump(store)
                r = engine.handle(station, raw)
                if r.feedback.msg.key in WRONG_CODE:
                    # a wrong pickup code is counted against the station, and journalled; nothing else
                    after = dump(store)
                    assert {t: rows for t, rows in after.items() if t not in ("wrong_codes", "journal")} == {
                        t: rows for t, rows in before.items() if t not in ("wrong_codes", "journal")
                    }
                    new_events = {row[6] for row in after["journal"][len(before["journal"]) :]}
                    assert new_events <= {"wrong_code", "alert"}, new_events
                elif r.feedback.level is Level.ERROR:
                    assert dump(store) == before, (raw, r.feedback.msg)
                bad = store.conn.execute(
                    "SELECT c.address FROM cells c WHERE (SELECT count(*) FROM parcels p WHERE p.cell_id = c.id) "
                    "> c.capacity"
                ).fetchall()
                assert not bad
                drift = store.conn.execute(
                    "SELECT address FROM cells c WHERE occupied != (SELECT count(*) FROM parcels p WHERE p.cell_id = c.id)"
                ).fetchall()
                assert not drift, "the occupancy counter disagrees with the parcels"
                assert not store.scalar(
                    "SELECT count(*) FROM parcels WHERE cell_id IS NOT NULL AND state != 'stored'"
                )
        finally:
            store.close()
