"""A request to a remote station and its answer, from a worker thread (a print job, a door request).

The print queue and the door controller call drivers in worker threads; the MQTT link lives on the
daemon's loop. A call publishes there (run_coroutine_threadsafe) and blocks its own thread on a
future that the answer's handler, on the loop, resolves by key. Nothing here decides what a
missing answer means: the caller raises its own driver error with a reason code.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any

from sync.transport import MqttLink

CONNECT_POLL_S = 0.05  # how often a waiting request looks whether the link came up


class NoAnswer(TimeoutError):
    """The station did not answer in time (or the request could not even be sent)."""

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent  # False: the request never reached the broker, so nothing was done


class SiteCalls:
    """Requests in flight to the site's stations, by key ("print:17", "door:<id>")."""

    def __init__(self) -> None:
        self.link: MqttLink | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._waiting: dict[str, concurrent.futures.Future[Any]] = {}

    def start(self, link: MqttLink, loop: asyncio.AbstractEventLoop) -> None:
        self.link = link
        self.loop = loop

    def stop(self) -> None:
        """At shutdown: whoever waits is told at once that no answer comes."""
        self.loop = None
        with self._lock:
            waiting = list(self._waiting.values())
        for future in waiting:
            if not future.done():
                future.set_exception(NoAnswer("the main device is stopping", sent=True))

    def request(self, topic: str, payload: bytes, key: str, timeout_s: float) -> Any:
        """In a worker thread: publish, then the answer given to `key`; NoAnswer after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        # Just started, or the broker restarting: the link may be up within the wait.
        while not self._ready() and time.monotonic() < deadline:
            time.sleep(CONNECT_POLL_S)
        link, loop = self.link, self.loop
        if link is None or loop is None or not link.connected:
            raise NoAnswer("the site broker is not connected", sent=False)
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            self._waiting[key] = future
        try:
            sent = asyncio.run_coroutine_threadsafe(link.publish(topic, payload, qos=1), loop)
            try:
                sent.result(max(0.0, deadline - time.monotonic()))
            except (
                concurrent.futures.TimeoutError,
                ConnectionError,
                concurrent.futures.CancelledError,
            ) as exc:
                sent.cancel()
                raise NoAnswer(f"{topic}: not accepted by the site broker ({exc!r})", sent=False) from exc
            try:
                return future.result(max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError as exc:
                raise NoAnswer(f"{topic}: no answer within {timeout_s:g} s", sent=True) from exc
        finally:
            with self._lock:
                self._waiting.pop(key, None)

    def _ready(self) -> bool:
        return self.link is not None and self.loop is not None and self.link.connected

    def answer(self, key: str, value: Any) -> bool:
        """On the loop: hand an answer to whoever waits for `key`; False when nobody does (late, or twice)."""
        with self._lock:
            future = self._waiting.get(key)
        if future is None or future.done():
            return False
        future.set_result(value)
        return True
