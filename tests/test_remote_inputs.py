"""A remote station's input is decided once by its id (Engine.handle(remote=…), remote_inputs):
the same id again is answered from the store; a decision that fails keeps no answer; old answers go."""

from __future__ import annotations

from typing import Any

import pytest

import device.engine
from device.engine import Engine
from device.store import remote_inputs
from device.store.db import Store
from device.store.remote_inputs import RemoteInput
from tests.support.factory import CLERK, dump
from workflows.inputs import Command
from workflows.outcome import Level


def test_the_same_id_twice_is_decided_once_and_answered_the_same(stocked: Engine, store: Store) -> None:
    take = RemoteInput("a" * 32, "pvz-a")
    stocked.handle("a", "22222222*222222", keyed=True, remote=RemoteInput("1" * 32, "pvz-a"))
    for code in ("22222222-0001-1", "22222222-0002-1"):
        stocked.handle("a", code)
    first = stocked.handle("a", Command.DONE.barcode, remote=take)
    assert first.feedback.msg.key == "iss_done" and first.jobs and not first.duplicate
    before = dump(store)
    again = stocked.handle("a", Command.DONE.barcode, remote=take)
    assert again.duplicate and again.feedback == first.feedback and again.jobs == first.jobs
    assert dump(store) == before  # nothing decided, nothing written, no second receipt


def test_a_decision_that_fails_keeps_no_answer_so_the_retry_is_decided(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in = RemoteInput("b" * 32, "pvz-c")

    def broken(*_: Any, **__: Any) -> list[int]:
        raise ValueError("the store refused")

    with monkeypatch.context() as patch:
        patch.setattr(device.engine, "apply", broken)
        failed = engine.handle("c", CLERK, remote=sign_in)
    assert failed.feedback.level is Level.ERROR and not failed.duplicate
    assert remote_inputs.count(store.conn) == 0
    retried = engine.handle("c", CLERK, remote=sign_in)
    assert retried.feedback.msg.key == "signed_in" and not retried.duplicate
    assert remote_inputs.count(store.conn) == 1


def test_answers_older_than_the_cut_are_pruned(engine: Engine, store: Store) -> None:
    engine.handle("c", CLERK, remote=RemoteInput("c" * 32, "pvz-c"))
    at = store.conn.execute("SELECT at FROM remote_inputs").fetchone()[0]
    assert remote_inputs.prune(store, "1999-01-01T00:00:00+00:00") == 0
    assert remote_inputs.prune(store, "2999-01-01T00:00:00+00:00") == 1
    assert remote_inputs.count(store.conn) == 0 and at.endswith("+00:00")
    # Pruned, the id is a stranger again: the station's window refuses such a late retry first.
    assert remote_inputs.answered(store.conn, "c" * 32) is None
