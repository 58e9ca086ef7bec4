"""A fake counter scale on a pty, sending its weight lines over and over as a real one does."""

from __future__ import annotations

import os
import threading


class FakeScale:
    """A scale on the master side of a pty: sends its lines over and over, as a real one does."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self.lines: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            for line in list(self.lines):
                try:
                    os.write(self.master, line)
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self._slave)
