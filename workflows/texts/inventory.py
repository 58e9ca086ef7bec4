"""Texts of the inventory count."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "inv_start": (
        "Инвентаризация: {cells} {cells|ячейка|ячейки|ячеек}. Сканируйте ячейку, затем все отправления в ней",
        "Inventory: {cells} {cells|cell|cells}. Scan a cell, then every parcel in it",
    ),
    "inv_cell_first": ("Сначала отсканируйте ячейку", "Scan the cell first"),
    "inv_cell": (
        "Ячейка {cell}: сканируйте отправления (осталось {left} {left|ячейка|ячейки|ячеек})",
        "Cell {cell}: scan its parcels ({left} {left|cell|cells} left)",
    ),
    "inv_counted": ("{parcel} — в {cell}", "{parcel} counted in {cell}"),
    "inv_unknown": (
        "Неизвестный код {code}: отложите, записан",
        "Unknown code {code}: set it aside, recorded",
    ),
    "inv_done": (
        "Итог: на месте {found}, не на месте {misplaced}, не найдено {missing}, неизвестно {unknown}",
        "Result: found {found}, misplaced {misplaced}, missing {missing}, unknown {unknown}",
    ),
    "inv_abandoned": ("Инвентаризация прервана без изменений", "Inventory abandoned, nothing changed"),
}
