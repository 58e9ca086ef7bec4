"""What `fleet rollout --stages 5,25,100 --every 30m` adds to a one-off rollout: the stages and
the interval read strictly, the release's expiry stretched to cover them, and the plan kept in
the central store so the hubs widen it (central/rollout_widen.py).

The release's expiry is signed, the device list is not: the hubs publish the same signed
document to the devices of each later stage, so the expiry is chosen here to last until the
last stage's planned time plus --expires-h. A plan held up longer than that (paused, resumed
late) is not widened with a release the devices would refuse: it ends `expired`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import datetime

from central.release import RolloutError
from central.rollout_plans import Plan
from device.update.release import Release, encode

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


def parse_stages(text: str) -> list[float]:
    """ "5,25,100" → [5.0, 25.0, 100.0]: each more than 0, at most 100, each wider than the one
    before; anything else is `bad_stages`."""
    try:
        stages = [float(part) for part in text.split(",")]
    except ValueError:
        raise RolloutError("bad_stages", f"--stages {text!r}: give percents, e.g. 5,25,100") from None
    widening = all(a < b for a, b in itertools.pairwise(stages))
    if not stages or not widening or not stages[0] > 0 or stages[-1] > 100:
        raise RolloutError("bad_stages", f"--stages {text!r}: percents above 0, rising, at most 100")
    return stages


def parse_every(text: str) -> float:
    """ "30m" → 1800.0 seconds (s, m, h, d); anything else, or zero, is `bad_interval`."""
    m = _DURATION.match(text.strip())
    seconds = float(m.group(1)) * _UNITS[m.group(2)] if m else 0.0
    if seconds <= 0:
        raise RolloutError("bad_interval", f"--every {text!r}: give a duration, e.g. 30m, 2h, 1d")
    return seconds


def expiry_h(expires_h: float, stages: list[float], every_s: float) -> float:
    """Hours the signed release stays valid: --expires-h after the last stage's planned time."""
    return expires_h + (len(stages) - 1) * every_s / 3600


def new_plan(
    release: Release,
    *,
    sites: list[str],
    stages: list[float],
    every_s: float,
    max_failures: float,
    devices: list[tuple[str, str]],
    now: datetime,
) -> Plan:
    """The plan of a release just published to its first stage's devices; its id is the start of
    the SHA-256 of the signed document and the moment to the microsecond (the same package rolled
    out twice in one second is signed alike, and still makes two plans)."""
    doc = encode(release)
    at = now.isoformat(timespec="seconds")
    return Plan(
        plan_id=hashlib.sha256(doc + now.isoformat().encode()).hexdigest()[:8],
        package=release.package,
        version=release.version,
        sha256=release.sha256,
        sites=sites,
        stages=stages,
        every_s=every_s,
        max_failures=max_failures,
        release=doc.decode(),
        stage=0,
        published=0,
        state="running" if len(stages) > 1 else "done",
        devices=[f"{s}/{d}" for s, d in devices],
        created_at=at,
        stage_at=at,
    )
