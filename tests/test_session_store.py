"""Sessions in the store: typed data round-trips, and rows that earlier versions wrote resume."""

from __future__ import annotations

import json
import sqlite3
import typing
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device.engine import Engine
from device.store.db import Store
from device.store.journal import Stamp
from device.store.sessions import StoredSessionError, decode_data, encode_data, load_session, save_session
from tests.support.factory import dump, scan
from tests.support.stock import stock
from workflows.inputs import Command
from workflows.outcome import Level, Light
from workflows.registry import BY_NAME, WORKFLOWS, UnknownWorkflow
from workflows.session import Workflow

# (workflow, state, data) exactly as the code before typed session data wrote them.
EARLIER_ROWS = [
    ("acceptance", "choose_supply", '{"supply": null}'),
    ("acceptance", "scanning", '{"supply": "S1"}'),
    ("acceptance", "damaged_next", '{"supply": "S1"}'),
    ("placement", "wait_parcel", "{}"),
    ("placement", "wait_cell", '{"parcel": "11111111-0001-1", "suggested": "A-01-1", "move": false}'),
    ("placement", "wait_cell", '{"parcel": "11111111-0001-1", "suggested": null, "move": true}'),
    ("issue", "find", "{}"),
    (
        "issue",
        "collecting",
        '{"order": "22222222", "customer": "Иван П.", "parcels": ["22222222-0001-1", "22222222-0002-1"], '
        '"taken": ["22222222-0001-1"], "refused": [], "id_checked": false, "paid_kopecks": 0}',
    ),
    (
        "issue",
        "refuse_next",
        '{"order": "22222222", "customer": "Иван П.", "parcels": ["22222222-0001-1", "22222222-0002-1"], '
        '"taken": [], "refused": [], "id_checked": false, "paid_kopecks": 0}',
    ),
    ("customer_return", "find", "{}"),
    (
        "customer_return",
        "check_complete",
        '{"parcels": ["22222222-0002-1"], "order": "22222222", "request": "RR-1", "reason": "size", '
        '"size": "M", "checks": {"condition": true}}',
    ),
    (
        "customer_return",
        "place",
        '{"parcels": ["22222222-0002-1"], "order": "22222222", "request": "RR-1", "reason": "size", '
        '"size": "M", "checks": {"condition": true, "completeness": true, "matches_request": false}, '
        '"barcode": "R-22222222-0002-1", "suggested": "R-01-1"}',
    ),
    ("return_to_sender", "bag", '{"bag": null, "picked": []}'),
    ("return_to_sender", "picking", '{"bag": "RBAG00000001", "picked": ["R-22222222-0002-1"]}'),
    (
        "inventory",
        "in_cell",
        '{"started_at": "2026-11-21T09:00:46+00:00", "counted": {"A-01-1": ["11111111-0001-1"]}, '
        '"current": "A-01-1", "unknown": ["NOPE-1234567"]}',
    ),
]


def put_row(store: Store, workflow: str, state: str, data: str, lights: str = "{}") -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (station, workflow, state, data, lights, started_at, updated_at) "
            "VALUES ('s1', ?, ?, ?, ?, 't', 't') ON CONFLICT (station) DO UPDATE SET "
            "workflow = excluded.workflow, state = excluded.state, data = excluded.data, lights = excluded.lights",
            (workflow, state, data, lights),
        )


def saved_data(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT data FROM sessions WHERE station = 's1'").fetchone()[0])


@pytest.mark.parametrize(("workflow", "state", "data"), EARLIER_ROWS, ids=lambda v: v[:24])
def test_rows_an_earlier_version_wrote_load_typed_and_save_back_compatibly(
    store: Store, workflow: str, state: str, data: str
) -> None:
    put_row(store, workflow, state, data, '{"A-01-1": "suggested"}')
    session = load_session(store.conn, "s1")
    assert session is not None
    assert session.workflow is BY_NAME[workflow]
    assert session.state.value == state
    assert isinstance(session.data, BY_NAME[workflow].data)
    assert dict(session.lights) == {"A-01-1": Light.SUGGESTED}
    with store.transaction() as conn:
        save_session(conn, "s1", session, Stamp("dev", "t2", "s1", None))
        again = saved_data(conn)
    # what was there is written back the same; fields the earlier row lacked come with defaults
    old, new = json.loads(data), json.loads(again)
    assert {k: new[k] for k in old} == old
    assert list(new) == [f.name for f in fields(BY_NAME[workflow].data)]
    assert load_session(store.conn, "s1") == session


def test_sessions_written_by_an_earlier_version_go_on_where_they_were(engine: Engine, store: Store) -> None:
    stock(engine)
    put_row(store, "issue", "find", "{}")
    r = scan(engine, "222222", keyed=True)
    assert r.feedback.msg.key == "iss_found"
    assert r.session is not None and r.session.data.parcels == ("22222222-0001-1", "22222222-0002-1")
    put_row(store, "placement", "wait_parcel", "{}")
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg.key == "pl_move_from"
    put_row(store, "customer_return", "find", "{}")
    assert scan(engine, Command.CANCEL).feedback.msg.key == "ret_ended"
    assert engine.session("s1") is None


@pytest.mark.parametrize(
    ("workflow", "state", "data", "error"),
    [
        ("teleport", "anywhere", "{}", UnknownWorkflow),
        ("acceptance", "scanning", '{"supply": 5}', StoredSessionError),
        ("inventory", "in_cell", '{"counted": {}}', StoredSessionError),  # no started_at
        ("acceptance", "flying", '{"supply": "S1"}', StoredSessionError),
        ("placement", "wait_parcel", "not json", StoredSessionError),
    ],
)
def test_a_stored_session_that_does_not_fit_is_refused_by_name(
    engine: Engine, store: Store, workflow: str, state: str, data: str, error: type[Exception]
) -> None:
    put_row(store, workflow, state, data)
    with pytest.raises(error):
        load_session(store.conn, "s1")
    before = dump(store)
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "internal_error"
    assert r.session is None
    assert dump(store) == before
    assert engine.sessions() == {}  # the runtime still starts; the station's scans are refused


def _field(hint: Any) -> st.SearchStrategy[Any]:
    """Any value of a field; a mapping as the plain dict the workflows build."""
    if typing.get_origin(hint) is Mapping:
        key, value = typing.get_args(hint)
        return st.dictionaries(st.from_type(key), st.from_type(value))
    return st.from_type(hint)


def _data_of(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Any value of a session data class, every field drawn (builds alone keeps defaults)."""
    return st.builds(cls, **{name: _field(hint) for name, hint in typing.get_type_hints(cls).items()})


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_workflows_data_round_trips_through_the_store_json(
    workflow: Workflow[Any, Any], data: st.DataObject
) -> None:
    value = data.draw(_data_of(workflow.data))
    text = encode_data(value)
    assert isinstance(json.loads(text), dict)
    assert decode_data(workflow, text) == value


@pytest.mark.parametrize(
    ("workflow", "data", "reason", "path"),
    [
        ("acceptance", '{"supply": 5}', "wrong_type", "$.supply"),
        ("placement", "not json", "not_json", "$"),
        ("inventory", '{"counted": {}}', "missing_field", "$.started_at"),
    ],
)
def test_stored_data_that_does_not_fit_names_its_reason_and_path(
    workflow: str, data: str, reason: str, path: str
) -> None:
    with pytest.raises(StoredSessionError) as info:
        decode_data(BY_NAME[workflow], data)
    assert (info.value.reason, info.value.path) == (reason, path)
