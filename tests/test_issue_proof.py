"""No parcel without proof: the order number only shows an order; codes that fit several orders
never pick one; order*code takes every order id a manifest allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device.config import parse_config
from device.engine import Engine
from device.exc import ConfigError
from device.store.db import Store
from device.wiring import policy
from tests.support.config import PICKUP_KEY
from tests.support.factory import CLERK, M, P, dump, load, new_engine, new_store, scan, state
from workflows.context import Policy
from workflows.identify import IssueCode, issue_code
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level, Light

BIG = "13415285"  # the order number printed on every parcel label of the order
BIG_PARCELS = [f"{BIG}-000{i}-1" for i in (1, 2)]


def big_cod_order(store: Store, engine: Engine) -> None:
    """Order 13415285: two parcels, 6,183.50 ₽ cash on delivery, stored in A-01-1 and A-01-2."""
    parcels = [P(BIG_PARCELS[0], BIG, cod=500000), P(BIG_PARCELS[1], BIG, cod=118350)]
    load(store, M("S7", parcels, codes={BIG: "482915"}))
    scan(engine, "S7", *BIG_PARCELS, Command.DONE)
    scan(
        engine, Command.START_PLACEMENT, BIG_PARCELS[0], "C-A-01-1", BIG_PARCELS[1], "C-A-01-2", Command.DONE
    )


@pytest.fixture
def big(store: Store, engine: Engine) -> Engine:
    big_cod_order(store, engine)
    return engine


def test_an_order_number_alone_shows_the_order_and_releases_nothing(big: Engine, store: Store) -> None:
    before = dump(store)
    r = scan(big, BIG, keyed=True)
    assert (r.feedback.level, r.feedback.msg.key) == (Level.INFO, "iss_shown")
    assert r.feedback.msg.params == {
        "order": BIG,
        "customer": "Иван П.",
        "count": 2,
        "total": 2,
        "cell_count": 2,
        "cells": "A-01-1, A-01-2",
    }
    assert r.feedback.details == (Msg("iss_amount_due", {"amount": 618350}), Msg("iss_need_code"))
    assert r.feedback.details[0].render("ru") == "Оплата при получении: 6\u00a0183,50 ₽"
    assert r.session is not None and r.session.state.value == "proof"
    assert not r.session.lights and not r.session.claims  # nothing lit: nothing to fetch yet
    # the clerk fetches a parcel anyway, tries DONE, tries to pay: nothing is issued
    assert scan(big, BIG_PARCELS[0]).feedback.msg.key == "iss_parcel_in_find"
    assert scan(big, Command.PAID_CASH).feedback.msg == Msg(
        "iss_command_not_now", {"command": Msg("cmd_PAID_CASH"), "next": Msg("iss_need_code")}
    )
    assert scan(big, Command.ID_CHECKED).feedback.msg.key == "iss_id_no_release"
    assert scan(big, Command.DONE).session is None
    after = dump(store)
    assert {t: after[t] for t in ("parcels", "print_jobs", "claims")} == {
        t: before[t] for t in ("parcels", "print_jobs", "claims")
    }
    assert not store.scalar("SELECT count(*) FROM journal WHERE kind IN ('issued', 'issue_completed')")


def test_the_customers_code_after_the_number_releases_the_order(big: Engine, store: Store) -> None:
    scan(big, BIG, keyed=True)
    r = scan(big, "482915", keyed=True)
    assert r.feedback.msg.key == "iss_found" and r.session is not None
    assert r.session.state.value == "collecting" and r.session.data.proof == "code"
    assert dict(r.session.lights) == {"A-01-1": Light.TAKE, "A-01-2": Light.TAKE}
    scan(big, *BIG_PARCELS, Command.PAID_CASH, Command.DONE)
    assert [state(store, b)[0] for b in BIG_PARCELS] == ["issued", "issued"]


def test_a_wrong_code_after_the_number_is_a_wrong_code_and_another_number_shows_that_order(
    big: Engine,
) -> None:
    scan(big, BIG, keyed=True)
    r = scan(big, "111111", keyed=True)
    assert r.feedback.msg.key == "iss_wrong_code" and r.session is not None
    assert r.session.state.value == "proof" and r.session.data.order == BIG
    r = scan(big, "11111111", keyed=True)  # another order shown by its number: nothing of it is here yet
    assert r.feedback.msg == Msg("iss_nothing_to_issue", {"order": "11111111"})
    assert r.feedback.details[0].render("en") == "11111111-0001-1: has not arrived yet"
    assert r.session is not None and r.session.data.order == BIG


def test_an_id_check_releases_by_number_only_where_config_allows_and_is_journalled(
    store: Store, tmp_path: Path
) -> None:
    config = parse_config(_config('[issue]\nrelease_by_number = "id_check"\n'), source="t")
    assert config.issue.release_by_number == "id_check"
    engine = new_engine(store, policy=policy(config))
    big_cod_order(store, engine)
    r = scan(engine, BIG, keyed=True)
    assert r.feedback.details[-1] == Msg("iss_need_code_or_id")
    r = scan(engine, Command.ID_CHECKED)
    assert r.feedback.msg.key == "iss_found" and r.session is not None
    assert r.session.data.proof == "id_check" and r.session.data.id_checked
    event = store.conn.execute(
        "SELECT clerk, station, data FROM journal WHERE kind = 'released_by_id_check'"
    ).fetchone()
    assert (event["clerk"], event["station"]) == (CLERK, "s1")
    assert json.loads(event["data"]) == {"order": BIG, "reason": "no_pickup_code"}
    scan(engine, *BIG_PARCELS, Command.PAID_CARD, Command.DONE)
    completed = json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'issue_completed'"))
    assert (completed["proof"], completed["payment"]) == ("id_check", "card")


def test_the_safe_choice_is_the_default_and_a_bad_value_is_named() -> None:
    config = parse_config(_config(""), source="t")
    assert config.issue.release_by_number == "never" and policy(config) == Policy()
    with pytest.raises(ConfigError) as err:
        parse_config(_config('[issue]\nrelease_by_number = "always"\n'), source="t")
    assert (err.value.reason, err.value.path) == ("bad_value", "$.issue.release_by_number")


# -- a code that fits several orders ------------------------------------------------------------

TWINS = {"50001234": "Мария Ивановна Петрова", "60005678": "Пётр Сидоров", "70000001": "Анна К."}


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Store, Engine]:
    """Two customers' orders with the same pickup code 111111, each stored; one has a QR. A third
    order (code 7001) is not in the store yet."""
    parcels = [P(f"{o}-0001-1", o) for o in TWINS]
    codes = {"50001234": "111111", "60005678": "111111", "70000001": "7001"}
    manifest = M("S5", parcels, codes=codes, qr={"60005678": "qr-pyotr"})
    data = manifest.to_json()
    for order in data["orders"]:
        order["customer"] = TWINS[order["id"]]
    store = new_store(tmp_path / "pvz.db")
    from device.intake.manifest import decode_manifest, import_manifest
    from tests.support.factory import T0

    import_manifest(store, decode_manifest(json.dumps(data).encode()), now=T0.isoformat())
    engine = new_engine(store)
    # the third parcel is missing: DONE asks first, DONE again closes the supply
    scan(engine, "S5", *(p.barcode for p in parcels[:2]), Command.DONE, Command.DONE)
    scan(engine, Command.START_PLACEMENT, parcels[0].barcode, "C-A-01-1", parcels[1].barcode, "C-A-01-2")
    scan(engine, Command.DONE)
    return store, engine


def test_a_code_of_two_orders_never_picks_one_and_asks_which(twins: tuple[Store, Engine]) -> None:
    store, engine = twins
    r = scan(engine, "111111", keyed=True)
    assert (r.feedback.level, r.feedback.msg) == (
        Level.WARN,
        Msg("iss_choose", {"code": "111111", "count": 2}),
    )
    assert r.feedback.details == (
        Msg("iss_choice", {"customer": "Мария П.", "tail": "1234"}),
        Msg("iss_choice", {"customer": "Пётр С.", "tail": "5678"}),
    )
    assert r.feedback.details[1].render("ru") == "Пётр С.: заказ …5678"
    assert r.session is not None and r.session.state.value == "choose"
    assert not r.session.lights and not r.session.claims and r.session.data.order == ""
    # a number that is not one of them, or the parcel, picks nothing
    assert scan(engine, "70000001", keyed=True).feedback.msg.key == "iss_not_a_choice"
    assert scan(engine, "60005678-0001-1").feedback.msg.key == "iss_parcel_in_find"
    # the ending shown picks Пётр's order
    r = scan(engine, "5678", keyed=True)
    assert r.feedback.msg.key == "iss_found" and r.feedback.msg.params["order"] == "60005678"
    assert r.session is not None and dict(r.session.lights) == {"A-01-2": Light.TAKE}
    scan(engine, "60005678-0001-1", Command.DONE)
    assert state(store, "60005678-0001-1")[0] == "issued"
    assert state(store, "50001234-0001-1") == ("stored", "A-01-1")


@pytest.mark.parametrize(
    ("choice", "order"),
    [("50001234", "50001234"), ("PVZQR:qr-pyotr", "60005678"), ("50001234*111111", "50001234")],
    ids=["full-number", "qr", "order-star-code"],
)
def test_the_choice_by_number_qr_or_order_star_code(
    twins: tuple[Store, Engine], choice: str, order: str
) -> None:
    _, engine = twins
    scan(engine, "111111", keyed=True)
    r = scan(engine, choice, keyed=True)
    assert r.feedback.msg.key == "iss_found" and r.feedback.msg.params["order"] == order


def test_an_order_whose_parcels_are_all_handed_over_is_no_longer_a_choice(
    twins: tuple[Store, Engine],
) -> None:
    _, engine = twins
    scan(engine, "50001234*111111", keyed=True)
    scan(engine, "50001234-0001-1", Command.DONE)
    r = scan(engine, "111111", keyed=True)
    assert r.feedback.msg.key == "iss_found" and r.feedback.msg.params["order"] == "60005678"


# -- order*code with every order id a manifest allows -----------------------------------------------

MANIFEST_IDS = ["ORD-77120", "A", "ord_7/x", "12345678-0001", "A*B", "x" * 64]


@pytest.mark.parametrize("order", MANIFEST_IDS)
def test_order_star_code_opens_orders_of_every_shape_the_manifest_allows(tmp_path: Path, order: str) -> None:
    store = new_store(tmp_path / "pvz.db", M("S8", [P("RU123456789CN", order)], codes={order: "482915"}))
    engine = new_engine(store)
    scan(engine, "S8", "RU123456789CN", Command.DONE, Command.START_PLACEMENT, "RU123456789CN", "C-A-01-1")
    scan(engine, Command.DONE)
    r = scan(engine, f"{order}*482915", keyed=True)
    assert r.feedback.msg.key == "iss_found" and r.feedback.msg.params["order"] == order
    store.close()


@given(
    st.text(alphabet=[chr(c) for c in range(0x21, 0x7F)], min_size=1, max_size=64),
    st.from_regex(r"\A\d{3,12}\Z"),
)
def test_an_issue_code_splits_at_the_last_star(order: str, code: str) -> None:
    if order.upper().startswith("PVZQR:"):
        assert issue_code(f"{order}*{code}") is None  # a QR payload is never an issue code
    else:
        assert issue_code(f"{order}*{code}") == IssueCode(order, code)


def _config(extra: str) -> str:
    return (
        f'[device]\nid = "pvz-test-0001"\nsite = "test-site"\n[security]\npickup_key = "{PICKUP_KEY}"\n'
        f'[[stations]]\nname = "s1"\nscanners = [{{ backend = "stdin" }}]\n{extra}'
    )


def test_the_example_config_documents_every_issue_key_and_the_address() -> None:
    import tomllib

    from device.config_schema import IssueSection

    raw = tomllib.loads((Path(__file__).resolve().parents[1] / "docs/config.example.toml").read_text("utf-8"))
    assert set(raw["issue"]) == set(IssueSection.__struct_fields__)
    assert raw["device"]["address"]
