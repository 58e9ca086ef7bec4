"""Issue's states, transition table and session data, shared by the modules of the issue workflow."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from workflows.machine import Transitions
from workflows.outcome import Light
from workflows.queries import Queries
from workflows.session import Session, advance
from workflows.views import ParcelView

NAME = "issue"
REFUSED_REASON = "refused_by_customer"

# How an order was released to the customer, as the journal and the receipt record it.
PROOF_CODE = "code"  # its pickup code, alone or as order*code
PROOF_QR = "qr"  # the QR token from the customer's app
PROOF_ID_CHECK = "id_check"  # found by its number; the clerk checked the recipient's ID
# How cash on delivery was paid.
CASH = "cash"
CARD = "card"


class State(enum.Enum):
    FIND = "find"  # waiting for the customer's code, QR or order number
    PROOF = "proof"  # an order shown by its number: nothing is released before its code or QR
    CHOOSE = "choose"  # a code that fits several orders: which one is the customer's
    COLLECTING = "collecting"
    REFUSE_NEXT = "refuse_next"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.FIND: frozenset({S.PROOF, S.CHOOSE, S.COLLECTING, S.ENDED}),
        S.PROOF: frozenset({S.PROOF, S.COLLECTING, S.ENDED}),
        S.CHOOSE: frozenset({S.CHOOSE, S.COLLECTING, S.ENDED}),
        S.COLLECTING: frozenset({S.COLLECTING, S.REFUSE_NEXT, S.ENDED}),
        S.REFUSE_NEXT: frozenset({S.COLLECTING}),
        S.ENDED: frozenset(),
    },
    initial={S.FIND},
)


@dataclass(frozen=True, slots=True)
class IssueData:
    """The order being issued and what happened to its parcels; empty until the order is found.

    In PROOF `order`, `customer` and `parcels` name the order shown by its number, not yet
    released; in CHOOSE `choices` holds the orders the code fits.
    """

    order: str = ""
    customer: str = ""
    parcels: tuple[str, ...] = ()  # its stored parcels when it was found
    taken: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    id_checked: bool = False
    paid_kopecks: int = 0
    payment: str = ""  # CASH or CARD once paid
    proof: str = ""  # PROOF_CODE, PROOF_QR or PROOF_ID_CHECK once released
    choices: tuple[str, ...] = ()


Issue = Session[State, IssueData]


def collecting(session: Issue, data: IssueData, q: Queries) -> Issue:
    """On to COLLECTING: every cell still holding an untaken, unrefused parcel is lit."""
    done = set(data.taken) | set(data.refused)
    lights = {}
    for barcode in data.parcels:
        parcel = q.parcel(barcode)
        if barcode not in done and parcel is not None and parcel.cell is not None:
            lights[parcel.cell] = Light.TAKE
    return advance(session, S.COLLECTING, data, lights=lights, claims=(f"order:{data.order}",))


def parcels_of(barcodes: Iterable[str], q: Queries) -> list[ParcelView]:
    return [p for b in barcodes if (p := q.parcel(b)) is not None]


def due(data: IssueData, q: Queries) -> int:
    """Cash on delivery still to collect: every parcel of the issue not refused."""
    refused = set(data.refused)
    return sum(p.cod_kopecks for p in parcels_of(data.parcels, q) if p.barcode not in refused)


def left_to_take(data: IssueData) -> int:
    return len(data.parcels) - len(data.taken) - len(data.refused)
