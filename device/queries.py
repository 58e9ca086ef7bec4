"""The store's answers to the workflows' read-only questions, each one or two indexed lookups."""

from __future__ import annotations

import sqlite3

from device.codes import code_hmac, codes_equal
from workflows.parcel import ParcelState, Size
from workflows.views import CellView, OrderView, PackageView, ParcelView, SupplyView

_PARCEL_SQL = """
SELECT p.barcode, p.order_id, p.supply_id, p.package, p.size, p.state, c.address AS cell,
       p.cod_kopecks, p.age_restricted, p.surplus, p.damaged, p.deadline
FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id
"""
_CELL_SQL = """
SELECT c.address, c.label, c.size, c.capacity, c.channel, c.zone, c.occupied
FROM cells c
"""
_SIZES = [s.value for s in Size]


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
    """Implements workflows.queries.Queries on one connection (inside the scan's transaction)."""

    def __init__(self, conn: sqlite3.Connection, *, pickup_key: bytes) -> None:
        self.conn = conn
        self._key = pickup_key

    def parcel(self, barcode: str) -> ParcelView | None:
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

    def packages_of_supply(self, supply_id: str, state: str) -> list[PackageView]:
        rows = self.conn.execute(
            "SELECT barcode, supply_id, kind, state FROM packages WHERE supply_id = ? AND state = ?"
            " ORDER BY barcode",
            (supply_id, state),
        )
        return [PackageView(r["barcode"], r["supply_id"], r["kind"], r["state"]) for r in rows]

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
        r = self.conn.execute("SELECT id, customer FROM orders WHERE id = ?", (order_id,)).fetchone()
        return None if r is None else OrderView(r["id"], r["customer"])

    def order_by_pickup_code(self, code: str) -> OrderView | None:
        r = self.conn.execute(
            "SELECT id, customer FROM orders WHERE pickup_code_hmac = ?", (code_hmac(self._key, code),)
        ).fetchone()
        return None if r is None else OrderView(r["id"], r["customer"])

    def order_by_qr_token(self, token: str) -> OrderView | None:
        r = self.conn.execute(
            "SELECT id, customer FROM orders WHERE qr_token_hmac = ?", (code_hmac(self._key, token),)
        ).fetchone()
        return None if r is None else OrderView(r["id"], r["customer"])

    def pickup_code_matches(self, order_id: str, code: str) -> bool:
        r = self.conn.execute("SELECT pickup_code_hmac FROM orders WHERE id = ?", (order_id,)).fetchone()
        if r is None or r[0] is None:
            return False
        return codes_equal(str(r[0]), code_hmac(self._key, code))

    def claimed_by(self, key: str) -> str | None:
        r = self.conn.execute("SELECT station FROM claims WHERE key = ?", (key,)).fetchone()
        return None if r is None else str(r[0])
