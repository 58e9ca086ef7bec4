"""Dashboard sign-in sessions kept in the central store: the table on both stores (only a hash of
the session id), and real `pvz-central hub` processes on one PostgreSQL database: a session one
hub opened is accepted by the other and survives the first one's restart, a sign-out on one ends
it on both, an expired session and one whose token left hub.toml are refused with their reason
codes, the CSRF token is still required, and the wrong-token limit is both hubs' together."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from aiohttp.test_utils import make_mocked_request

from central.dashboard import auth
from central.dashboard.auth import csrf_token, session_key
from central.hub_store import open_store
from central.store_api import CentralStore, SessionRow
from tests.support import postgres as pgsupport
from tests.support.broker import Broker, free_port
from tests.support.hub_web import OPERATOR, TOKEN, HubProcess, running_hub

pytestmark = pytest.mark.skipif(not pgsupport.available(), reason="Debian's postgresql-15 is not installed")
ORDER = {"site": "msk-01", "device": "../x", "name": "ping"}  # refused as bad_target once signed in
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(hub_store: CentralStore) -> CentralStore:
    """Each test that takes it runs on both hub stores (tests/conftest.py hub_store)."""
    return hub_store


def _row(operator: str, created: datetime, hours: float = 1) -> SessionRow:
    return SessionRow(operator, "cred", created, created, created + timedelta(hours=hours))


def test_sessions_are_kept_found_touched_ended_and_pruned(store: CentralStore) -> None:
    sessions = store.sessions()
    sessions.open("k1", _row("anna", T0, hours=1))
    assert sessions.find("k1") == _row("anna", T0, hours=1)
    assert sessions.find("k2") is None
    sessions.touch("k1", T0 + timedelta(minutes=5))
    found = sessions.find("k1")
    assert found is not None and found.last_seen == T0 + timedelta(minutes=5)
    # A sign-in two hours later prunes the session that expired meanwhile.
    sessions.open("k2", _row("boris", T0 + timedelta(hours=2)))
    assert sessions.find("k1") is None and sessions.find("k2") is not None
    assert sessions.end("k2") and not sessions.end("k2")
    assert sessions.find("k2") is None


def test_wrong_tokens_are_counted_from_a_moment_and_forgotten_after_it(store: CentralStore) -> None:
    sessions = store.sessions()
    for minute in (0, 0, 1):
        sessions.failed_sign_in(T0 + timedelta(minutes=minute), forget_before=T0)
    assert sessions.failed_sign_ins(T0) == 3
    assert sessions.failed_sign_ins(T0 + timedelta(seconds=30)) == 1
    sessions.failed_sign_in(T0 + timedelta(minutes=2), forget_before=T0 + timedelta(minutes=1))
    assert sessions.failed_sign_ins(T0 - timedelta(hours=1)) == 2  # the two of minute 0 are gone


# Real hub processes on one PostgreSQL database.


def _cookie(hub: HubProcess) -> tuple[str, str]:
    code, headers, body = hub.request("POST", "/signin", {"token": TOKEN})
    assert code == 200, body
    cookie = headers["Set-Cookie"].split(";")[0]
    return cookie, json.loads(body)["csrf"]


def _who(hub: HubProcess, cookie: str) -> dict[str, object]:
    code, _, body = hub.request("GET", "/state", headers={"Cookie": cookie})
    assert code == 200
    return dict(json.loads(body)["operator"])


def _command(hub: HubProcess, cookie: str, csrf: str | None) -> tuple[int, str]:
    headers = {"Cookie": cookie} | ({} if csrf is None else {"X-Pvz-Csrf": csrf})
    code, answer, _ = hub.request("POST", "/api/command", ORDER, headers)
    return code, answer["X-Pvz-Reason"]


def test_a_session_is_the_store_s_not_one_hub_s(
    tmp_path: Path, broker: Broker, pg: pgsupport.Postgres
) -> None:
    url = pg.createdb("hubs")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    port_a = free_port()

    def hub_a(token: str = TOKEN) -> AbstractContextManager[HubProcess]:
        return running_hub(tmp_path / "a", broker.port, db=url, client_id="hub-a", port=port_a, token=token)

    with running_hub(tmp_path / "b", broker.port, db=url, client_id="hub-b") as b:
        with hub_a() as a:
            cookie, csrf = _cookie(a)
            assert csrf == csrf_token(cookie.split("=", 1)[1])
            assert _who(b, cookie) == {"signed_in": True, "name": OPERATOR, "csrf": csrf}
            assert _command(b, cookie, None) == (403, "bad_csrf")
            assert _command(b, cookie, "guess") == (403, "bad_csrf")
            assert _command(b, cookie, csrf) == (400, "bad_target")
        with hub_a() as a:  # restarted: the session is still there
            assert _command(a, cookie, csrf) == (400, "bad_target")
            assert b.request("POST", "/signout", None, {"Cookie": cookie})[0] == 200
            assert _command(a, cookie, csrf) == (401, "not_signed_in")
            assert _who(a, cookie) == {"signed_in": False}

            cookie, csrf = _cookie(a)
            with psycopg.connect(url, autocommit=True) as conn:
                rows = conn.execute("SELECT * FROM dashboard_sessions").fetchall()
                assert len(rows) == 1 and rows[0][0] == session_key(cookie.split("=", 1)[1])
                assert not any(cookie.split("=", 1)[1] in str(v) or csrf in str(v) for v in rows[0])
                conn.execute("UPDATE dashboard_sessions SET expires_at = now() - interval '1 second'")
            assert _command(b, cookie, csrf) == (401, "session_expired")
            assert _command(a, cookie, csrf) == (401, "not_signed_in")  # the refusal deleted it

            cookie, csrf = _cookie(b)
        with hub_a("the-new-token-of-anna") as a:  # hub.toml no longer has the token that signed in
            assert _command(a, cookie, csrf) == (401, "operator_removed")
            assert _command(b, cookie, csrf) == (401, "not_signed_in")


def test_with_the_database_down_a_change_and_a_sign_in_are_503_then_the_session_holds(
    tmp_path: Path, broker: Broker, pg: pgsupport.Postgres
) -> None:
    url = pg.createdb("down")
    with running_hub(tmp_path, broker.port, db=url, client_id="hub-down") as hub:
        cookie, csrf = _cookie(hub)
        pg.stop()
        try:
            assert _command(hub, cookie, csrf) == (503, "store_unavailable")
            code, headers, _ = hub.request("POST", "/signin", {"token": TOKEN})
            assert (code, headers["X-Pvz-Reason"]) == (503, "store_unavailable")
        finally:
            pg.resume()
        assert _command(hub, cookie, csrf) == (400, "bad_target")


def test_ten_wrong_tokens_across_two_hubs_make_both_wait(
    tmp_path: Path, broker: Broker, pg: pgsupport.Postgres
) -> None:
    url = pg.createdb("limit")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_hub(tmp_path / "a", broker.port, db=url, client_id="hub-a") as a,
        running_hub(tmp_path / "b", broker.port, db=url, client_id="hub-b") as b,
    ):
        for hub in (a, b) * 5:
            code, headers, _ = hub.request("POST", "/signin", {"token": "guess"})
            assert (code, headers["X-Pvz-Reason"]) == (401, "bad_token")
        for hub in (a, b):
            code, headers, _ = hub.request("POST", "/signin", {"token": TOKEN})
            assert (code, headers["X-Pvz-Reason"]) == (429, "too_many_attempts")


def test_a_check_writes_last_seen_once_a_minute_and_refuses_with_the_reason(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hub.db")
    now = [T0]
    sessions = auth.Sessions(store.sessions(), lifetime_s=3600, clock=lambda: now[0])
    sid = sessions.open(OPERATOR, "cred", secure=True).cookies[auth.COOKIE].value
    request = make_mocked_request("GET", "/state", headers={"Cookie": f"{auth.COOKIE}={sid}"})
    kept = store.sessions()
    for seconds, seen in ((30, 0), (61, 61), (100, 61)):
        now[0] = T0 + timedelta(seconds=seconds)
        assert sessions.find(request, lambda _: True) == auth.Operator(OPERATOR, csrf_token(sid))
        row = kept.find(session_key(sid))
        assert row is not None and row.last_seen == T0 + timedelta(seconds=seen)
    assert sessions.find(request, lambda row: row.credential != "cred") == auth.Refused("operator_removed")
    assert kept.find(session_key(sid)) is None
    sid = sessions.open(OPERATOR, "cred", secure=True).cookies[auth.COOKIE].value
    request = make_mocked_request("GET", "/state", headers={"Cookie": f"{auth.COOKIE}={sid}"})
    now[0] += timedelta(hours=1)
    assert sessions.find(request, lambda _: True) == auth.Refused("session_expired")
    assert sessions.find(request, lambda _: True) == auth.Refused("not_signed_in")
    store.close()
