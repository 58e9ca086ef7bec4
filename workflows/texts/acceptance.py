"""Texts of acceptance: every refusal and warning says what to do next."""

from __future__ import annotations

_PARCELS_RU = "{total|отправление|отправления|отправлений}"
_PARCELS_EN = "{total|parcel|parcels}"

TEXTS: dict[str, tuple[str, str]] = {
    # choosing the supply
    "acc_choose_supply": (
        "Приёмка: отсканируйте коробку, отправление или номер поставки",
        "Acceptance: scan a box, a parcel or the supply number",
    ),
    "acc_no_supply_for_code": (
        "{code}: такой поставки нет. Отсканируйте номер поставки из накладной, коробку или отправление",
        "{code}: no such supply. Scan the supply number on the waybill, a box or a parcel",
    ),
    "acc_supply_closed": (
        "Поставка {supply} уже закрыта ({done} из {total}). Опоздавшее отправление или коробку "
        "просто отсканируйте — они будут приняты",
        "Supply {supply} is already closed ({done} of {total}). Just scan a late parcel or box: "
        "it will be accepted",
    ),
    "acc_opened": (
        f"Приёмка {{supply}} ({{carrier}}): ожидается {{total}} {_PARCELS_RU}, принято {{done}}. "
        "Сканируйте коробки и отправления",
        f"Accepting {{supply}} ({{carrier}}): {{total}} {_PARCELS_EN} expected, {{done}} accepted. "
        "Scan the boxes and parcels",
    ),
    # the live count, a parameter of every accepting message
    "acc_progress": ("поставка {supply}: {done} из {total}", "supply {supply}: {done} of {total}"),
    "acc_progress_box": (
        "поставка {supply}: {done} из {total}; коробка {package}: {box_done} из {box_total}",
        "supply {supply}: {done} of {total}; box {package}: {box_done} of {box_total}",
    ),
    "acc_progress_bag": (
        "поставка {supply}: {done} из {total}; мешок {package}: {box_done} из {box_total}",
        "supply {supply}: {done} of {total}; bag {package}: {box_done} of {box_total}",
    ),
    # packages
    "acc_package_accepted": (
        "Упаковка {package} принята · {progress}",
        "Package {package} accepted · {progress}",
    ),
    "acc_package_late": (
        "Упаковка {package} принята с опозданием: в акте поставки {supply} она «не поступила». "
        "Сканируйте отправления из неё",
        "Package {package} accepted late: the act of supply {supply} has it missing. Scan the parcels in it",
    ),
    "acc_package_other_supply": (
        "Упаковка {package} — из поставки {supply}, а принимается {current}. Отложите её и примите "
        "после этой поставки",
        "Package {package} belongs to supply {supply}, not {current}. Set it aside and accept it "
        "after this supply",
    ),
    # parcels
    "acc_parcel_accepted": ("Принято {parcel} · {progress}", "Accepted {parcel} · {progress}"),
    "acc_parcel_late": (
        "Принято с опозданием {parcel}: оно числилось «не поступило» (поставка {supply}) · {progress}",
        "Accepted late {parcel}: it was recorded as missing (supply {supply}) · {progress}",
    ),
    "acc_parcel_other_supply": (
        "Принято {parcel} из другой поставки · {progress}",
        "Accepted {parcel} from another supply · {progress}",
    ),
    "acc_parcel_damaged": (
        "{parcel} отмечено как повреждённое · {progress}",
        "{parcel} marked damaged · {progress}",
    ),
    "acc_surplus": (
        "Излишек {parcel}: его нет в накладной. Записан; разместите его как обычно",
        "Surplus {parcel}: not on the manifest. Recorded; place it as usual",
    ),
    "acc_cancelled_set_aside": (
        "Заказ {order} отменён: не размещайте {parcel}, отложите его в зону возвратов · {progress}",
        "Order {order} is cancelled: do not place {parcel}, set it aside in the returns zone · {progress}",
    ),
    "acc_cancelled_to_cell": (
        "Заказ {order} отменён: не размещайте {parcel} — положите его в ячейку возвратов {cell} "
        "и отсканируйте её · {progress}",
        "Order {order} is cancelled: do not place {parcel}; put it in returns cell {cell} "
        "and scan the cell · {progress}",
    ),
    "acc_set_aside_done": (
        "{parcel} в ячейке возвратов {cell}, ждёт возврата отправителю",
        "{parcel} is in returns cell {cell}, due back to the sender",
    ),
    "acc_set_aside_not_returns": (
        "Ячейка {cell} — не из зоны возвратов. Положите {parcel} в ячейку зоны возвратов и "
        "отсканируйте её, или сканируйте следующее отправление",
        "Cell {cell} is not in the returns zone. Put {parcel} in a returns-zone cell and scan it, "
        "or scan the next parcel",
    ),
    "acc_set_aside_full": (
        "Ячейка {cell} заполнена. Положите {parcel} в другую ячейку зоны возвратов и отсканируйте её",
        "Cell {cell} is full. Put {parcel} in another returns-zone cell and scan it",
    ),
    # a parcel that is not for this acceptance: where it is and what to do
    "acc_accepted_earlier": (
        "{parcel} уже принято с поставкой {supply} и ждёт размещения: отложите его к размещению",
        "{parcel} was already accepted with supply {supply} and waits to be placed: put it with "
        "the parcels to place",
    ),
    "acc_parcel_stored": (
        "{parcel} уже на хранении в ячейке {cell} (заказ {order}), в эту поставку оно не входит: "
        "верните его в ячейку {cell}",
        "{parcel} is already stored in cell {cell} (order {order}) and is not part of this supply: "
        "put it back in cell {cell}",
    ),
    "acc_parcel_issued": (
        "{parcel} уже выдано клиенту (заказ {order}). Если его принесли обратно, оформите «Возврат от клиента»",
        "{parcel} was already issued (order {order}). If it was brought back, start a customer return",
    ),
    "acc_parcel_to_return": (
        "{parcel} ждёт возврата отправителю ({reason}): положите его в зону возвратов",
        "{parcel} is due back to the sender ({reason}): put it in the returns zone",
    ),
    "acc_parcel_to_return_cell": (
        "{parcel} ждёт возврата отправителю ({reason}): его место — ячейка {cell}, верните его туда",
        "{parcel} is due back to the sender ({reason}): its place is cell {cell}, put it back there",
    ),
    "acc_parcel_returning": (
        "{parcel} уже в мешке возврата {bag}: положите его обратно в мешок",
        "{parcel} is already in return bag {bag}: put it back in the bag",
    ),
    "acc_parcel_returned": (
        "{parcel} уже передано отправителю: отложите его и сообщите в поддержку",
        "{parcel} was already handed back to the sender: set it aside and tell support",
    ),
    "acc_parcel_not_found": (
        "{parcel} числится ненайденным при инвентаризации: положите его в ячейку и отсканируйте там "
        "при инвентаризации",
        "{parcel} is recorded as not found in an inventory count: put it in a cell and scan it there "
        "in an inventory count",
    ),
    # codes that are not parcels
    "acc_cell_not_now": (
        "Ячейки сканируют при размещении. Сейчас сканируйте коробки и отправления поставки {supply}",
        "Cells are scanned when placing. Scan the boxes and parcels of supply {supply} now",
    ),
    "acc_same_supply": (
        "Приёмка {supply} уже идёт: сканируйте коробки и отправления · {progress}",
        "Supply {supply} is being accepted: scan the boxes and parcels · {progress}",
    ),
    "acc_other_supply": (
        "Идёт приёмка {supply}. Чтобы принимать {other}, нажмите «Отмена» (приёмка {supply} "
        "приостановится) и отсканируйте {other}",
        "Supply {supply} is being accepted. To accept {other}, scan CANCEL (this acceptance pauses) "
        "and then {other}",
    ),
    "acc_order_not_parcel": (
        "{code} — номер заказа, а не отправление: отсканируйте штрихкод на самом отправлении",
        "{code} is an order number, not a parcel: scan the barcode on the parcel itself",
    ),
    "acc_not_a_label": (
        "{code} не похоже на этикетку отправления: отсканируйте штрихкод с этикетки перевозчика",
        "{code} does not look like a parcel label: scan the barcode on the carrier's label",
    ),
    # commands
    "acc_damaged_next": (
        "Отсканируйте повреждённое отправление (или «Отмена»)",
        "Scan the damaged parcel (or CANCEL)",
    ),
    "acc_damaged_needs_parcel": (
        "Отметка «Повреждено» ставится отправлению: отсканируйте отправление, а не упаковку, или «Отмена»",
        "The damaged mark is for a parcel: scan the parcel, not the package, or CANCEL",
    ),
    "acc_command_choose": (
        "«{command}» здесь не нужна: сначала отсканируйте поставку, коробку или отправление; «Отмена» — выйти",
        "{command} is not used here: first scan a supply, a box or a parcel; CANCEL leaves",
    ),
    "acc_command_scanning": (
        "«{command}» не нужна при приёмке: сканируйте коробки и отправления; «Готово» — закрыть "
        "поставку, «Отмена» — приостановить",
        "{command} is not used in acceptance: scan the boxes and parcels; DONE closes the supply, "
        "CANCEL pauses it",
    ),
    "acc_command_damaged": (
        "Ждём повреждённое отправление: отсканируйте его, или «Отмена»",
        "Waiting for the damaged parcel: scan it, or CANCEL",
    ),
    "acc_paused": (
        "Приёмка {supply} приостановлена ({done} из {total}). Чтобы продолжить, отсканируйте её "
        "коробку или отправление",
        "Acceptance of {supply} paused ({done} of {total}). To go on, scan one of its boxes or parcels",
    ),
    "acc_left": ("Вы вышли из приёмки", "Left acceptance"),
    # closing
    "acc_confirm_close": (
        "Не поступило {missing} {missing|отправление|отправления|отправлений} из {total}. Найдите и "
        "отсканируйте их, или ещё раз «Готово» — закрыть поставку с недостачей",
        "{missing} {missing|parcel|parcels} of {total} not scanned. Find and scan them, or DONE again "
        "to close the supply with them missing",
    ),
    "acc_close_kept_open": (
        "Поставка не закрыта: продолжайте приёмку · {progress}",
        "The supply stays open: go on accepting · {progress}",
    ),
    "acc_closed": (
        "Поставка {supply} закрыта: принято {done} из {total}, не поступило {missing}. Акт напечатан",
        "Supply {supply} closed: {done} of {total} accepted, {missing} missing. Act printed",
    ),
    "acc_missing_item": ("Не поступило: {parcel}", "Missing: {parcel}"),
    "acc_missing_package": ("Не поступила упаковка {package}", "Package {package} missing"),
    "acc_missing_more": (
        "…и ещё {count} {count|отправление|отправления|отправлений}",
        "…and {count} more {count|parcel|parcels}",
    ),
}
