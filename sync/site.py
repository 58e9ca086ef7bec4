"""The site's own protocol (docs/site.md): a remote station and its main device over the site broker.

These topics stay on the site broker (the bridge to central carries only `pvz/v1/…`):

    pvz/site/v1/<site>/<station-device>/input    station → main, QoS 1: one input (SiteInput)
    pvz/site/v1/<site>/<station-device>/reply    main → station, QoS 1: its answer (SiteReply)
    pvz/site/v1/<site>/<station-device>/print    main → station, QoS 1: a job's bytes (PrintJob)
    pvz/site/v1/<site>/<station-device>/printed  station → main, QoS 1: printed or not (PrintDone)
    pvz/site/v1/<site>/<station-device>/doors    main → station, QoS 1: a door request (DoorRequest)
    pvz/site/v1/<site>/<station-device>/door     station → main, QoS 1: its answer (DoorAnswer)

Whether the main device is up is its ordinary status topic (`pvz/v1/<site>/<main>/status`,
retained, `online` false by its last will), which every station watches.
Every payload is decoded strictly and size-limited (device/decode.py); a bad one is dropped with a
reason code and a counter, and an input whose id can be read is answered with the refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from sync.topics import ID_PATTERN

SITE_ROOT = "pvz/site/v1"
KINDS = ("input", "reply", "print", "printed", "doors", "door")
_ID = re.compile(ID_PATTERN)

InputId = Annotated[str, msgspec.Meta(pattern=r"\A[0-9a-f]{32}\Z")]  # uuid4().hex
StationName = Annotated[str, msgspec.Meta(pattern=r"\A[a-z0-9][a-z0-9_-]{0,31}\Z")]
MAX_INPUT_BYTES = 4096  # a code is at most a few hundred bytes; the envelope is small
MAX_PRINT_BYTES = 2 * 1024 * 1024  # a long report with a chart, as ESC/POS bytes
MAX_DOOR_BYTES = 64 * 1024

# SiteReply.id of news: what the main device tells a station unasked (a door's report, the kiosk's
# timer at that station), shown there like an answer; no input of the station's is settled by it.
NEWS_ID = ""

# Why the main device refused an input without deciding it (SiteReply.refused): pvz reason codes.
REFUSALS = ("not_your_station", "unknown_station", "too_old", "bad_input", "not_ready")


@dataclass(frozen=True, slots=True)
class SiteTopics:
    site: str

    def __post_init__(self) -> None:
        if not _ID.match(self.site):
            raise ValueError(f"site {self.site!r} cannot be part of a topic")

    def of(self, device: str, kind: str) -> str:
        assert kind in KINDS, kind
        return f"{SITE_ROOT}/{self.site}/{device}/{kind}"

    def every(self, kind: str) -> str:
        """What the main device subscribes to: one kind from every station of the site."""
        assert kind in KINDS, kind
        return f"{SITE_ROOT}/{self.site}/+/{kind}"

    def parse(self, topic: str) -> tuple[str, str] | None:
        """(device, kind) of one of this site's topics, or None."""
        prefix = f"{SITE_ROOT}/{self.site}/"
        if not topic.startswith(prefix):
            return None
        device, _, kind = topic[len(prefix) :].partition("/")
        if not _ID.match(device) or kind not in KINDS:
            return None
        return device, kind


class SiteInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One scan or typed code at a remote station. The same `id` is sent again until answered."""

    id: InputId
    station: StationName
    raw: bytes  # the code's bytes as the scanner gave them (base64 in JSON): a scanner can send anything
    keyed: bool = False
    # How long ago the station read it, at this send (ms): the main refuses one older than the window.
    age_ms: Annotated[int, msgspec.Meta(ge=0, le=86_400_000)] = 0
    attempt: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 1


class SiteReply(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The main device's answer to one input: what the station shows, and whether it was decided."""

    id: str
    station: str
    level: Literal["ok", "info", "warn", "error"]
    # workflows.wire.feedback_data: the message key and parameters, rendered by the station
    feedback: dict[str, Any]
    title: str = ""  # rendered in the station's language by the main device (for a log, a plain screen)
    lines: list[str] = msgspec.field(default_factory=list)
    duplicate: bool = False  # answered from the store: the first answer was lost, nothing decided again
    refused: str | None = None  # one of REFUSALS: not decided at all
    changed: bool = False
    jobs: list[int] = msgspec.field(default_factory=list)
    lit: list[str] = msgspec.field(default_factory=list)  # the cells the station's session has lit


class PrintJob(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A queued document rendered to ESC/POS bytes on the main device, for the station's printer."""

    job: Annotated[int, msgspec.Meta(ge=1)]
    station: StationName
    kind: str
    data: bytes


class PrintDone(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    job: Annotated[int, msgspec.Meta(ge=1)]
    ok: bool
    reason: str | None = None  # the printer's fault (a pvz reason code) when not ok
    message: str = ""


class DoorRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The main device's door controller asking the station whose Pi drives the boards."""

    id: InputId
    op: Literal["describe", "read", "read_all", "pulse"]
    door: Annotated[int, msgspec.Meta(ge=0, le=1023)] | None = None


class DoorSeen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One door as the station's board reads it (drivers.doors.base.DoorReading on the wire)."""

    door: Annotated[int, msgspec.Meta(ge=0, le=1023)]
    state: Literal["closed", "open", "unknown"]
    occupied: bool | None = None


class DoorAnswer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: InputId
    ok: bool
    reason: str | None = None  # drivers.doors.faults reason code when not ok
    message: str = ""
    count: int | None = None  # describe: how many doors
    sensors: list[bool] = msgspec.field(default_factory=list)  # describe: has_sensor per door
    readings: list[DoorSeen] = msgspec.field(default_factory=list)  # read, read_all
