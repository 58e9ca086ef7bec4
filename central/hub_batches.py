"""What the hub takes for a batch of a device's events: consecutive seqs, its own device's topic,
data objects, not too many. Kept apart from central/hub.py, which stores and acks what passes."""

from __future__ import annotations

from device.exc import InputError
from sync.publisher import WireBatch

MAX_EVENTS = 10_000


class BadBatch(InputError):
    """A payload on an events topic that is not a consistent batch of that device (a reason and a path)."""


def check(site: str, device: str, batch: WireBatch) -> None:
    """Consecutive seqs, data objects. The topic (which the broker's ACL ties to the device) names
    the device; an event's own `device` may differ: events written before the store knew its
    id say "unknown", and rejecting them would stop that device's outbox for good."""
    n = len(batch.events)
    if batch.device != device:
        raise BadBatch.at(
            "$.device", "wrong_device", f"batch of device {batch.device!r} on the topic of {site}/{device}"
        )
    if not 0 < n <= MAX_EVENTS:
        raise BadBatch.at("$.events", "too_short" if n == 0 else "too_long", f"{n} events")
    if batch.last_seq - batch.first_seq + 1 != n or batch.first_seq < 1:
        raise BadBatch.at(
            "$.last_seq", "bad_sequence", f"{n} events for seq {batch.first_seq}..{batch.last_seq}"
        )
    for i, event in enumerate(batch.events):
        if event.seq != batch.first_seq + i:
            raise BadBatch.at(f"$.events[{i}].seq", "bad_sequence", f"event {i} has seq {event.seq}")
        if not bytes(event.data).lstrip().startswith(b"{"):
            raise BadBatch.at(
                f"$.events[{i}].data", "wrong_type", f"event seq {event.seq}: data is not an object"
            )
