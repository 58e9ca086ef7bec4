"""Reports over the rest of a parcel's life: a customer return that goes back to the sender."""

from __future__ import annotations

from device.engine import Engine
from device.reports.build import day_report, parcel_history
from device.reports.history import history_text
from device.store.db import Store
from tests.support.factory import CLERK, scan, state
from tests.support.report_day import D21
from tests.support.stock import issue_order_22, stock
from workflows.inputs import Command

RETURN = "R-22222222-0001-1"


def test_a_customer_return_sent_back_shows_in_the_day_and_its_history(engine: Engine, store: Store) -> None:
    stock(engine)
    issue_order_22(engine)
    scan(engine, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK, "C-R-01-1")
    scan(engine, Command.START_RETURN_TO_SENDER, "RBAG00012345", RETURN, Command.DONE)
    assert state(store, RETURN) == ("returned", None)
    rep = day_report(store, D21)
    [customer] = rep["returns"]["customer"]
    [back] = rep["returns"]["to_sender"]
    assert (customer["parcel"], customer["order"], customer["clerk"]) == (RETURN, "22222222", CLERK)
    assert (back["parcel"], back["order"], back["station"]) == (RETURN, "22222222", "s1")
    [clerk] = rep["clerks"]
    assert (clerk["customer_returns"], clerk["returned"], clerk["issued"]) == (1, 1, 2)
    assert clerk["kinds"]["return_stored"] == 1 and clerk["kinds"]["returning"] == 1
    assert rep["states"]["returned"] == 1 and rep["waits"]["count"] == 2
    [p] = parcel_history(store, RETURN)["parcels"]
    assert (p["kind"], p["order"], p["origin"]) == ("customer_return", "22222222", None)
    assert [(e["kind"], e["to_state"]) for e in p["events"]] == [
        ("customer_return", "accepted"),
        ("return_stored", "to_return"),
        ("returning", "returning"),
        ("returned", "returned"),
    ]
    text = history_text(parcel_history(store, RETURN), "ru")
    assert "Не из накладной" in text and "возвращено" in text
