"""Texts of placement: prompts, what was placed where, every refusal with what to do next, the summary.

A `{next}` parameter is another message of this table, rendered in the same language: what
the clerk does now ("отсканируйте ячейку для …", "положите в ячейку A-01-2 и отсканируйте её").
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "pl_scan_parcel": (
        "Размещение: отсканируйте отправление — загорится его ячейка. "
        "Несколько в одну ячейку: сначала ячейку, потом отправления",
        "Placement: scan a parcel and its cell lights up. "
        "Several into one cell: scan the cell first, then the parcels",
    ),
    # what to do next, the end of every refusal
    "pl_next_parcel": ("отсканируйте отправление или ячейку", "scan a parcel or a cell"),
    "pl_next_cell": ("отсканируйте ячейку для {parcel}", "scan the cell for {parcel}"),
    "pl_next_fill": (
        "отсканируйте отправление для ячейки {cell} или «Отмена», чтобы закрыть её",
        "scan a parcel for cell {cell}, or Cancel to close it",
    ),
    "pl_put_in": ("положите в ячейку {cell} и отсканируйте её", "put it in cell {cell} and scan that cell"),
    "pl_open_other": ("отсканируйте другую ячейку, например {cell}", "scan another cell, e.g. {cell}"),
    "pl_no_room_anywhere": (
        "ячейки размера {size} и больше с местом нет — освободите место перемещением или отложите отправление",
        "no cell of size {size} or larger has room: make room by moving a parcel, or set this one aside",
    ),
    "pl_stays_in": ("{parcel} остаётся в ячейке {cell}", "{parcel} stays in cell {cell}"),
    "pl_hint_accept": (
        "сначала его нужно принять (приёмка), потом разместить",
        "accept it first, then place it",
    ),
    "pl_hint_send_back": (
        "оно уходит обратно отправителю — отложите его к возвратам",
        "it goes back to the sender: set it aside with the returns",
    ),
    "pl_hint_set_aside": (
        "по учёту его уже нет на пункте — отложите его и сообщите старшему",
        "by the records it has left the point: set it aside and tell the supervisor",
    ),
    # refusals
    "pl_command_not_now": (
        "Команда «{command}» при размещении не нужна: {next}",
        "The {command} command does nothing in placement: {next}",
    ),
    "pl_unknown_code": ("Код {code} не найден: {next}", "Code {code} is not known: {next}"),
    "pl_claimed": (
        "{code} уже в работе на посту {station} — оставьте его там; {next}",
        "{code} is being handled at station {station}: leave it to them and {next}",
    ),
    "pl_not_placeable": (
        "{parcel} нельзя разместить, статус «{state}»: {next}",
        "{parcel} cannot be placed (state: {state}): {next}",
    ),
    "pl_too_big": (
        "{parcel} ({size}) не помещается в {cell} ({cell_size}): {next}",
        "{parcel} ({size}) does not fit {cell} ({cell_size}): {next}",
    ),
    "pl_wrong_zone": (
        "Ячейка {cell} не для заказов, {parcel} туда нельзя: {next}",
        "Cell {cell} is not for orders, {parcel} cannot go there: {next}",
    ),
    "pl_return_zone": (
        "{parcel} — возврат от клиента, ему место в зоне возвратов, а не в {cell}: {next}",
        "{parcel} is a customer return: it belongs in the returns zone, not in {cell}: {next}",
    ),
    "pl_cell_full": ("Ячейка {cell} заполнена: {next}", "Cell {cell} is full: {next}"),
    "pl_cell_claimed": (
        "Ячейка {cell} оставлена для отправления на посту {station}: {next}",
        "Cell {cell} is kept for a parcel at station {station}: {next}",
    ),
    "pl_door_other_order": (
        "За дверцей {cell} лежит другой заказ, этот туда нельзя: {next}",
        "Door {cell} holds another order, this one cannot go there: {next}",
    ),
    "pl_door_opening": (
        "Дверца {door} открывается: положите отправление и закройте её",
        "Door {door} is opening: put the parcel in and close it",
    ),
    "pl_cell_not_for_parcels": (
        "Ячейка {cell} не для хранения отправлений: {next}",
        "Cell {cell} is not for storing parcels: {next}",
    ),
    # parcel first
    "pl_suggest": ("{parcel} → ячейка {cell}", "{parcel} → cell {cell}"),
    "pl_no_suggestion": (
        "{parcel}: пустой ячейки размера {size} и больше нет — отсканируйте любую ячейку с местом",
        "{parcel}: no empty cell of size {size} or larger; scan any cell with room",
    ),
    "pl_move_from": (
        "Перемещение {parcel} из {cell}: отсканируйте новую ячейку",
        "Moving {parcel} from {cell}: scan the new cell",
    ),
    "pl_left_waiting": (
        "{parcel} не размещено и ждёт ячейки (ждут: {count}) — отсканируйте его, когда будете класть",
        "{parcel} is not stored and waits for a cell ({count} waiting): scan it when you put it away",
    ),
    "pl_move_dropped": (
        "{parcel} осталось в ячейке {cell} — верните его туда",
        "{parcel} stays in cell {cell}: put it back there",
    ),
    "pl_still_waiting": (
        "Ждут ячейки: {count} {count|отправление|отправления|отправлений}, первое — {parcel}",
        "Waiting for a cell: {count} {count|parcel|parcels}, the first is {parcel}",
    ),
    "pl_parcel_gone": (
        "{parcel} больше нет в базе: отложите его и сообщите старшему",
        "{parcel} is no longer in the records: set it aside and tell the supervisor",
    ),
    "pl_same_cell": (
        "{parcel} уже в ячейке {cell}: ничего не изменилось",
        "{parcel} is already in cell {cell}: nothing changed",
    ),
    "pl_placed": ("{parcel} размещено в {cell}", "{parcel} stored in {cell}"),
    "pl_placed_elsewhere": (
        "{parcel} размещено в {cell} вместо {suggested}",
        "{parcel} stored in {cell} instead of {suggested}",
    ),
    "pl_moved": ("{parcel} перемещено в {cell}", "{parcel} moved to {cell}"),
    # cell first
    "pl_cell_open": (
        "Ячейка {cell}: сканируйте каждое отправление, которое кладёте "
        "(свободно {free} {free|место|места|мест}). «Отмена» — закрыть ячейку",
        "Cell {cell}: scan each parcel you put in ({free} {free|place|places} free). Cancel closes the cell",
    ),
    "pl_cell_already_open": (
        "Ячейка {cell} уже открыта, занято {occupied} из {capacity}: сканируйте отправления",
        "Cell {cell} is already open, {occupied} of {capacity} taken: scan parcels",
    ),
    "pl_put": (
        "{parcel} → {cell} (занято {occupied} из {capacity})",
        "{parcel} → {cell} ({occupied} of {capacity} taken)",
    ),
    "pl_put_full": (
        "{parcel} → {cell}; ячейка заполнена — отсканируйте следующую ячейку или отправление",
        "{parcel} → {cell}; the cell is full: scan the next cell or a parcel",
    ),
    "pl_order_apart": (
        "Другие отправления заказа {order} лежат в ячейке {cell}",
        "Other parcels of order {order} are in cell {cell}",
    ),
    "pl_then_back": (
        "Потом снова откроется ячейка {cell}",
        "Then cell {cell} is open again",
    ),
    "pl_back_to_cell": (
        "Ячейка {cell} снова открыта: сканируйте отправления для неё",
        "Cell {cell} is open again: scan parcels for it",
    ),
    "pl_cell_closed": (
        "Ячейка {cell} закрыта, занято {occupied} из {capacity}. Отсканируйте отправление или ячейку",
        "Cell {cell} closed, {occupied} of {capacity} taken. Scan a parcel or a cell",
    ),
    # the end
    "pl_ended": (
        "Размещение завершено: размещено {placed} {placed|отправление|отправления|отправлений} "
        "в {cells} {cells|ячейку|ячейки|ячеек}",
        "Placement finished: {placed} {placed|parcel|parcels} stored in {cells} {cells|cell|cells}",
    ),
    "pl_ended_nothing": (
        "Размещение завершено, ничего не размещено",
        "Placement finished, nothing was stored",
    ),
    "pl_sum_cells": ("Ячейки: {cells}", "Cells: {cells}"),
    "pl_sum_moved": (
        "Перемещено: {moved} {moved|отправление|отправления|отправлений}",
        "Moved: {moved} {moved|parcel|parcels}",
    ),
    "pl_sum_unplaced": (
        "Отсканировано, но не размещено: {count} {count|отправление|отправления|отправлений} "
        "({parcels}) — {count|разместите его|разместите их|разместите их}",
        "Scanned but not stored: {count} {count|parcel|parcels} ({parcels}); place {count|it|them}",
    ),
    "pl_sum_left": (
        "Всего ждут размещения: {count} {count|отправление|отправления|отправлений}",
        "Still waiting for a cell at the point: {count} {count|parcel|parcels}",
    ),
    "pl_sum_all_placed": ("Все принятые отправления размещены", "Every accepted parcel is stored"),
    "pl_list_more": ("{list} и ещё {more}", "{list} and {more} more"),
}
