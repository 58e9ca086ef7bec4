"""The day's summary computed from the store, as written to summary.json by the demo."""

from __future__ import annotations

import json
from typing import Any

from device.store.db import Store
from workflows.parcel import ParcelState


def summary(store: Store) -> dict[str, Any]:
    """Counts straight from the store; later issues add keys, never rename these."""
    by_state = {state.value: 0 for state in ParcelState}
    for state, n in store.conn.execute("SELECT state, count(*) FROM parcels GROUP BY state"):
        by_state[state] = n
    return {
        "parcels": by_state,
        "surplus": store.scalar("SELECT count(*) FROM parcels WHERE surplus = 1"),
        "damaged": store.scalar("SELECT count(*) FROM parcels WHERE damaged = 1"),
        "supplies": store.scalar("SELECT count(*) FROM supplies"),
        "orders": store.scalar("SELECT count(*) FROM orders"),
        "issues": store.scalar("SELECT count(*) FROM journal WHERE kind = 'issue_completed'"),
        "refused_parcels": store.scalar("SELECT count(*) FROM journal WHERE kind = 'refused'"),
        "receipts": store.scalar(
            "SELECT count(*) FROM print_jobs WHERE kind = 'receipt' AND state = 'printed'"
        ),
        "cells_used": store.scalar(
            "SELECT count(DISTINCT cell) FROM journal WHERE kind IN ('placed', 'moved') AND cell IS NOT NULL"
        ),
        "journal_events": store.scalar("SELECT count(*) FROM journal"),
        "customer_returns": store.scalar("SELECT count(*) FROM parcels WHERE kind = 'customer_return'"),
        "returned_to_sender": store.scalar("SELECT count(*) FROM parcels WHERE state = 'returned'"),
        "expired": store.scalar("SELECT count(*) FROM journal WHERE kind = 'deadline_passed'"),
        "inventory": _inventory(store),
        "shifts": store.scalar("SELECT count(*) FROM shifts"),
        "clerks": store.scalar("SELECT count(DISTINCT clerk) FROM journal WHERE clerk IS NOT NULL"),
        "print_jobs_queued": store.scalar("SELECT count(*) FROM print_jobs WHERE state = 'queued'"),
        "outbox_depth": store.scalar(
            "SELECT count(*) FROM journal WHERE seq > coalesce((SELECT CAST(value AS INTEGER) FROM meta "
            "WHERE key = 'outbox_acked_seq'), 0)"
        ),
        **_outbound(store),
    }


def _outbound(store: Store) -> dict[str, Any]:
    """What left or is leaving: sellers' shipments taken in (and those that never came), customers'
    sends taken in, parcels handed to a courier, and the exception tickets."""
    kind_in = (
        "SELECT count(*) FROM parcels WHERE kind = ? AND state IN ('outbound', 'dispatching', 'dispatched')"
    )
    return {
        "dropoffs": store.scalar(kind_in, ("dropoff",)),
        "dropoffs_missing": store.scalar(
            "SELECT count(*) FROM parcels WHERE kind = 'dropoff' AND state = 'missing'"
        ),
        "sends": store.scalar(kind_in, ("send",)),
        "handed_over": store.scalar("SELECT count(*) FROM parcels WHERE state IN ('returned', 'dispatched')"),
        "tickets": {
            "opened": store.scalar("SELECT count(*) FROM tickets"),
            "resolved": store.scalar("SELECT count(*) FROM tickets WHERE state = 'resolved'"),
        },
    }


def _inventory(store: Store) -> dict[str, int]:
    """The groups of the latest inventory count, zero when there has been none."""
    raw = store.scalar("SELECT data FROM inventory_reports ORDER BY id DESC LIMIT 1")
    report = {} if raw is None else json.loads(raw)
    return {group: len(report.get(group, [])) for group in ("found", "misplaced", "missing", "unknown")}
