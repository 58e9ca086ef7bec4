"""A manifest's parcels and packages against what the store holds: new, newer version, surplus named.

A newer version of a supply is merged, not replaced, so that what the counter has done stays:
- a parcel or package the counter has not touched (`expected`) takes the new version's word,
  and is dropped when the new version leaves it out;
- one it has handled (accepted, stored, missing, ...) must still be listed, for the same order;
  its deadline, cash on delivery, age check and package follow the new version;
- a barcode the device holds as a surplus (scanned at acceptance, no order) becomes that
  order's parcel: the same row, journalled `surplus_attached`. It stays with the supply it
  arrived with, whose act listed it; it is no longer a surplus when that supply lists it;
- new ones are `expected`, or `missing` in a closed supply (if they come, they come late).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from device.exc import ManifestError
from device.store.journal import Stamp, append
from device.store.parcels import move_parcels
from workflows.outcome import Move
from workflows.parcel import ParcelState, Size

WHAT = "invalid manifest"


class ListedParcel(Protocol):
    """A parcel as a manifest lists it (device.intake.manifest.Parcel)."""

    @property
    def barcode(self) -> str: ...
    @property
    def order(self) -> str: ...
    @property
    def size(self) -> Size: ...
    @property
    def deadline(self) -> str: ...
    @property
    def cod_kopecks(self) -> int: ...
    @property
    def age_restricted(self) -> bool: ...
    @property
    def package(self) -> str | None: ...


class ListedPackage(Protocol):
    @property
    def barcode(self) -> str: ...
    @property
    def kind(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Row:
    barcode: str
    supply_id: str | None
    state: str
    order_id: str | None
    surplus: bool
    kind: str

    @property
    def attachable(self) -> bool:
        """A surplus nobody has claimed yet: the first manifest that lists it gets it."""
        return self.surplus and self.order_id is None and self.kind == "delivery"


@dataclass(slots=True)
class SupplyPlan:
    """What one manifest does to one supply's rows; `check` refuses before `write` changes anything."""

    supply_id: str
    closed: bool
    inserted: list[ListedParcel] = field(default_factory=list)
    kept: list[tuple[ListedParcel, _Row]] = field(default_factory=list)
    attached: list[tuple[ListedParcel, _Row]] = field(default_factory=list)
    dropped: list[_Row] = field(default_factory=list)
    new_packages: list[ListedPackage] = field(default_factory=list)
    kept_packages: list[ListedPackage] = field(default_factory=list)
    dropped_packages: list[str] = field(default_factory=list)


def plan_supply(
    conn: sqlite3.Connection,
    supply_id: str,
    parcels: Sequence[ListedParcel],
    packages: Sequence[ListedPackage],
    *,
    root: str,
) -> SupplyPlan:
    """Sort the manifest's rows against the store; a conflict is a ManifestError, nothing written."""
    status = conn.execute("SELECT status FROM supplies WHERE id = ?", (supply_id,)).fetchone()
    plan = SupplyPlan(supply_id, closed=status is not None and status[0] == "closed")
    ours = {r.barcode: r for r in _rows(conn, "supply_id = ?", supply_id)}
    listed: set[str] = set()
    for i, p in enumerate(parcels):
        at = f"{root}.parcels[{i}]"
        listed.add(p.barcode)
        row = ours.get(p.barcode) or _one(conn, p.barcode)
        if row is None:
            _free_of_packages(conn, p.barcode, f"{at}.barcode")
            plan.inserted.append(p)
        elif row.attachable:
            plan.attached.append((p, row))
        elif row.supply_id == supply_id and not row.surplus:
            if row.state != ParcelState.EXPECTED.value and row.order_id != p.order:
                raise ManifestError.at(
                    f"{at}.order",
                    "conflicting_content",
                    f"parcel '{p.barcode}' is already {row.state} here for order '{row.order_id}', "
                    f"not '{p.order}'",
                    what=WHAT,
                )
            plan.kept.append((p, row))
        else:
            owner = _owner(row)
            raise ManifestError.at(
                f"{at}.barcode",
                "duplicate_barcode",
                f"barcode '{p.barcode}' is already a parcel of {owner}",
                what=WHAT,
            )
    for row in ours.values():
        if row.barcode in listed or row.surplus:
            continue
        if row.state != ParcelState.EXPECTED.value:
            raise ManifestError.at(
                f"{root}.parcels",
                "acceptance_started",
                f"supply {supply_id}: parcel '{row.barcode}' is already {row.state} here and must stay listed",
                what=WHAT,
            )
        plan.dropped.append(row)
    _plan_packages(conn, plan, packages, root)
    return plan


def _plan_packages(
    conn: sqlite3.Connection, plan: SupplyPlan, packages: Sequence[ListedPackage], root: str
) -> None:
    ours = {
        str(r[0]): str(r[1])
        for r in conn.execute("SELECT barcode, state FROM packages WHERE supply_id = ?", (plan.supply_id,))
    }
    for i, p in enumerate(packages):
        if p.barcode in ours:
            plan.kept_packages.append(p)
            continue
        at = f"{root}.packages[{i}].barcode"
        row = conn.execute("SELECT supply_id FROM packages WHERE barcode = ?", (p.barcode,)).fetchone()
        if row is not None:
            raise ManifestError.at(
                at,
                "duplicate_barcode",
                f"barcode '{p.barcode}' is already a package of supply {row[0]}",
                what=WHAT,
            )
        parcel = _one(conn, p.barcode)
        if parcel is not None:
            raise ManifestError.at(
                at,
                "duplicate_barcode",
                f"barcode '{p.barcode}' is already a parcel of {_owner(parcel)}",
                what=WHAT,
            )
        plan.new_packages.append(p)
    listed = {p.barcode for p in packages}
    for barcode, state in ours.items():
        if barcode in listed:
            continue
        if state != "expected":
            raise ManifestError.at(
                f"{root}.packages",
                "acceptance_started",
                f"supply {plan.supply_id}: package '{barcode}' is already {state} here and must stay listed",
                what=WHAT,
            )
        plan.dropped_packages.append(barcode)


def write_supply(conn: sqlite3.Connection, plan: SupplyPlan, stamp: Stamp, *, version: int) -> None:
    """Write a checked plan; orders must already be in the store. Orders left without parcels go."""
    arrived = "missing" if plan.closed else "expected"
    conn.executemany(
        "INSERT INTO packages (barcode, supply_id, kind, state) VALUES (?, ?, ?, ?)",
        [(p.barcode, plan.supply_id, p.kind, arrived) for p in plan.new_packages],
    )
    conn.executemany(
        "UPDATE packages SET kind = ? WHERE barcode = ?", [(p.kind, p.barcode) for p in plan.kept_packages]
    )
    conn.executemany("DELETE FROM parcels WHERE barcode = ?", [(r.barcode,) for r in plan.dropped])
    _write_kept(conn, plan, stamp.ts)
    conn.executemany(
        "INSERT INTO parcels (barcode, order_id, supply_id, package, size, deadline, "
        "cod_kopecks, age_restricted, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'expected', ?)",
        [
            (p.barcode, p.order, plan.supply_id, p.package, p.size.value, p.deadline, p.cod_kopecks,
             int(p.age_restricted), stamp.ts)
            for p in plan.inserted
        ],
    )  # fmt: skip
    for p, row in plan.attached:
        _attach(conn, plan.supply_id, p, row, stamp, version=version)
    conn.executemany("DELETE FROM packages WHERE barcode = ?", [(b,) for b in plan.dropped_packages])
    gone = sorted({r.order_id for r in plan.dropped if r.order_id is not None})
    conn.executemany(
        "DELETE FROM orders WHERE id = ? AND NOT EXISTS (SELECT 1 FROM parcels WHERE order_id = orders.id)",
        [(o,) for o in gone],
    )
    if plan.closed and plan.inserted:
        # A closed supply expects nothing more: what it lists now is missing until it turns up.
        data = {"supply": plan.supply_id, "version": version}
        move_parcels(
            conn, stamp, (Move(p.barcode, ParcelState.MISSING, "missing", data=data) for p in plan.inserted)
        )


def _write_kept(conn: sqlite3.Connection, plan: SupplyPlan, ts: str) -> None:
    """Listed again: an untouched parcel takes every field; a handled one keeps its order and size."""
    untouched = [(p, r) for p, r in plan.kept if r.state == ParcelState.EXPECTED.value]
    handled = [(p, r) for p, r in plan.kept if r.state != ParcelState.EXPECTED.value]
    conn.executemany(
        "UPDATE parcels SET order_id = ?, package = ?, size = ?, deadline = ?, cod_kopecks = ?, "
        "age_restricted = ?, updated_at = ? WHERE barcode = ?",
        [
            (
                p.order,
                p.package,
                p.size.value,
                p.deadline,
                p.cod_kopecks,
                int(p.age_restricted),
                ts,
                p.barcode,
            )
            for p, _ in untouched
        ],
    )
    conn.executemany(
        "UPDATE parcels SET package = ?, deadline = ?, cod_kopecks = ?, age_restricted = ?, updated_at = ? "
        "WHERE barcode = ?",
        [(p.package, p.deadline, p.cod_kopecks, int(p.age_restricted), ts, p.barcode) for p, _ in handled],
    )


def _attach(
    conn: sqlite3.Connection, supply_id: str, p: ListedParcel, row: _Row, stamp: Stamp, *, version: int
) -> None:
    """The surplus row becomes the order's parcel; it stays with the supply it came with."""
    own = row.supply_id == supply_id
    conn.execute(
        "UPDATE parcels SET order_id = ?, package = ?, size = ?, deadline = ?, cod_kopecks = ?, "
        "age_restricted = ?, surplus = ?, updated_at = ? WHERE barcode = ?",
        (
            p.order,
            p.package if own else None,
            p.size.value,
            p.deadline,
            p.cod_kopecks,
            int(p.age_restricted),
            int(not own),
            stamp.ts,
            p.barcode,
        ),
    )
    data = {"order": p.order, "supply": supply_id, "arrived_with": row.supply_id, "version": version}
    append(
        conn,
        stamp,
        "surplus_attached",
        parcel=p.barcode,
        from_state=row.state,
        to_state=row.state,
        data=data,
    )


_ROW_SQL = "SELECT barcode, supply_id, state, order_id, surplus, kind FROM parcels WHERE "


def _rows(conn: sqlite3.Connection, where: str, *params: str) -> list[_Row]:
    return [_Row(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in conn.execute(_ROW_SQL + where, params)]


def _one(conn: sqlite3.Connection, barcode: str) -> _Row | None:
    found = _rows(conn, "barcode = ?", barcode)
    return found[0] if found else None


def _owner(row: _Row) -> str:
    """Whose parcel a barcode already is, for a refusal."""
    if row.surplus and row.order_id is not None:
        return f"order {row.order_id} (a surplus of supply {row.supply_id})"
    return "no supply" if row.supply_id is None else f"supply {row.supply_id}"


def _free_of_packages(conn: sqlite3.Connection, barcode: str, at: str) -> None:
    row = conn.execute("SELECT supply_id FROM packages WHERE barcode = ?", (barcode,)).fetchone()
    if row is not None:
        raise ManifestError.at(
            at, "duplicate_barcode", f"barcode '{barcode}' is already a package of supply {row[0]}", what=WHAT
        )
