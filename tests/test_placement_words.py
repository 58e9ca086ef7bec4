"""Placement's words on a messy day: every refusal says what to do next, no text shows an identifier."""

from __future__ import annotations

import re

import pytest

from device.engine import Engine, Result
from device.store.db import Store
from tests.support.factory import M, P, load, scan
from tests.support.stock import stock
from workflows.inputs import Command
from workflows.messages import CATALOG, LANGUAGES, Msg, state_name
from workflows.outcome import Level
from workflows.parcel import ParcelState, Size
from workflows.placement import State
from workflows.placement.rules import not_placeable
from workflows.registry import WORKFLOWS
from workflows.views import ParcelView

# Identifiers a person must never read: the machine's states, the parcel states' and the
# workflows' names where they are not plain words ("placement" is one in English).
IDENTIFIERS = (
    {s.value for s in State}
    | {s.value for s in ParcelState if "_" in s.value}
    | {w.name for w in WORKFLOWS if "_" in w.name}
)
RAW = re.compile(r"\b(" + "|".join(sorted(IDENTIFIERS)) + r")\b|[{}]")


def _says_what_next(msg: Msg) -> bool:
    """A `next` step somewhere in the message, or in a message it carries."""
    return "next" in msg.params or any(isinstance(v, Msg) and _says_what_next(v) for v in msg.params.values())


def _texts(result: Result) -> list[str]:
    msgs = (result.feedback.msg, *result.feedback.details)
    return [m.render(lang) for m in msgs for lang in LANGUAGES]


def _messy_day(engine: Engine) -> list[Result]:
    """Every way a clerk gets placement wrong, in every state it has, and the normal moves between."""
    seen: list[Result] = []

    def go(*codes: str | Command, station: str = "s1") -> None:
        for code in codes:
            seen.append(scan(engine, code, station=station))

    strays: list[str | Command] = [
        "nonsense",
        Command.PAID,
        Command.SHIFT_CLOSE,
        "11111111-0001-1",  # issued
        "55555555-0001-1",  # missing
        "88888888-0001-1",  # expected
        "77777777-0001-1",  # in hand at station a
    ]
    go(Command.START_PLACEMENT, "77777777-0001-1", station="a")
    go(Command.START_PLACEMENT, *strays, "C-A-02-1")  # wait_parcel; a full cell cannot be opened
    go("C-A-01-1")  # nor one lit for station a's parcel
    go("66666666-0001-1", *strays, "C-A-01-1", "C-A-02-1", "C-R-01-1", "C-A-02-2")  # wait_cell: M
    go("C-A-01-2", *strays, "66666666-0001-1", "22222222-0001-1")  # fill_cell: S; a move that does not fit
    go("C-B-01-1", "33333333-0001-1", Command.CANCEL, Command.DONE)  # a move in, close, end
    go(Command.CANCEL, Command.DONE, station="a")
    return seen


@pytest.fixture
def messy(store: Store, engine: Engine) -> list[Result]:
    """Stocked but for 22222222-0001-1, order 11111111 issued; S2 half accepted, S3 expected."""
    stock(engine, unplaced={"22222222-0001-1"})
    scan(engine, "11111111*1111", keyed=True)  # the order number alone only shows the order
    scan(engine, "11111111-0001-1", Command.DONE)
    load(
        store,
        M(
            "S2",
            [
                P("55555555-0001-1", "55555555"),
                P("66666666-0001-1", "66666666", size="M"),
                P("77777777-0001-1", "77777777"),
            ],
        ),
    )
    load(store, M("S3", [P("88888888-0001-1", "88888888")]))
    # DONE with 55555555-0001-1 missing asks first; DONE again closes S2
    scan(engine, "66666666-0001-1", "77777777-0001-1", Command.DONE, Command.DONE)
    return _messy_day(engine)


def test_every_placement_refusal_says_what_to_do_next(messy: list[Result]) -> None:
    refusals = [r for r in messy if r.feedback.level is Level.ERROR]
    keys = {r.feedback.msg.key for r in refusals}
    assert {
        "pl_unknown_code",
        "pl_command_not_now",
        "pl_not_placeable",
        "pl_cell_full",
        "pl_too_big",
        "pl_wrong_zone",
        "pl_claimed",
        "pl_cell_claimed",
    } <= keys
    silent = [r.feedback.msg for r in refusals if not _says_what_next(r.feedback.msg)]
    assert not silent


def test_no_placement_text_shows_a_state_or_workflow_identifier(messy: list[Result]) -> None:
    texts = [t for r in messy for t in _texts(r)]
    assert len(texts) > 60
    shown = [t for t in texts if RAW.search(t) or "(wait_parcel)" in t]
    assert not shown


def test_the_catalogue_of_placement_names_no_identifier() -> None:
    for key, texts in CATALOG.items():
        if key.startswith("pl_"):
            for text in texts:
                assert not re.search(r"\b(" + "|".join(sorted(IDENTIFIERS)) + r")\b", text), key


@pytest.mark.parametrize(
    "state", [s for s in ParcelState if s not in (ParcelState.ACCEPTED, ParcelState.STORED)], ids=str
)
def test_a_parcel_in_any_other_state_is_refused_with_its_name_and_a_way_on(state: ParcelState) -> None:
    parcel = ParcelView(
        "11111111-0001-1", "11111111", "S1", None, Size.S, state, None, 0, False, False, False, None
    )
    msg = not_placeable(parcel)
    assert _says_what_next(msg)
    for lang in LANGUAGES:
        text = msg.render(lang)
        assert not RAW.search(text), text
        assert state_name(state.value).render(lang) in text
