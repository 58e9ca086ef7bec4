"""The store's answers to the workflows' read-only questions, each one or two indexed lookups."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from device.store.clock import utc_text
from device.store.codes import code_hmac, codes_equal
from workflows.parcel import ParcelState, Size
from workflows.tickets import LABEL_PREFIX
from workflows.views import (
    BagView,
    CellView,
    ClerkView,
    CourierView,
    DropoffView,
    OrderView,
    PackageView,
    ParcelView,
    Progress,
    ReturnRequestView,
    ShiftView,
    SupplyView,
    WrongCodesView,
)

_PARCEL_SQL = """
SELECT p.barcode, p.order_id, p.supply_id, p.package, p.size, p.state, c.address AS cell,
       p.cod_kopecks, p.age_restricted, p.surplus, p.damaged, p.deadline, p.kind, p.issued_at,
       p.return_reason, p.bag, p.dropoff
FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id
"""
_CELL_SQL = """
SELECT c.address, c.label, c.size, c.capacity, c.channel, c.zone, c.occupied
FROM cells c
"""
_SIZES = [s.value for s in Size]
_ORDER_SQL = "SELECT id, customer, cancelled_at, phone_tail FROM orders"
# Listed parcels (not surplus) and those that arrived: past expected, and not missing.
_PROGRESS_SQL = (
    "SELECT count(*), coalesce(sum(state NOT IN ('expected', 'missing')), 0) FROM parcels "
    "WHERE surplus = 0 AND "
)


def _parcel(row: sqlite3.Row) -> ParcelView:
    return ParcelView(
        barcode=row["barcode"],
        order_id=row["order_id"],
        supply_id=row["supply_id"],
        package=row["package"],
        size=Size(row["size"]),
        state=ParcelState(row["state"]),
        cell=row["cell"],
        cod_kopecks=row["cod_kopecks"],
        age_restricted=bool(row["age_restricted"]),
        surplus=bool(row["surplus"]),
        damaged=bool(row["damaged"]),
        deadline=row["deadline"],
        kind=row["kind"],
        issued_at=row["issued_at"],
        return_reason=row["return_reason"],
        bag=row["bag"],
        dropoff=row["dropoff"],
    )


def _order(row: sqlite3.Row) -> OrderView:
    return OrderView(
        row["id"], row["customer"], cancelled=row["cancelled_at"] is not None, phone_tail=row["phone_tail"]
    )


def _cell(row: sqlite3.Row) -> CellView:
    return CellView(
        address=row["address"],
        label=row["label"],
        size=Size(row["size"]),
        capacity=row["capacity"],
        channel=row["channel"],
        zone=row["zone"],
        occupied=row["occupied"],
    )


class StoreQueries:
    """Implements workflows.queries.Queries on one connection (inside the scan's transaction).

    `now` is the scan's time: a pickup code that central rotated is still accepted until its
    grace window ends; without `now`, only current codes are.
    """

    def __init__(self, conn: sqlite3.Connection, *, pickup_key: bytes, now: datetime | None = None) -> None:
        self.conn = conn
        self._key = pickup_key
        self._now = None if now is None else utc_text(now)

    def parcel(self, barcode: str) -> ParcelView | None:
        number = barcode.removeprefix(LABEL_PREFIX)
        if number != barcode and number.isdigit():
            # A surplus parcel's local label (device/documents/ticket_label.py) names its ticket.
            found = self.conn.execute("SELECT parcel FROM tickets WHERE id = ?", (int(number),)).fetchone()
            barcode = found[0] if found is not None and found[0] else barcode
        row = self.conn.execute(_PARCEL_SQL + " WHERE p.barcode = ?", (barcode,)).fetchone()
        return None if row is None else _parcel(row)

    def parcels_of_order(self, order_id: str) -> list[ParcelView]:
        rows = self.conn.execute(_PARCEL_SQL + " WHERE p.order_id = ? ORDER BY p.barcode", (order_id,))
        return [_parcel(r) for r in rows]

    def parcels_of_supply(self, supply_id: str, state: ParcelState) -> list[ParcelView]:
        rows = self.conn.execute(
            _PARCEL_SQL + " WHERE p.supply_id = ? AND p.state = ? ORDER BY p.barcode",
            (supply_id, state.value),
        )
        return [_parcel(r) for r in rows]

    def count_of_supply(self, supply_id: str, state: ParcelState) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM parcels WHERE supply_id = ? AND state = ?", (supply_id, state.value)
        ).fetchone()
        return int(row[0])

    def count_in_state(self, state: ParcelState) -> int:
        row = self.conn.execute("SELECT count(*) FROM parcels WHERE state = ?", (state.value,)).fetchone()
        return int(row[0])

    def packages_of_supply(self, supply_id: str, state: str) -> list[PackageView]:
        rows = self.conn.execute(
            "SELECT barcode, supply_id, kind, state FROM packages WHERE supply_id = ? AND state = ?"
            " ORDER BY barcode",
            (supply_id, state),
        )
        return [PackageView(r["barcode"], r["supply_id"], r["kind"], r["state"]) for r in rows]

    def supply_progress(self, supply_id: str) -> Progress:
        total, done = self.conn.execute(_PROGRESS_SQL + "supply_id = ?", (supply_id,)).fetchone()
        return Progress(int(done), int(total))

    def package_progress(self, barcode: str) -> Progress:
        total, done = self.conn.execute(_PROGRESS_SQL + "package = ?", (barcode,)).fetchone()
        return Progress(int(done), int(total))

    def dropoff(self, dropoff_id: str) -> DropoffView | None:
        r = self.conn.execute(
            "SELECT id, seller_name, status FROM dropoffs WHERE id = ?", (dropoff_id,)
        ).fetchone()
        return None if r is None else DropoffView(r["id"], r["seller_name"], r["status"])

    def dropoff_progress(self, dropoff_id: str) -> Progress:
        total, done = self.conn.execute(_PROGRESS_SQL + "dropoff = ?", (dropoff_id,)).fetchone()
        return Progress(int(done), int(total))

    def parcels_of_dropoff(self, dropoff_id: str, state: ParcelState) -> list[ParcelView]:
        rows = self.conn.execute(
            _PARCEL_SQL + " WHERE p.dropoff = ? AND p.state = ? ORDER BY p.barcode", (dropoff_id, state.value)
        )
        return [_parcel(r) for r in rows]

    def cell_by_label(self, label: str) -> CellView | None:
        row = self.conn.execute(_CELL_SQL + " WHERE c.label = ?", (label,)).fetchone()
        return None if row is None else _cell(row)

    def cell_by_address(self, address: str) -> CellView | None:
        row = self.conn.execute(_CELL_SQL + " WHERE c.address = ?", (address,)).fetchone()
        return None if row is None else _cell(row)

    def suggest_cell(self, parcel: ParcelView) -> CellView | None:
        """A cell already holding the same order with room, else the smallest free fitting cell.

        Cells held in other stations' suggestions are avoided so that two clerks placing
        at once are not sent to the same last free cell.
        """
        fitting = _SIZES[_SIZES.index(parcel.size.value) :]
        marks = ",".join("?" * len(fitting))
        if parcel.order_id is not None:
            row = self.conn.execute(
                _CELL_SQL + f" WHERE c.zone = 'main' AND c.size IN ({marks}) AND c.id IN "
                "(SELECT cell_id FROM parcels WHERE order_id = ? AND cell_id IS NOT NULL) "
                "AND c.occupied < c.capacity ORDER BY c.address LIMIT 1",
                (*fitting, parcel.order_id),
            ).fetchone()
            if row is not None:
                return _cell(row)
        # Smallest fitting size first; within a size the partial index on empty cells
        # yields them in address order, so the first unclaimed one ends the search.
        for size in fitting:
            row = self.conn.execute(
                _CELL_SQL + " WHERE c.zone = 'main' AND c.size = ? AND c.occupied = 0 "
                "AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.key = 'cell:' || c.address) "
                "ORDER BY c.address LIMIT 1",
                (size,),
            ).fetchone()
            if row is not None:
                return _cell(row)
        return None

    def suggest_door(self, parcel: ParcelView, zone: str) -> CellView | None:
        fitting = _SIZES[_SIZES.index(parcel.size.value) :]
        marks = ",".join("?" * len(fitting))
        if parcel.order_id is not None:
            row = self.conn.execute(
                _CELL_SQL
                + f" WHERE c.zone = ? AND c.size IN ({marks}) AND c.occupied < c.capacity AND c.id IN "
                "(SELECT cell_id FROM parcels WHERE order_id = ? AND cell_id IS NOT NULL) ORDER BY c.address LIMIT 1",
                (zone, *fitting, parcel.order_id),
            ).fetchone()
            if row is not None:
                return _cell(row)
        for size in fitting:
            row = self.conn.execute(
                _CELL_SQL + " WHERE c.zone = ? AND c.size = ? AND c.occupied = 0 "
                "AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.key = 'cell:' || c.address) "
                "ORDER BY c.channel LIMIT 1",
                (zone, size),
            ).fetchone()
            if row is not None:
                return _cell(row)
        return None

    def package(self, barcode: str) -> PackageView | None:
        r = self.conn.execute(
            "SELECT barcode, supply_id, kind, state FROM packages WHERE barcode = ?", (barcode,)
        ).fetchone()
        return None if r is None else PackageView(r["barcode"], r["supply_id"], r["kind"], r["state"])

    def supply(self, supply_id: str) -> SupplyView | None:
        r = self.conn.execute(
            "SELECT id, carrier, status FROM supplies WHERE id = ?", (supply_id,)
        ).fetchone()
        return None if r is None else SupplyView(r["id"], r["carrier"], r["status"])

    def order(self, order_id: str) -> OrderView | None:
        r = self.conn.execute(_ORDER_SQL + " WHERE id = ?", (order_id,)).fetchone()
        return None if r is None else _order(r)

    def orders_by_pickup_code(self, code: str) -> list[OrderView]:
        """Orders whose current code this is, and those whose previous code it is, still in grace.

        Two customers may hold the same code: every order it fits is returned, by id, and the
        workflow decides (it never picks one).
        """
        digest = code_hmac(self._key, code)
        rows = self.conn.execute(_ORDER_SQL + " WHERE pickup_code_hmac = ? ORDER BY id", (digest,)).fetchall()
        if self._now is not None:
            rows += self.conn.execute(
                _ORDER_SQL + " WHERE prev_pickup_code_hmac = ? AND prev_valid_until > ? ORDER BY id",
                (digest, self._now),
            ).fetchall()
        found = {r["id"]: _order(r) for r in rows}
        return [found[key] for key in sorted(found)]

    def order_by_qr_token(self, token: str) -> OrderView | None:
        r = self.conn.execute(
            _ORDER_SQL + " WHERE qr_token_hmac = ?", (code_hmac(self._key, token),)
        ).fetchone()
        return None if r is None else _order(r)

    def pickup_code_matches(self, order_id: str, code: str) -> bool:
        r = self.conn.execute(
            "SELECT pickup_code_hmac, prev_pickup_code_hmac, prev_valid_until FROM orders WHERE id = ?",
            (order_id,),
        ).fetchone()
        if r is None:
            return False
        digest = code_hmac(self._key, code)
        current = r[0] is not None and codes_equal(str(r[0]), digest)
        in_grace = None not in (r[1], r[2], self._now) and str(self._now) < str(r[2])
        return current or (in_grace and codes_equal(str(r[1]), digest))

    def wrong_codes(self, station: str) -> WrongCodesView:
        r = self.conn.execute(
            "SELECT failures, paused_at, pause_s, locks, last_at FROM wrong_codes WHERE station = ?",
            (station,),
        ).fetchone()
        if r is None:
            return WrongCodesView()
        paused_at = None if r["paused_at"] is None else datetime.fromisoformat(r["paused_at"])
        last_at = datetime.fromisoformat(r["last_at"])
        return WrongCodesView(int(r["failures"]), paused_at, int(r["pause_s"]), int(r["locks"]), last_at)

    def claimed_by(self, key: str) -> str | None:
        r = self.conn.execute("SELECT station FROM claims WHERE key = ?", (key,)).fetchone()
        return None if r is None else str(r[0])

    def clerk(self, badge: str) -> ClerkView | None:
        r = self.conn.execute("SELECT badge, name, active FROM clerks WHERE badge = ?", (badge,)).fetchone()
        return None if r is None else ClerkView(r["badge"], r["name"], bool(r["active"]))

    def open_shift(self, badge: str) -> ShiftView | None:
        r = self.conn.execute(
            "SELECT id, badge, station, opened_at FROM shifts WHERE badge = ? AND closed_at IS NULL", (badge,)
        ).fetchone()
        return None if r is None else ShiftView(r["id"], r["badge"], r["station"], r["opened_at"])

    def to_return(self) -> list[ParcelView]:
        """The pick list: every parcel due back to the sender, by cell."""
        rows = self.conn.execute(_PARCEL_SQL + " WHERE p.state = 'to_return' ORDER BY c.address, p.barcode")
        return [_parcel(r) for r in rows]

    def outbound(self) -> list[ParcelView]:
        """Drop-offs and sends waiting at the point for the courier."""
        rows = self.conn.execute(_PARCEL_SQL + " WHERE p.state = 'outbound' ORDER BY p.barcode")
        return [_parcel(r) for r in rows]

    def courier(self, code: str) -> CourierView | None:
        """A courier still expected, by the code or badge they show."""
        r = self.conn.execute(
            "SELECT code, name, company, parcels, bags FROM couriers WHERE code = ? AND state = 'expected'",
            (code,),
        ).fetchone()
        if r is None:
            return None
        parcels, bags = tuple(json.loads(r["parcels"])), tuple(json.loads(r["bags"]))
        return CourierView(r["code"], r["name"], r["company"], parcels, bags)

    def couriers_expected(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM couriers WHERE state = 'expected'").fetchone()[0])

    def bag(self, barcode: str) -> BagView | None:
        r = self.conn.execute(
            "SELECT barcode, state, station FROM outbound_bags WHERE barcode = ?", (barcode,)
        ).fetchone()
        return None if r is None else BagView(r["barcode"], r["state"], r["station"])

    def parcels_in_bag(self, barcode: str) -> list[ParcelView]:
        rows = self.conn.execute(_PARCEL_SQL + " WHERE p.bag = ? ORDER BY p.barcode", (barcode,))
        return [_parcel(r) for r in rows]

    def return_request(self, request_id: str) -> ReturnRequestView | None:
        r = self.conn.execute(
            "SELECT id, order_id, parcels, reason, used_by FROM return_requests WHERE id = ?", (request_id,)
        ).fetchone()
        if r is None:
            return None
        return ReturnRequestView(
            r["id"], r["order_id"], tuple(json.loads(r["parcels"])), r["reason"], r["used_by"]
        )

    def parcels_in_cell(self, address: str) -> list[ParcelView]:
        rows = self.conn.execute(_PARCEL_SQL + " WHERE c.address = ? ORDER BY p.barcode", (address,))
        return [_parcel(r) for r in rows]

    def cells(self) -> list[CellView]:
        return [_cell(r) for r in self.conn.execute(_CELL_SQL + " ORDER BY c.address")]

    def returns_cell(self, parcel_size: str) -> CellView | None:
        """A cell of the returns zone with room for a parcel of this size, fullest first."""
        fitting = _SIZES[_SIZES.index(parcel_size) :]
        marks = ",".join("?" * len(fitting))
        row = self.conn.execute(
            _CELL_SQL + f" WHERE c.zone = 'returns' AND c.size IN ({marks}) AND c.occupied < c.capacity "
            "ORDER BY c.occupied DESC, c.address LIMIT 1",
            tuple(fitting),
        ).fetchone()
        return None if row is None else _cell(row)

    def already_returned(self, barcode: str) -> str | None:
        """The customer return that already took this parcel back, if any."""
        row = self.conn.execute(
            "SELECT barcode FROM parcels WHERE kind = 'customer_return' "
            "AND (',' || returned_from || ',') LIKE ('%,' || ? || ',%') LIMIT 1",
            (barcode,),
        ).fetchone()
        return None if row is None else str(row[0])
