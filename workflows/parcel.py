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


P = ParcelState

# stored -> stored is a move to another cell. missing -> accepted is a parcel that turns
# up after its supply was closed (a late scan is accepted, never dropped).
PARCEL = Transitions[ParcelState](
    "parcel",
    {
        P.EXPECTED: frozenset({P.ACCEPTED, P.MISSING}),
        P.MISSING: frozenset({P.ACCEPTED}),
        P.ACCEPTED: frozenset({P.STORED, P.TO_RETURN}),
        P.STORED: frozenset({P.STORED, P.ISSUED, P.TO_RETURN}),
        P.TO_RETURN: frozenset({P.RETURNING}),
        P.RETURNING: frozenset({P.RETURNED, P.TO_RETURN}),
        P.ISSUED: frozenset(),
        P.RETURNED: frozenset(),
    },
)


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
