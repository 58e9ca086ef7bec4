"""Placement's rules about cells: which cell a parcel may go into, and where else when not that one."""

from __future__ import annotations

from workflows.messages import Msg, Param, state_name
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.views import CellView, ParcelView

MAIN = "main"  # the zone that holds orders waiting for their customers
RETURNS = "returns"  # customer returns, waiting for the courier to the sender
PLACEABLE_ZONES = frozenset({MAIN, RETURNS})

# What a clerk does with a parcel that placement cannot take, by its state.
_ACCEPT_FIRST = Msg("pl_hint_accept")
_SEND_BACK = Msg("pl_hint_send_back")
_SET_ASIDE = Msg("pl_hint_set_aside")
_NOT_PLACEABLE_HINT = {
    ParcelState.EXPECTED: _ACCEPT_FIRST,
    ParcelState.MISSING: _ACCEPT_FIRST,
    ParcelState.TO_RETURN: _SEND_BACK,
    ParcelState.RETURNING: _SEND_BACK,
    ParcelState.ISSUED: _SET_ASIDE,
    ParcelState.RETURNED: _SET_ASIDE,
}


def zone_of(parcel: ParcelView) -> str:
    """The zone a parcel belongs in: a customer return goes back to the sender, not to a customer."""
    return RETURNS if parcel.kind == "customer_return" else MAIN


def suggest(parcel: ParcelView, q: Queries) -> CellView | None:
    """The cell to light for a parcel: the store's suggestion for its zone, if any has room."""
    if zone_of(parcel) == RETURNS:
        return q.returns_cell(parcel.size.value)
    return q.suggest_cell(parcel)


def not_placeable(parcel: ParcelView) -> Msg:
    """Why a parcel in this state is no work for placement, and what to do with it instead."""
    hint = _NOT_PLACEABLE_HINT.get(parcel.state, _SET_ASIDE)
    params: dict[str, Param] = {
        "parcel": parcel.barcode,
        "state": state_name(parcel.state.value),
        "next": hint,
    }
    return Msg("pl_not_placeable", params)


def misfit(
    parcel: ParcelView,
    cell: CellView,
    q: Queries,
    *,
    lit: str | None = None,
    then: Msg | None = None,
    doors: str | None = None,
) -> Msg | None:
    """Why `parcel` may not go into `cell`, and what to do instead; None when it fits.

    What to do is `then` if given, else to put it into another cell with room: `lit`, the cell
    already lit for the parcel, when it has room. `doors` is the zone of the locker's door cells,
    which take orders too, one order behind each door.
    """
    behind_door = doors is not None and cell.zone == doors and zone_of(parcel) == MAIN
    if cell.zone != zone_of(parcel) and not behind_door:
        key = "pl_return_zone" if zone_of(parcel) == RETURNS else "pl_wrong_zone"
        nxt = then or elsewhere(parcel, q, cell, lit)
        return Msg(key, {"parcel": parcel.barcode, "cell": cell.address, "next": nxt})
    if not parcel.size.fits_in(cell.size):
        params: dict[str, Param] = {
            "parcel": parcel.barcode,
            "size": parcel.size.value,
            "cell": cell.address,
            "cell_size": cell.size.value,
            "next": then or elsewhere(parcel, q, cell, lit),
        }
        return Msg("pl_too_big", params)
    if not cell.has_room:
        return Msg("pl_cell_full", {"cell": cell.address, "next": then or elsewhere(parcel, q, cell, lit)})
    if behind_door and any(p.order_id != parcel.order_id for p in q.parcels_in_cell(cell.address)):
        # The kiosk never opens a door holding someone else's parcel: one order behind each door.
        nxt = then or elsewhere(parcel, q, cell, lit)
        return Msg("pl_door_other_order", {"cell": cell.label, "next": nxt})
    return None


def elsewhere(parcel: ParcelView, q: Queries, avoid: CellView, lit: str | None = None) -> Msg:
    """Where the clerk puts the parcel instead of `avoid`: "положите в ячейку A-01-2 и отсканируйте её"."""
    cell = other_cell(parcel, q, avoid, lit)
    if cell is None:
        return Msg("pl_no_room_anywhere", {"size": parcel.size.value})
    return Msg("pl_put_in", {"cell": cell.address})


def other_cell(parcel: ParcelView, q: Queries, avoid: CellView, lit: str | None = None) -> CellView | None:
    """A cell with room for the parcel other than `avoid` and its own: the lit one, the suggestion, any."""
    skip = {avoid.address} if parcel.cell is None else {avoid.address, parcel.cell}
    if lit is not None and lit not in skip:
        cell = q.cell_by_address(lit)
        if cell is not None and cell.has_room:
            return cell
    cell = suggest(parcel, q)
    if cell is not None and cell.address not in skip:
        return cell
    return _with_room(q, zone_of(parcel), parcel.size.rank, skip)


def cell_instead(full: CellView, q: Queries) -> Msg:
    """Another cell to open instead of a full one: the same zone, its size or the next."""
    cell = _with_room(q, full.zone, full.size.rank, {full.address})
    if cell is None:
        return Msg("pl_no_room_anywhere", {"size": full.size.value})
    return Msg("pl_open_other", {"cell": cell.address})


def _with_room(q: Queries, zone: str, rank: int, skip: set[str]) -> CellView | None:
    """The smallest cell of the zone with room for a parcel of this size rank, in address order.

    Cells lit for another station's parcel are passed over while any other one will do.
    """
    fitting = [
        c
        for c in q.cells()
        if c.zone == zone and c.size.rank >= rank and c.has_room and c.address not in skip
    ]
    fitting.sort(key=lambda c: (c.size.rank, c.address))
    for cell in fitting:
        if q.claimed_by(f"cell:{cell.address}") is None:
            return cell
    return fitting[0] if fitting else None


def order_elsewhere(parcel: ParcelView, cell: CellView, q: Queries) -> str | None:
    """Another cell holding parcels of the same order, if any: the order would be split between cells."""
    if parcel.order_id is None:
        return None
    cells = sorted({p.cell for p in q.parcels_of_order(parcel.order_id) if p.cell and p.cell != cell.address})
    return cells[0] if cells else None
