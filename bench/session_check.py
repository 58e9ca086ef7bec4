"""How long a dashboard session check holds the hub's loop: `Sessions.find` (one lookup by the
hash of the cookie's session id, central/dashboard/auth.py) among N open sessions, and a sign-in
(`Sessions.open`: expired ones pruned, the new row kept), on the SQLite file or PostgreSQL.

    .venv/bin/python -m bench.session_check [--sessions 1000] [--checks 2000] [--db postgresql://…]

Every request of a signed-in page and every change makes one check, uncached (docs/fleet.md
"Sign-in, and acting"), so its time is time the hub does not store batches.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import make_mocked_request

from central.dashboard import auth
from central.hub_store import open_store


def _sid(response: Any) -> str:
    return str(response.cookies[auth.COOKIE].value)


def run(db: str, sessions: int, checks: int) -> dict[str, Any]:
    store = open_store(db)
    try:
        kept = auth.Sessions(store.sessions(), lifetime_s=3600)
        opening = []
        sids = []
        for i in range(sessions):
            t0 = time.perf_counter()
            sids.append(_sid(kept.open(f"operator-{i % 20}", "credential", secure=False)))
            opening.append((time.perf_counter() - t0) * 1000)
        requests = [
            make_mocked_request("GET", "/state", headers={"Cookie": f"{auth.COOKIE}={sid}"}) for sid in sids
        ]
        times = []
        for i in range(checks):
            request = requests[i % len(requests)]
            t0 = time.perf_counter()
            who = kept.find(request, lambda _: True)
            times.append((time.perf_counter() - t0) * 1000)
            assert isinstance(who, auth.Operator)
        times.sort()
        return {
            "sessions": sessions,
            "checks": checks,
            "check_p50_ms": round(statistics.median(times), 3),
            "check_p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
            "sign_in_p50_ms": round(statistics.median(opening), 3),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--db", help="postgresql://… (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "hub.db")
        print(json.dumps(run(db, args.sessions, args.checks), indent=2))


if __name__ == "__main__":
    main()
