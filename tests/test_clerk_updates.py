"""Badges provisioned and disabled by the central system through manifest updates."""

from __future__ import annotations

from device.store.db import Store
from tests.support.factory import CLERK, new_engine, scan
from tests.support.updates import put, raw


def test_a_new_badge_signs_in_and_a_disabled_one_is_signed_out(store: Store) -> None:
    engine = new_engine(store, signed_in=())
    assert put(store, raw({"type": "clerk", "badge": "BADGE-NEW1", "name": "Вера К."}))["clerks"] == 1
    assert scan(engine, "BADGE-NEW1").feedback.msg.key == "signed_in"
    assert put(store, raw({"type": "clerk", "badge": "BADGE-NEW1", "name": "Вера К."}))["unchanged"] == 1
    put(store, raw({"type": "clerk", "badge": "BADGE-NEW1", "name": "Вера К.", "active": False}))
    assert engine.clerk("s1") is None
    assert scan(engine, "BOX00000001").feedback.msg.key == "sign_in_first"
    assert scan(engine, "BADGE-NEW1").feedback.msg.key == "badge_inactive"
    kinds = [
        r[0]
        for r in store.conn.execute("SELECT kind FROM journal WHERE data LIKE '%BADGE-NEW1%' ORDER BY seq")
    ]
    assert kinds == ["clerk_provisioned", "signed_in", "shift_opened", "signed_out", "clerk_provisioned"]
    assert scan(engine, CLERK).feedback.msg.key == "signed_in"
