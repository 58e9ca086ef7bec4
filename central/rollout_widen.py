"""The hub's side of a staged rollout: widening a running plan to its next stage once its
interval has passed, and stopping it once too many of its finished installs failed.

Every hub of a group runs this each round; the step itself is a conditional update in the
central store (central/rollout_plans.py), so when two hubs see the same plan due, one steps and
publishes and the other finds the plan already moved. The release published is the signed
document kept in the plan: a hub holds no release key. The devices' reports are the statuses the
hubs already keep (their `release` object), so counting costs one read of the store a round,
and only while a plan runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from central.release import RolloutError, choose, progress
from central.rollout_plans import Plan
from central.store_api import CentralStore, HubStoreUnavailable
from device.update.release import UpdateRefused, decode
from sync.topics import Topics
from sync.transport import MqttLink, PublishError, PublishProps

log = logging.getLogger("pvz.sync.hub")

# A stage taken this long ago whose publishes no hub has confirmed (its hub died between the step
# and the broker's acknowledgements, or the broker refused one): any hub publishes it again.
REPUBLISH_AFTER_S = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def pairs(devices: list[str]) -> list[tuple[str, str]]:
    """ "site/device" as (site, device)."""
    return [(d.partition("/")[0], d.partition("/")[2]) for d in devices]


def standing(plan: Plan, known: Mapping[tuple[str, str], Mapping[str, Any]]) -> dict[str, int]:
    """How the plan's release stands on the devices it was published to (central/release.py)."""
    return progress(pairs(plan.devices), known, plan.sha256)


def too_many_failures(plan: Plan, counts: Mapping[str, int]) -> bool:
    """More than max_failures percent of the finished installs (healthy or failed) failed: the
    rule `fleet rollout` refuses a wider percent by (`failure_threshold`)."""
    finished = counts["healthy"] + counts["failed"]
    return bool(finished) and counts["failed"] * 100 > plan.max_failures * finished


class Widener:
    """Checks the running plans of the sites this hub serves (`site`, "+" for all); the clock is
    a parameter so a test moves it by minutes without waiting them."""

    def __init__(
        self,
        store: CentralStore,
        link: MqttLink,
        *,
        site: str = "+",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.link = link
        self.site = site
        self.clock = clock
        self.counters = dict.fromkeys(("stages_widened", "rollouts_paused", "release_publishes"), 0)

    async def round(self) -> None:
        """The hub's round: a database that is away now skips it (the plans wait for the next)."""
        try:
            await self.check()
        except HubStoreUnavailable as exc:
            log.warning("staged rollouts not checked: %s", exc)

    async def check(self) -> int:
        """One round: each running plan paused, widened or left as it is, and a stage whose
        publishes were never confirmed published again; how many plans were widened."""
        plans = [
            p for p in self.store.plans.all() if self._serves(p) and p.state not in ("cancelled", "expired")
        ]
        now = self.clock()
        for plan in plans:
            if plan.published < plan.stage and now >= _at(plan.stage_at, REPUBLISH_AFTER_S):
                log.warning("rollout %s: stage %d published again", plan.plan_id, plan.stage + 1)
                await self._publish(plan, plan.devices)
        running = [p for p in plans if p.state == "running"]
        if not running:
            return 0
        known = self.store.plans.known()
        widened = 0
        for plan in running:
            widened += await self._check(plan, known, now)
        return widened

    def _serves(self, plan: Plan) -> bool:
        return self.site == "+" or set(plan.sites) <= {self.site}

    async def _check(
        self, plan: Plan, known: Mapping[tuple[str, str], Mapping[str, Any]], now: datetime
    ) -> int:
        counts = standing(plan, known)
        if too_many_failures(plan, counts):
            if self.store.plans.set_state(plan.plan_id, ("running",), "paused_failures", now, detail=counts):
                self.counters["rollouts_paused"] += 1
                log.warning("rollout %s paused: %s", plan.plan_id, counts)
            return 0
        nxt = plan.stage + 1
        if nxt >= len(plan.stages) or now < _at(plan.stage_at, plan.every_s):
            return 0
        try:
            release = decode(plan.release.encode())
        except UpdateRefused as exc:
            log.warning("rollout %s: its release cannot be read (%s)", plan.plan_id, exc.reason)
            return 0
        if release.expires_at <= now.timestamp():
            self.store.plans.set_state(plan.plan_id, ("running",), "expired", now)
            log.warning("rollout %s: the release expired before stage %d", plan.plan_id, nxt + 1)
            return 0
        try:
            chosen = choose(
                _by_site(known), plan.sites, plan.stages[nxt], salt=f"{plan.package}={plan.version}"
            )
        except RolloutError as exc:
            log.warning("rollout %s: stage %d not chosen (%s)", plan.plan_id, nxt + 1, exc.reason)
            return 0
        had = set(plan.devices)
        added = [f"{s}/{d}" for s, d in chosen if f"{s}/{d}" not in had]
        state = "done" if nxt == len(plan.stages) - 1 else "running"
        if not self.store.plans.step(plan, plan.devices + added, now, state=state):
            return 0  # another hub of the group took this step
        self.counters["stages_widened"] += 1
        log.info("rollout %s: stage %d, %d more device(s)", plan.plan_id, nxt + 1, len(added))
        await self._publish(replace(plan, stage=nxt), added)
        return 1

    async def _publish(self, plan: Plan, devices: list[str]) -> None:
        """The plan's release retained on each device's topic; once the broker acknowledged them
        all, the plan's stage is marked published. Publishing again is harmless: the device
        takes a release once, by its SHA-256."""
        props = PublishProps(content_type="application/json")
        payload = plan.release.encode()

        async def one(site: str, device: str) -> bool:
            try:
                await self.link.publish(Topics(site, device).release, payload, 1, True, props)
            except PublishError as exc:
                log.warning("rollout %s: %s/%s: %s", plan.plan_id, site, device, exc)
                return False
            self.counters["release_publishes"] += 1
            return True

        if all(await asyncio.gather(*(one(*pair) for pair in pairs(devices)))):
            self.store.plans.mark_published(plan.plan_id, plan.stage)


def _at(moment: str, after_s: float) -> datetime:
    return datetime.fromisoformat(moment) + timedelta(seconds=after_s)


def _by_site(known: Mapping[tuple[str, str], Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for site, device in sorted(known):
        found[site].append(device)
    return dict(found)
