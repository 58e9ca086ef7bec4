"""The end of a placement: a summary on screen and in the journal; no scanned parcel is lost in silence."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import scan, state
from tests.support.stock import CELLS, accept_all
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level
from workflows.placement.summary import SHOWN, Tally, summary


def _ended(store: Store) -> list[dict[str, object]]:
    rows = store.conn.execute("SELECT data FROM journal WHERE kind = 'placement_ended' ORDER BY seq")
    return [json.loads(r[0]) for r in rows]


def test_done_sums_up_what_went_where_with_words_that_agree_with_the_numbers(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT)
    for parcel, cell in CELLS.items():
        scan(engine, parcel, cell)
    r = scan(engine, Command.DONE)
    assert r.session is None and r.feedback.level is Level.OK
    assert r.feedback.msg == Msg("pl_ended", {"placed": 5, "cells": 4})
    assert r.feedback.msg.render("ru") == "Размещение завершено: размещено 5 отправлений в 4 ячейки"
    assert r.feedback.msg.render("en") == "Placement finished: 5 parcels stored in 4 cells"
    assert [m.render("ru") for m in r.feedback.details] == [
        "Ячейки: A-01-1, A-03-1, A-02-1, B-01-1",
        "Все принятые отправления размещены",
    ]
    assert _ended(store) == [
        {
            "placed": 5,
            "moved": 0,
            "cells": ["A-01-1", "A-03-1", "A-02-1", "B-01-1"],
            "unplaced": [],
            "accepted_left": 0,
        }
    ]


@pytest.mark.parametrize(
    ("placed", "cells", "ru"),
    [
        (1, 1, "размещено 1 отправление в 1 ячейку"),
        (2, 2, "размещено 2 отправления в 2 ячейки"),
        (3, 1, "размещено 3 отправления в 1 ячейку"),
    ],
)
def test_the_summary_of_one_two_three_parcels(engine: Engine, placed: int, cells: int, ru: str) -> None:
    accept_all(engine)
    plan = {  # three cells of room for three S parcels, or one cell of room for three
        1: ["11111111-0001-1", "C-A-01-1"],
        2: ["11111111-0001-1", "C-A-01-1", "22222222-0001-1", "C-A-01-2"],
        3: ["C-B-01-1", "11111111-0001-1", "22222222-0001-1", "22222222-0002-1"],
    }
    scan(engine, Command.START_PLACEMENT, *plan[placed])
    r = scan(engine, Command.DONE)
    assert r.feedback.msg == Msg("pl_ended", {"placed": placed, "cells": cells})
    assert r.feedback.msg.render("ru") == f"Размещение завершено: {ru}"
    left = 5 - placed
    assert r.feedback.details[-1] == Msg("pl_sum_left", {"count": left})


def test_a_parcel_scanned_and_never_placed_is_named_at_the_end_and_in_the_journal(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "11111111-0001-1", "22222222-0002-1", "C-A-02-1")
    scan(engine, "33333333-0001-1")  # in hand when the clerk scans DONE
    r = scan(engine, Command.DONE)
    assert r.session is None and r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("pl_ended", {"placed": 1, "cells": 1})
    unplaced = Msg("pl_sum_unplaced", {"count": 2, "parcels": "11111111-0001-1, 33333333-0001-1"})
    assert r.feedback.details == (
        Msg("pl_sum_cells", {"cells": "A-02-1"}),
        unplaced,
        Msg("pl_sum_left", {"count": 4}),
    )
    assert unplaced.render("ru") == (
        "Отсканировано, но не размещено: 2 отправления (11111111-0001-1, 33333333-0001-1) — разместите их"
    )
    assert _ended(store)[0]["unplaced"] == ["11111111-0001-1", "33333333-0001-1"]
    assert state(store, "11111111-0001-1") == ("accepted", None)  # still waiting, never lost


def test_a_parcel_being_moved_at_the_end_is_said_to_stay_in_its_cell(stocked: Engine, store: Store) -> None:
    journaled = _ended(store)  # stock() placed the manifest in a session of its own
    scan(stocked, Command.START_PLACEMENT, "11111111-0001-1")
    r = scan(stocked, Command.DONE)
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("pl_ended_nothing")
    assert r.feedback.details[0] == Msg("pl_move_dropped", {"parcel": "11111111-0001-1", "cell": "A-01-1"})
    assert _ended(store) == journaled  # nothing moved, placed or left waiting: nothing to journal


def test_a_session_with_nothing_done_ends_quietly(engine: Engine, store: Store) -> None:
    r = scan(engine, Command.START_PLACEMENT, Command.DONE)
    assert r.feedback.msg == Msg("pl_ended_nothing") and r.feedback.level is Level.OK
    assert _ended(store) == []


def test_a_session_an_earlier_version_saved_mid_parcel_ends_with_that_parcel_named(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (station, workflow, state, data, lights, started_at, updated_at) "
            "VALUES ('s1', 'placement', 'wait_cell', "
            '\'{"parcel": "11111111-0001-1", "suggested": "A-01-1", "move": false}\', '
            "'{\"A-01-1\": \"suggested\"}', 't', 't')"
        )
    r = scan(engine, Command.DONE)
    assert r.feedback.details[0] == Msg("pl_sum_unplaced", {"count": 1, "parcels": "11111111-0001-1"})


def test_long_lists_show_the_first_few_and_count_the_rest() -> None:
    codes = tuple(f"9999999{i}-0001-1" for i in range(SHOWN + 2))
    feedback, notes = summary(Tally(placed=0, moved=0, cells=(), unplaced=codes, accepted_left=8))
    line = feedback.details[0]
    assert line.params["parcels"] == Msg("pl_list_more", {"list": ", ".join(codes[:SHOWN]), "more": 2})
    assert line.render("ru").endswith("99999995-0001-1 и ещё 2) — разместите их")
    assert line.render("en").startswith("Scanned but not stored: 8 parcels (99999990-0001-1, ")
    assert notes[0].data["unplaced"] == list(codes)
