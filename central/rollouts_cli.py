"""`pvz-central fleet rollouts [pause|resume|cancel ID]`: the staged rollouts the hubs carry out,
with where each stands on its devices, and the operator's hand on them.

It reads and writes the hubs' store only (--db): the counts come from the statuses the hubs keep,
so no broker is needed. Pausing stops the widening, not the devices that already have the
release; resuming hands the plan back to the hubs, which widen it at their next round once its
interval since the last stage has passed, and stop it again if its failures are still past the
threshold (give a higher --max-failures to go on regardless).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from central.hub_store import open_store
from central.release import RolloutError
from central.rollout_plans import Plan
from central.rollout_widen import standing
from central.store_api import CentralStore
from workflows.messages import Msg

# What an operator may do to a plan in which states, and the state it ends in.
ACTIONS = {
    "pause": (("running",), "paused"),
    "resume": (("paused", "paused_failures"), "running"),
    "cancel": (("running", "paused", "paused_failures"), "cancelled"),
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rollouts", help="staged rollouts: list them, or pause, resume or cancel one")
    p.add_argument("plan_action", nargs="?", choices=["list", *ACTIONS], default="list", metavar="ACTION")
    p.add_argument("plan_id", nargs="?", metavar="ID", help="the rollout, as the list names it")
    p.add_argument("--db", required=True, help="the hubs' store: SQLite file or postgresql://…")
    p.add_argument("--max-failures", type=float, help="resume: a new failure threshold, in percent")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the list")
    p.add_argument("--json", action="store_true", help="the plans as JSON, with their history")


async def run(args: argparse.Namespace, out: TextIO) -> int:
    store = open_store(args.db)
    try:
        if args.plan_action != "list":
            _act(store, args)
        plans = store.plans.all()
        if args.plan_id is not None:
            plans = [p for p in plans if p.plan_id == args.plan_id]
        known = store.plans.known()
        rows = [_row(store, plan, standing(plan, known)) for plan in plans]
    finally:
        store.close()
    if args.json:
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        out.write(Msg("rollouts_none").render(args.lang) + "\n")
    for plan, one in zip(plans, rows, strict=True):
        out.write(line(plan).render(args.lang) + "\n")
        out.write("  " + Msg("fleet_rollout_progress", one["progress"]).render(args.lang) + "\n")
    return 0


def _act(store: CentralStore, args: argparse.Namespace) -> None:
    if args.plan_id is None or store.plans.get(args.plan_id) is None:
        raise RolloutError("unknown_plan", f"no staged rollout {args.plan_id!r}")
    before, state = ACTIONS[args.plan_action]
    limit = args.max_failures if args.plan_action == "resume" else None
    event = "resumed" if args.plan_action == "resume" else None
    done = store.plans.set_state(
        args.plan_id, before, state, datetime.now(UTC), event=event, max_failures=limit
    )
    if not done:
        raise RolloutError("plan_state", f"rollout {args.plan_id}: cannot {args.plan_action} it in its state")


def _row(store: CentralStore, plan: Plan, counts: dict[str, int]) -> dict[str, Any]:
    """A plan for a script: its fields but the release document, the stage counted from 1."""
    row = plan.as_dict()
    row.pop("release")
    row["stage"] = plan.stage + 1
    row["devices"] = len(plan.devices)
    row["progress"] = counts
    row["history"] = store.plans.history(plan.plan_id)
    return row


def line(plan: Plan) -> Msg:
    """The plan in words: what, where, which stage, and its state."""
    params: dict[str, Any] = {}
    if plan.state == "running":
        due = datetime.fromisoformat(plan.stage_at) + timedelta(seconds=plan.every_s)
        params["next"] = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    elif plan.state == "paused_failures":
        params["max"] = _number(plan.max_failures)
    return Msg(
        "rollouts_plan",
        {
            "plan": plan.plan_id,
            "package": plan.package,
            "version": plan.version,
            "sites": ", ".join(plan.sites),
            "stage": plan.stage + 1,
            "stages": len(plan.stages),
            "percent": _number(plan.stages[plan.stage]),
            "devices": len(plan.devices),
            "state": Msg(f"rollouts_state_{plan.state}", params),
        },
    )


def _number(value: float) -> str:
    return f"{value:g}"
