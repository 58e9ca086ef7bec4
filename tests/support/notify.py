"""A stand-in for systemd's side of sd_notify: a real AF_UNIX datagram socket, read in a thread
that notes when each message came."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NotifySocket:
    def __init__(self, address: str | bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.05)
        # NOTIFY_SOCKET as systemd spells it: a path, or "@" for an abstract name.
        self.env = address.decode().replace("\0", "@", 1) if isinstance(address, bytes) else address
        self.messages: list[tuple[float, str]] = []  # (monotonic time, message) as they came
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def wait_for(self, field: str, *, timeout: float = 30.0, after: int = 0) -> int:
        """The index of the first message from `after` on that carries `field` (e.g. "READY=1")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (_, message) in enumerate(self.messages[after:], start=after):
                if field in message.split("\n"):
                    return i
            time.sleep(0.01)
        raise AssertionError(f"no {field} within {timeout} s; got {self.messages}")

    def times_of(self, field: str) -> list[float]:
        return [at for at, message in self.messages if field in message.split("\n")]

    def statuses(self) -> list[str]:
        return [
            line.removeprefix("STATUS=")
            for _, message in self.messages
            for line in message.split("\n")
            if line.startswith("STATUS=")
        ]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextmanager
def notify_socket(path: Path | None = None, *, abstract: str | None = None) -> Iterator[NotifySocket]:
    """A bound socket at `path`, or under the abstract name `abstract`."""
    address: str | bytes = str(path) if abstract is None else b"\0" + abstract.encode()
    receiver = NotifySocket(address)
    try:
        yield receiver
    finally:
        receiver.close()
