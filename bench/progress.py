"""Progress of a long step: tqdm's bar on a terminal, a plain line every few seconds otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

EVERY_S = 5.0


class Progress:
    """`update(n)` as work is done; `close()` at the end. Lines go to `say` when not on a terminal."""

    def __init__(self, what: str, total: int, say: Callable[[str], None]) -> None:
        self.what = what
        self.total = total
        self.say = say
        self.done = 0
        self._said = time.monotonic()
        self._bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=what, unit="row", unit_scale=True, leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._said >= EVERY_S:
            self._said = now
            self.say(f"  {self.what}: {self.done:,} of {self.total:,} ({100 * self.done / self.total:.0f} %)")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
