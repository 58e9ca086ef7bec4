"""What acceptance tells the clerk about counts and about parcels that are not for this supply."""

from __future__ import annotations

from workflows.messages import Msg, return_reason_name
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.views import PackageView, ParcelView

# How many missing parcels a screen lists by barcode before "…and N more".
MISSING_LISTED = 10


def progress(
    q: Queries, supply_id: str, package: PackageView | None = None, *, arriving: bool = False
) -> Msg:
    """The live count of a supply ("поставка S1: 12 из 40"), and of one package of it if given.

    `arriving`: the count once one more listed parcel (of that package) is in, for a message
    decided before the store has counted it.
    """
    extra = int(arriving)
    of_supply = q.supply_progress(supply_id)
    params: dict[str, str | int] = {
        "supply": supply_id,
        "done": of_supply.done + extra,
        "total": of_supply.total,
    }
    if package is None:
        return Msg("acc_progress", params)
    of_box = q.package_progress(package.barcode)
    params |= {"package": package.barcode, "box_done": of_box.done + extra, "box_total": of_box.total}
    bag = package.kind == "bag"
    key = "acc_progress_bag" if bag else "acc_progress_box"
    return Msg(key, params)


def parcel_progress(q: Queries, parcel: ParcelView, supply_id: str) -> Msg:
    """The count of the parcel's own supply (and its package), where it was counted already."""
    package = None if parcel.package is None else q.package(parcel.package)
    return progress(q, parcel.supply_id or supply_id, package)


def elsewhere(parcel: ParcelView) -> Msg | None:
    """Where a parcel that acceptance cannot take is, and what to do with it; None if it can be taken
    (expected, a supply's missing one that turned up late, or accepted already).

    A stored parcel that turns up at the counter is not "already counted": it left its cell.
    """
    barcode = parcel.barcode
    if parcel.dropoff is not None:
        # A seller's shipment leaves through the point: never an inbound parcel of a supply.
        return Msg("acc_parcel_dropoff", {"parcel": barcode, "dropoff": parcel.dropoff})
    match parcel.state:
        case ParcelState.STORED:
            return Msg(
                "acc_parcel_stored",
                {"parcel": barcode, "cell": str(parcel.cell), "order": str(parcel.order_id)},
            )
        case ParcelState.ISSUED:
            return Msg("acc_parcel_issued", {"parcel": barcode, "order": str(parcel.order_id)})
        case ParcelState.TO_RETURN:
            reason = return_reason_name(parcel.return_reason)
            if parcel.cell is None:
                return Msg("acc_parcel_to_return", {"parcel": barcode, "reason": reason})
            return Msg(
                "acc_parcel_to_return_cell", {"parcel": barcode, "reason": reason, "cell": parcel.cell}
            )
        case ParcelState.RETURNING:
            return Msg("acc_parcel_returning", {"parcel": barcode, "bag": str(parcel.bag)})
        case ParcelState.RETURNED:
            return Msg("acc_parcel_returned", {"parcel": barcode})
        case ParcelState.MISSING if parcel.supply_id is None:
            # Not one a supply is waiting for (a customer return an inventory count did not find).
            return Msg("acc_parcel_not_found", {"parcel": barcode})
    return None


def missing_details(q: Queries, supply_id: str) -> tuple[Msg, ...]:
    """The packages and parcels of the supply not scanned yet, the parcels cut at MISSING_LISTED."""
    boxes = [
        Msg("acc_missing_package", {"package": p.barcode})
        for p in q.packages_of_supply(supply_id, "expected")
    ]
    parcels = q.parcels_of_supply(supply_id, ParcelState.EXPECTED)
    listed = [Msg("acc_missing_item", {"parcel": p.barcode}) for p in parcels[:MISSING_LISTED]]
    more = len(parcels) - MISSING_LISTED
    if more > 0:
        listed.append(Msg("acc_missing_more", {"count": more}))
    return (*boxes, *listed)
