"""MQTT topic names: one prefix per device, `pvz/v1/<site>/<device>/…` (see docs/protocol.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "pvz/v1"
# The one rule for site and device ids (one topic level each): config, `pvz-central pki` and
# the topics use it, docs/protocol.md states it.
ID_PATTERN = r"\A[a-z0-9][a-z0-9-]{1,63}\Z"
ID_RULE = "2..64 characters of a-z, 0-9 and '-', starting with a letter or digit"
_ID = re.compile(ID_PATTERN)
UP = ("status", "events", "telemetry", "outcome")  # device → central
DOWN = ("ack", "manifest", "config", "cmd", "release")  # central → device


@dataclass(frozen=True, slots=True)
class Topics:
    site: str
    device: str

    def __post_init__(self) -> None:
        for what, value in (("site", self.site), ("device", self.device)):
            if not _ID.match(value):
                raise ValueError(f"{what} {value!r} cannot be part of a topic: use {ID_RULE}")

    @property
    def prefix(self) -> str:
        return f"{ROOT}/{self.site}/{self.device}"

    def __getattr__(self, name: str) -> str:
        if name in UP or name in DOWN:
            return f"{self.prefix}/{name}"
        raise AttributeError(name)

    def kind(self, topic: str) -> str | None:
        """The last part of one of this device's topics, or None for anything else."""
        head, _, last = topic.rpartition("/")
        return last if head == self.prefix and (last in UP or last in DOWN) else None


def all_devices(kind: str, site: str = "+") -> str:
    """A wildcard over every device (of a site) for one kind: what the fleet side subscribes to."""
    return f"{ROOT}/{site}/+/{kind}"


def shared(group: str, topic: str) -> str:
    """A shared subscription: several hubs in `group` split the messages between them."""
    return f"$share/{group}/{topic}"


def parse(topic: str) -> tuple[str, str, str] | None:
    """(site, device, kind) of a pvz topic, or None."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != ROOT:
        return None
    return parts[2], parts[3], parts[4]


def reply_topic(site: str, device: str, nonce: str) -> str:
    """Where a device answers one requester's command: under its own replies prefix, which the
    broker's ACL lets only that device write (the topic itself proves who answered)."""
    return f"{ROOT}/replies/{site}/{device}/{nonce}"


def replies_for(nonce: str) -> str:
    """What a requester subscribes to: every device's answer to its `nonce`."""
    return f"{ROOT}/replies/+/+/{nonce}"
