"""Texts of placement."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "pl_scan_parcel": ("Размещение: отсканируйте отправление", "Placement: scan a parcel"),
    "pl_parcel_first": ("Сначала отсканируйте отправление", "Scan a parcel first"),
    "pl_suggest": ("{parcel} → ячейка {cell}", "{parcel} → cell {cell}"),
    "pl_no_suggestion": (
        "Нет свободной ячейки размера {size}: выберите любую",
        "No free {size} cell: scan any cell with room",
    ),
    "pl_move_from": (
        "Перемещение {parcel} из {cell}: отсканируйте новую ячейку",
        "Moving {parcel} from {cell}: scan the new cell",
    ),
    "pl_not_placeable": (
        "{parcel} нельзя разместить (статус {state})",
        "{parcel} cannot be placed (state {state})",
    ),
    "pl_too_big": (
        "{parcel} ({size}) не помещается в {cell} ({cell_size})",
        "{parcel} ({size}) does not fit {cell} ({cell_size})",
    ),
    "pl_wrong_zone": (
        "Ячейка {cell} — зона «{zone}», не для хранения заказов",
        "Cell {cell} is in the {zone} zone, not for orders",
    ),
    "pl_cell_full": ("Ячейка {cell} заполнена ({capacity})", "Cell {cell} is full ({capacity})"),
    "pl_same_cell": ("Отправление уже в ячейке {cell}", "The parcel is already in cell {cell}"),
    "pl_placed": ("{parcel} размещено в {cell}", "{parcel} stored in {cell}"),
    "pl_placed_elsewhere": (
        "{parcel} размещено в {cell} вместо {suggested}",
        "{parcel} stored in {cell} instead of {suggested}",
    ),
    "pl_moved": ("{parcel} перемещено в {cell}", "{parcel} moved to {cell}"),
    "pl_ended": ("Размещение завершено", "Placement finished"),
}
