"""The answers given to the site's remote stations, by input id (migration 0015, docs/site.md).

Written in the same transaction as the input's decision, so a retried input whose answer was
lost is answered from here and never decided twice.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from device.store.db import Store
from workflows.outcome import Feedback
from workflows.wire import feedback_data, feedback_from


@dataclass(frozen=True, slots=True)
class RemoteInput:
    """Who sent an input over the site broker: the id the station gave it, and the station's device."""

    id: str
    device: str


def answered(conn: sqlite3.Connection, input_id: str) -> tuple[Feedback, list[int]] | None:
    """The answer already given to `input_id`, or None when it was never decided."""
    row = conn.execute("SELECT feedback, jobs FROM remote_inputs WHERE id = ?", (input_id,)).fetchone()
    if row is None:
        return None
    return feedback_from(json.loads(row[0])), [int(j) for j in json.loads(row[1])]


def record(
    conn: sqlite3.Connection,
    remote: RemoteInput,
    station: str,
    *,
    feedback: Feedback,
    jobs: list[int],
    at: str,
) -> None:
    conn.execute(
        "INSERT INTO remote_inputs (id, station, device, feedback, jobs, at) VALUES (?, ?, ?, ?, ?, ?)",
        (remote.id, station, remote.device, json.dumps(feedback_data(feedback)), json.dumps(jobs), at),
    )


def prune(store: Store, before: str) -> int:
    """Forget the answers given before `before` (an ISO time): a retry that late is refused anyway."""
    with store.transaction() as conn:
        return conn.execute("DELETE FROM remote_inputs WHERE at < ?", (before,)).rowcount


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM remote_inputs").fetchone()[0])
