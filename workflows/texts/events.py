"""Texts of a parcel's history: what each journal event means, and its details in words."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # what happened, by the event's kind (`ev_<kind>`)
    "ev_accepted": ("принято", "accepted"),
    "ev_accepted_late": ("принято с опозданием", "accepted late"),
    "ev_surplus": ("излишек принят", "surplus recorded"),
    "ev_damaged": ("отмечено повреждение", "marked damaged"),
    "ev_missing": ("не поступило", "missing at acceptance"),
    "ev_placed": ("размещено", "placed"),
    "ev_moved": ("перемещено", "moved"),
    "ev_issued": ("выдано", "issued"),
    "ev_refused": ("отказ клиента", "refused by the customer"),
    "ev_deadline_passed": ("истёк срок хранения", "storage period ended"),
    "ev_deadline_extended": ("срок хранения продлён", "storage period extended"),
    "ev_cancelled": ("заказ отменён", "order cancelled"),
    "ev_customer_return": ("возврат от клиента принят", "customer return taken in"),
    "ev_send_accepted": ("принято к отправке", "taken in to send"),
    "ev_send_refused": (
        "к отправке не принято: вложение не прошло проверку",
        "not taken to send: the contents failed the check",
    ),
    "ev_return_stored": ("возврат положен в ячейку", "return shelved"),
    "ev_return_set_aside": ("возврат отложен без ячейки", "return set aside"),
    "ev_returning": ("в мешке к возврату", "put in a return bag"),
    "ev_unpicked": ("вынуто из мешка", "taken out of the bag"),
    "ev_returned": ("передано отправителю", "handed back to the sender"),
    "ev_inventory_missing": ("не найдено при инвентаризации", "not found by an inventory count"),
    "ev_inventory_corrected": ("найдено при инвентаризации", "found by an inventory count"),
    "ev_print_copy": ("напечатана копия документа", "a document reprinted as a copy"),
    "ev_screen_paired": ("экран подключён к посту", "a screen paired with a station"),
    "ev_screen_revoked": ("доступ экрана к посту отозван", "a screen's access to a station revoked"),
    "ev_other": ("другое событие", "other event"),
    # details of an event, one field each
    "det_order": ("заказ {value}", "order {value}"),
    "det_supply": ("поставка {value}", "supply {value}"),
    "det_package": ("упаковка {value}", "package {value}"),
    "det_bag": ("мешок {value}", "bag {value}"),
    "det_cell": ("ячейка {value}", "cell {value}"),
    "det_from_cell": ("из ячейки {value}", "from cell {value}"),
    "det_was": ("числилось в {value}", "was listed in {value}"),
    "det_deadline": ("срок хранения {value}", "storage until {value}"),
    "det_request": ("заявка {value}", "request {value}"),
    "det_returned_from": ("из отправлений {value}", "of parcels {value}"),
    "det_suggested": ("предлагалась ячейка {value}", "cell {value} was suggested"),
}
