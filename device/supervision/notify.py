"""The sd_notify(3) protocol spoken by hand: one datagram per message to $NOTIFY_SOCKET.

A few lines over an AF_UNIX datagram socket instead of a library: the protocol is stable
(newline-separated KEY=VALUE fields), and a dependency would need an arm64 wheel. Without
NOTIFY_SOCKET (a terminal, a test, a container) every call is a no-op, and a supervisor that
went away never stops the counter: a failed send is logged once and dropped.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping, MutableMapping
from typing import Any

log = logging.getLogger("pvz.notify")


def socket_address(value: str | None) -> str | bytes | None:
    """NOTIFY_SOCKET as an address for sendto: a path, or an abstract name ("@name" is "\\0name")."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # systemd also knows vsock addresses; a device never uses them


def watchdog_period_s(env: Mapping[str, str], pid: int | None = None) -> float | None:
    """The watchdog timeout systemd set (WATCHDOG_USEC), in seconds; None when there is none,
    or when WATCHDOG_PID names another process (the variable was inherited, not meant for us)."""
    owner = env.get("WATCHDOG_PID")
    if owner is not None and owner.strip() != str(os.getpid() if pid is None else pid):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 1_000_000 if usec > 0 else None


class Notifier:
    """Sends sd_notify messages; a no-op without an address.

    The socket is non-blocking: the sender is the daemon's loop, and a supervisor that stops
    reading must not stall the counter (a full queue drops the message, as a lost ping would).
    """

    def __init__(self, address: str | bytes | None) -> None:
        self.address = address
        self.sent = 0
        self.failed = 0
        self.stopping_sent = False
        self._sock: socket.socket | None = None
        self._warned = False

    @classmethod
    def from_environ(cls, env: MutableMapping[str, str] | None = None) -> Notifier:
        """The daemon's notifier; NOTIFY_SOCKET is taken out of the environment (as sd_notify's
        unset_environment does), so that no program pvz starts talks to systemd in its name."""
        env = os.environ if env is None else env
        return cls(socket_address(env.pop("NOTIFY_SOCKET", None)))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """One message of KEY=VALUE fields; True when it left for the supervisor."""
        if self.address is None:
            return False
        message = "\n".join(fields).encode()
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.setblocking(False)
            self._sock.sendto(message, self.address)
        except OSError as exc:
            self.failed += 1
            if not self._warned:
                self._warned = True
                log.warning("cannot notify systemd at %r (%s); the counter goes on", self.address, exc)
            return False
        self.sent += 1
        return True

    def ready(self, status: str) -> bool:
        return self.send("READY=1", f"STATUS={status}")

    def set_status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self, status: str = "stopping") -> bool:
        """STOPPING=1, once: at the signal, or when the inputs ended by themselves."""
        if self.stopping_sent:
            return False
        self.stopping_sent = True
        return self.send("STOPPING=1", f"STATUS={status}")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def status(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "sent": self.sent, "failed": self.failed}
