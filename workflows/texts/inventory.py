"""Texts of the inventory count."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "inv_start": (
        "Инвентаризация: {cells} {cells|ячейка|ячейки|ячеек}. Сканируйте ячейку, затем все отправления в ней",
        "Inventory: {cells} {cells|cell|cells}. Scan a cell, then every parcel in it",
    ),
    "inv_elsewhere": (
        "Инвентаризация уже идёт на посту {station}: продолжите её там или завершите («Готово»)",
        "An inventory count is already running at station {station}: go on there or finish it (DONE)",
    ),
    "inv_cell_first": (
        "Сначала отсканируйте этикетку ячейки, затем отправления в ней",
        "Scan the cell's label first, then the parcels in it",
    ),
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
    "inv_doing": (
        "Инвентаризация: пересчитано {counted} из {cells} {cells|ячейки|ячеек|ячеек}; "
        "сканируйте следующую ячейку или «Готово» — завершить",
        "Inventory: {counted} of {cells} {cells|cell|cells} counted; scan the next cell, or DONE to finish",
    ),
    "inv_doing_cell": (
        "Инвентаризация, ячейка {cell}: отсканировано {found} {found|отправление|отправления|отправлений}, "
        "пересчитано {counted} из {cells} {cells|ячейки|ячеек|ячеек}; сканируйте отправления, "
        "следующую ячейку или «Готово»",
        "Inventory, cell {cell}: {found} {found|parcel|parcels} scanned, {counted} of {cells} "
        "{cells|cell|cells} counted; scan parcels, the next cell, or DONE",
    ),
}
