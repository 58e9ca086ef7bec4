"""The parcel's lifecycle: its states and every allowed transition, as in docs/lifecycle."""

from __future__ import annotations

import enum

from workflows.machine import Transitions


class ParcelState(enum.Enum):
    EXPECTED = "expected"
    ACCEPTED = "accepted"
    STORED = "stored"
    ISSUED = "issued"
    MISSING = "missing"
    TO_RETURN = "to_return"
    RETURNING = "returning"
    RETURNED = "returned"
    # Outbound: a seller's drop-off or a customer's send, waiting at the point for the courier,
    # in an outbound bag, handed over. (Returns to the sender keep to_return/returning/returned.)
    OUTBOUND = "outbound"
    DISPATCHING = "dispatching"
    DISPATCHED = "dispatched"


P = ParcelState

# stored -> stored is a move to another cell. missing -> accepted is a parcel that turns
# up after its supply was closed; missing -> stored one that an inventory count finds.
# stored -> missing is one an inventory count did not find. to_return -> stored is a
# deadline extended while the parcel still sits in its cell; to_return -> to_return one
# that an inventory count found in another cell. expected -> outbound is a seller's drop-off
# shipment scanned in against its list; a customer's send enters at outbound. dispatching ->
# outbound is a parcel taken out of its bag before the courier came.
PARCEL = Transitions[ParcelState](
    "parcel",
    {
        P.EXPECTED: frozenset({P.ACCEPTED, P.MISSING, P.OUTBOUND}),
        P.MISSING: frozenset({P.ACCEPTED, P.STORED, P.OUTBOUND}),
        P.ACCEPTED: frozenset({P.STORED, P.TO_RETURN}),
        P.STORED: frozenset({P.STORED, P.ISSUED, P.TO_RETURN, P.MISSING}),
        P.TO_RETURN: frozenset({P.RETURNING, P.STORED, P.TO_RETURN, P.MISSING}),
        P.RETURNING: frozenset({P.RETURNED, P.TO_RETURN}),
        P.ISSUED: frozenset(),
        P.RETURNED: frozenset(),
        P.OUTBOUND: frozenset({P.DISPATCHING, P.MISSING}),
        P.DISPATCHING: frozenset({P.DISPATCHED, P.OUTBOUND}),
        P.DISPATCHED: frozenset(),
    },
)
# Where a parcel may sit in a cell: stored, or due for return and not yet picked.
IN_CELL = frozenset({P.STORED, P.TO_RETURN})


class Kind(enum.Enum):
    """What a parcel is to the point: an order delivered for issue, a customer's return, a seller's
    drop-off shipment, or a customer's send."""

    DELIVERY = "delivery"
    CUSTOMER_RETURN = "customer_return"
    DROPOFF = "dropoff"
    SEND = "send"


class Size(enum.Enum):
    S = "S"
    M = "M"
    L = "L"
    XL = "XL"

    @property
    def rank(self) -> int:
        return _SIZE_RANK[self]

    def fits_in(self, cell: Size) -> bool:
        return self.rank <= cell.rank


_SIZE_RANK = {Size.S: 1, Size.M: 2, Size.L: 3, Size.XL: 4}
