"""The bench store's rows in journal order: supplies, boxes, orders, parcels, journal events, printed receipts."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.orders import Order
from bench.progress import Progress
from bench.settings import ACC, COUNTER, DEVICE, KEY, PLACE
from device.store.codes import code_hmac

SUPPLY_SIZE = 1500  # parcels per historic supply, and at least this many in the open one
BOX_SIZE = 25  # parcels per transport box; one parcel in five travels loose
CARRIERS = ("Ozon Логистика", "Ozon Экспресс", "Межрегиональный курьер")
CHUNK = 20_000  # rows per executemany while loading, between two progress updates
T_HISTORY = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

# A journal event's state change: from, to, and the cell it went to.
Move = tuple[str | None, str | None, str | None]
NO_MOVE: Move = (None, None, None)


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _event_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _receipt_json(order: Order, barcodes: list[str], ts: str) -> str:
    """A printed receipt as the print queue keeps it (about the size of the real document)."""
    lines = ",".join(f'{{"t":"columns","left":"{b}","right":"0,00 ₽"}}' for b in barcodes)
    return (
        f'{{"kind":"receipt","title":"Чек выдачи заказа","blocks":[{{"t":"text","text":"Заказ {order.id}"}},'
        f'{{"t":"text","text":"Получатель: {order.customer}"}},{{"t":"text","text":"{ts}"}},{lines},'
        f'{{"t":"barcode","data":"{order.id}"}}]}}'
    )


class Rows:
    """Every row of the fixture, in journal order: supplies, their boxes, parcels and events."""

    def __init__(self, rng: random.Random, addresses: list[str]) -> None:
        self.rng = rng
        self.addresses = addresses
        self.supplies: list[tuple[Any, ...]] = []
        self.packages: list[tuple[Any, ...]] = []
        self.orders: list[tuple[Any, ...]] = []
        self.parcels: list[tuple[Any, ...]] = []
        self.journal: list[tuple[Any, ...]] = []
        self.prints: list[tuple[Any, ...]] = []
        self.states = {"stored": 0, "issued": 0, "accepted": 0, "expected": 0}
        self.supply_id = ""
        self.t_supply = T_HISTORY
        self._in_supply = SUPPLY_SIZE
        self._box = ""
        self._in_box = BOX_SIZE

    @property
    def supply_full(self) -> bool:
        return self._in_supply >= SUPPLY_SIZE

    def order(self, o: Order) -> None:
        qr = None if o.qr is None else code_hmac(KEY, o.qr)
        self.orders.append((o.id, o.customer, code_hmac(KEY, o.code), qr))

    def supply(self, status: str) -> None:
        n = len(self.supplies) + 1
        self.supply_id = f"SUP-{n:06d}"
        self._in_supply = 0
        self._in_box = BOX_SIZE
        self.t_supply = T_HISTORY + timedelta(hours=2 * n)
        closed = None if status == "open" else _ts(self.t_supply + timedelta(hours=1))
        carrier = CARRIERS[n % len(CARRIERS)]
        self.supplies.append((self.supply_id, carrier, status, 1, _ts(self.t_supply), closed))
        data = f'{{"parcels": {SUPPLY_SIZE}, "supply": "{self.supply_id}", "version": 1}}'
        self._event(_ts(self.t_supply), "manifest_imported", data)

    def _package(self, state: str) -> str | None:
        if self.rng.random() < 0.2:
            return None
        if self._in_box >= BOX_SIZE:
            self._box = f"BOX{len(self.packages) + 1:08d}"
            self._in_box = 0
            self.packages.append((self._box, self.supply_id, "box", state))
        self._in_box += 1
        return self._box

    def _event(
        self,
        ts: str,
        kind: str,
        data: str,
        *,
        station: str | None = None,
        parcel: str | None = None,
        move: Move = NO_MOVE,
    ) -> None:
        event = (_event_id(self.rng), DEVICE, ts, station, None, kind, parcel, *move, data)
        self.journal.append(event)

    def parcel(self, o: Order, posting: int, state: str, t: datetime) -> str:
        """One parcel row (posting 1-based) and the journal event that brought it to `state`."""
        barcode = f"{o.id}-{posting:04d}-1"
        ts = _ts(t)
        deadline = (t + timedelta(days=7)).date().isoformat()
        package = self._package("expected" if state == "expected" else "accepted")
        cell = o.cell if state == "stored" else None
        self.parcels.append(
            (
                barcode,
                o.id,
                self.supply_id,
                package,
                o.sizes[posting - 1],
                deadline,
                o.cods[posting - 1],
                int(o.age),
                state,
                None if cell is None else cell + 1,
                ts,
            )
        )
        self._in_supply += 1
        self.states[state] += 1
        if state == "stored" and cell is not None:
            address = self.addresses[cell]
            data = f'{{"off_suggestion": false, "suggested": "{address}"}}'
            self._event(
                ts, "placed", data, station=PLACE, parcel=barcode, move=("accepted", "stored", address)
            )
        elif state == "issued":
            data = f'{{"order": "{o.id}"}}'
            self._event(ts, "issued", data, station=COUNTER, parcel=barcode, move=("stored", "issued", None))
        elif state == "accepted":
            data = f'{{"supply": "{self.supply_id}"}}'
            self._event(
                ts, "accepted", data, station=ACC, parcel=barcode, move=("expected", "accepted", None)
            )
        return barcode

    def receipt(self, o: Order, barcodes: list[str], t: datetime) -> None:
        ts = _ts(t)
        self.prints.append((COUNTER, "receipt", _receipt_json(o, barcodes, ts), "printed", 1, ts, ts))

    def insert(
        self, conn: sqlite3.Connection, cells: list[tuple[Any, ...]], say: Callable[[str], None] = print
    ) -> None:
        """Every row in the caller's transaction, with the statements' column lists of the schema;
        the big tables in chunks, so that progress shows."""
        tables = (
            ("INSERT INTO supplies VALUES (?, ?, ?, ?, ?, ?)", self.supplies),
            ("INSERT INTO packages (barcode, supply_id, kind, state) VALUES (?, ?, ?, ?)", self.packages),
            (
                "INSERT INTO orders (id, customer, pickup_code_hmac, qr_token_hmac) VALUES (?, ?, ?, ?)",
                self.orders,
            ),
            (
                "INSERT INTO cells (id, address, label, size, capacity, channel, zone) VALUES (?, ?, ?, ?, ?, ?, ?)",
                cells,
            ),
            (
                "INSERT INTO parcels (barcode, order_id, supply_id, package, size, deadline, cod_kopecks, "
                "age_restricted, state, cell_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.parcels,
            ),
            (
                "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
                "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.journal,
            ),
            (
                "INSERT INTO print_jobs (station, kind, document, state, attempts, created_at, printed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                self.prints,
            ),
        )
        progress = Progress("inserting rows", sum(len(rows) for _, rows in tables), say)
        try:
            for sql, rows in tables:
                for start in range(0, len(rows), CHUNK):
                    chunk = rows[start : start + CHUNK]
                    conn.executemany(sql, chunk)
                    progress.update(len(chunk))
        finally:
            progress.close()
