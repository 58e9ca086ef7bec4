"""The watchdog task: WATCHDOG=1 every half period from the daemon's loop, only while it is healthy.

Healthy means two things, checked at every tick:

1. The loop turns. The ping is sent by a task on the same loop that reads the scanners, so a
   loop stuck in a blocking call (a hung driver call, a lock that never comes free, a long
   store check run in place) or spinning in a busy loop never runs this task: no ping, and
   systemd restarts pvz after WatchdogSec. A tick that wakes much later than it asked is
   logged with how long the loop stood still, so a restart that did not happen still leaves
   a trace of the stall.
2. Inputs move. The oldest scan (or touch) waiting in the runtime's queue has waited less
   than INPUT_STUCK_S. The loop can turn while the one consumer of that queue is wedged
   (awaiting something that never completes); pinging then would keep a counter alive that
   handles no scan, so the ping is withheld and the reason logged.

Not counted, on purpose: a stalled printer (it prints in worker threads and retries on its
own backoff), a lost broker (sync reconnects), a missing scanner (hotplug finds it again).
A restart fixes none of them and would only interrupt the clerk.

The same task keeps systemd's STATUS= line current (the clock's state can change while the
daemon runs), sending it only when it changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from device.supervision.notify import Notifier

log = logging.getLogger("pvz.watchdog")

INPUT_STUCK_S = 15.0  # an input this long in the queue means its consumer is wedged
STATUS_TICK_S = 5.0  # how often STATUS is refreshed when systemd asked for no watchdog
INPUTS_STUCK = "inputs_stuck"  # the reason a ping is withheld while the loop turns


class Inputs(Protocol):
    """What the watchdog asks the runtime: how long the oldest waiting input has waited."""

    def input_wait_s(self) -> float: ...


class Watchdog:
    def __init__(
        self,
        notifier: Notifier,
        *,
        period_s: float | None,
        inputs: Inputs,
        status: Callable[[], str],
        clock: Callable[[], float] = time.monotonic,
        stuck_after_s: float = INPUT_STUCK_S,
    ) -> None:
        self.notifier = notifier
        self.period_s = period_s
        self.inputs = inputs
        self.describe = status
        self.clock = clock
        self.stuck_after_s = stuck_after_s
        self.tick_s = period_s / 2 if period_s else STATUS_TICK_S
        self.pings = 0
        self.withheld = 0
        self.unhealthy: str | None = None
        self.longest_stall_s = 0.0
        self._said: str | None = None

    def check(self) -> str | None:
        """Why the daemon is not healthy now (a reason code), or None when it is."""
        if self.inputs.input_wait_s() >= self.stuck_after_s:
            return INPUTS_STUCK
        return None

    def tick(self) -> None:
        """One look: ping when healthy (and a watchdog is asked for), refresh STATUS."""
        reason = self.check()
        if reason != self.unhealthy:
            if reason is not None:
                log.error(
                    "watchdog: %s (an input has waited %.1f s); no pings until it moves, "
                    "so systemd restarts pvz",
                    reason,
                    self.inputs.input_wait_s(),
                )
            else:
                log.warning("watchdog: healthy again, pings resume")
            self.unhealthy = reason
        if reason is None:
            if self.period_s is not None and self.notifier.watchdog():
                self.pings += 1
        else:
            self.withheld += 1
        self.refresh_status()

    def ready(self) -> None:
        """READY=1 with the first STATUS line: the daemon does what it is for from now on."""
        text = self.describe()
        if self.notifier.ready(text):
            self._said = text

    def refresh_status(self) -> None:
        text = self.describe()
        if text != self._said and self.notifier.set_status(text):
            self._said = text

    async def run(self) -> None:
        """Tick every half watchdog period (or STATUS_TICK_S) until cancelled."""
        self.tick()
        while True:
            asked = self.clock()
            await asyncio.sleep(self.tick_s)
            stall = self.clock() - asked - self.tick_s
            if stall > self.tick_s:
                # The loop ran nothing for that long; systemd may already be restarting us.
                log.warning("watchdog: the loop stood still for %.1f s", stall + self.tick_s)
            self.longest_stall_s = max(self.longest_stall_s, stall)
            self.tick()

    def status(self) -> dict[str, Any]:
        return {
            "period_s": self.period_s,
            "pings": self.pings,
            "withheld": self.withheld,
            "unhealthy": self.unhealthy,
            "longest_stall_s": round(self.longest_stall_s, 3),
        }
