"""What a station receives: raw codes checked and turned into a code or a command barcode."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from workflows.machine import WorkflowError

MAX_CODE_LENGTH = 512  # long enough for a QR payload with a URL, short enough to log
COMMAND_PREFIX = "PVZC-"  # short: a command must fit a Code128 barcode on 58 mm paper


class BadCode(WorkflowError, ValueError):
    """A scanned or typed code that cannot be used at all; `reason` is a message key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Command(enum.Enum):
    """Command barcodes printed on the command card; the value follows the prefix."""

    START_ACCEPTANCE = "ACCEPT"
    START_PLACEMENT = "PLACE"
    START_ISSUE = "ISSUE"
    DONE = "DONE"
    CANCEL = "CANCEL"
    DAMAGED = "DAMAGED"
    REFUSE_ITEM = "REFUSE"
    ID_CHECKED = "IDCHECK"
    PAID_CASH = "PAID-CASH"
    PAID_CARD = "PAID-CARD"
    PAID = "PAID-CASH"  # an alias, not on the card: the retired PVZC-PAID was cash (LEGACY)
    START_RETURN = "RETURN"
    START_RETURN_TO_SENDER = "SENDBACK"
    START_INVENTORY = "COUNT"
    CHECK_OK = "OK"
    CHECK_FAIL = "FAIL"
    SHIFT_CLOSE = "SHIFTEND"
    START_DROPOFF = "DROPOFF"  # a seller's drop-off (workflows/dropoff.py)
    START_SEND = "SEND"  # a customer's send from the point (workflows/send.py)
    REOPEN = "REOPEN"  # a kiosk: open again a door without a sensor that may not have opened
    # A clerk's own note to support, at any moment (workflows/notes.py): a ticket of kind "note".
    NOTE_DAMAGED_PACK = "NOTE-PACK"
    NOTE_COMPLAINT = "NOTE-CLAIM"
    NOTE_OTHER = "NOTE-OTHER"
    NOTE_NOT_FOUND = "NOTFOUND"  # inside an issue: a parcel of the order is not where it should be

    @property
    def barcode(self) -> str:
        return COMMAND_PREFIX + self.value


@dataclass(frozen=True, slots=True)
class Code:
    """A code that is not a command: the store and the workflow's state say what it is."""

    text: str
    keyed: bool = False


@dataclass(frozen=True, slots=True)
class Cmd:
    command: Command


Input = Code | Cmd


class DoorEvent(enum.Enum):
    """What the door controller learnt about a door; never typed or scanned."""

    OPENED = "opened"  # a commanded door read open
    ALREADY_OPEN = "already_open"  # it was open before anything was fired
    JAMMED = "jammed"  # fired, never read open
    NOT_VERIFIED = "not_verified"  # fired on a door without a sensor
    FAILED = "failed"  # the lock bus did not answer: not fired, or not known to be
    EXPIRED = "expired"  # not fired before its command expired
    INTERRUPTED = "interrupted"  # in flight when the power went: never sent again
    REFUSED = "refused"  # the door holds someone else's parcel: not fired
    CLOSED_EMPTY = "closed_empty"  # shut, and the occupancy sensor reads the cell empty
    CLOSED_FULL = "closed_full"  # shut with something still inside
    CLOSED = "closed"  # shut; no occupancy sensor says what is inside
    LEFT_OPEN = "left_open"  # opened and not shut within the limit
    OPENED_UNASKED = "opened_unasked"  # open with no command: an alert


@dataclass(frozen=True, slots=True)
class DoorReport:
    """A door's news from the device's door controller, handled in a transaction like a scan."""

    door: int
    cell: str
    event: DoorEvent
    command: int | None = None  # the door_commands row it answers, if any


@dataclass(frozen=True, slots=True)
class Tick:
    """The time passes at a kiosk waiting for a customer: its idle limit may be reached."""


@dataclass(frozen=True, slots=True)
class Weighed:
    """The counter's scale settled on a weight in grams, or failed with `fault` (a scale reason code)."""

    grams: int = 0
    fault: str = ""


DeviceEvent = DoorReport | Tick | Weighed

# Command barcodes retired from the card that old printed cards still carry: PAID was cash.
LEGACY = {"PAID": Command.PAID_CASH}


def clean_code(data: bytes | str) -> str:
    """Check one raw code and return its text, or raise BadCode with the reason.

    A scanner types whatever is printed, so anything may arrive: we accept printable
    text only. The terminator and surrounding blanks are removed.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadCode("code_not_utf8", f"byte {exc.start}: {data[exc.start : exc.start + 4]!r}") from None
    else:
        text = data
    text = text.strip()
    if not text:
        raise BadCode("code_empty", "empty code")
    if len(text) > MAX_CODE_LENGTH:
        raise BadCode("code_too_long", f"{len(text)} characters (limit {MAX_CODE_LENGTH})")
    for pos, char in enumerate(text):
        category = unicodedata.category(char)
        # Invisible or unusual spacing cannot be on a label; it is line noise or a forgery.
        if category in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} or (category == "Zs" and char != " "):
            raise BadCode("code_control_char", f"U+{ord(char):04X} at position {pos}")
    return text


def parse_input(text: str, *, keyed: bool = False) -> Input:
    """A checked code becomes a Cmd when it carries the command prefix."""
    if text.upper().startswith(COMMAND_PREFIX):
        name = text[len(COMMAND_PREFIX) :].upper()
        for command in Command:
            if command.value == name:
                return Cmd(command)
        if name in LEGACY:
            return Cmd(LEGACY[name])
        raise BadCode("unknown_command", text)
    return Code(text, keyed=keyed)
