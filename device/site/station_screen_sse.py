"""Server-sent events as a remote station's screen passes them through: the main device's stream cut
into whole events (so the station's own events go between them, never inside one), and the
station's own events written without an id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from device.screen.server import dumps

MAX_EVENT = 1 << 20  # one event from the main device's screen, at most


def event(name: str, data: dict[str, Any]) -> bytes:
    """One server-sent event without an id: the page's Last-Event-ID stays the main device's."""
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


async def blocks(content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    """Whole server-sent events (each ending in a blank line, as device/screen/feed.py writes
    them), however the bytes arrive; a comment (the keepalive) is one too."""
    buffer = b""
    async for chunk in content.iter_any():
        buffer += chunk
        while (end := buffer.find(b"\n\n")) >= 0:
            yield buffer[: end + 2]
            buffer = buffer[end + 2 :]
        if len(buffer) > MAX_EVENT:
            raise ValueError("an event too large from the main device's screen")


def fields(block: bytes) -> tuple[str | None, str | None]:
    """An event's id and name, None where it has none."""
    event_id = name = None
    for line in block.split(b"\n"):
        if line.startswith(b"id:"):
            event_id = line[3:].strip().decode()
        elif line.startswith(b"event:"):
            name = line[6:].strip().decode()
    return event_id, name
