"""Texts of a seller's drop-off at the counter and its act: every refusal says what to do next."""

from __future__ import annotations

_SHIP_RU = "{total|отправление|отправления|отправлений}"
_SHIP_EN = "{total|shipment|shipments}"

TEXTS: dict[str, tuple[str, str]] = {
    "do_choose": (
        "Приём от продавца: отсканируйте номер приёма или первое отправление продавца",
        "Seller drop-off: scan the drop-off number or the seller's first shipment",
    ),
    "do_left": ("Приём от продавца не начат", "Seller drop-off not started"),
    "do_no_dropoff_for_code": (
        "{code}: такого приёма нет. Отсканируйте номер приёма из приложения продавца или его отправление",
        "{code}: no such drop-off. Scan the drop-off number from the seller's app or one of the shipments",
    ),
    "do_dropoff_closed": (
        "Приём {dropoff} уже закрыт ({done} из {total}). Опоздавшее отправление просто отсканируйте",
        "Drop-off {dropoff} is already closed ({done} of {total}). Just scan a late shipment",
    ),
    "do_opened": (
        f"Приём {{dropoff}} от продавца {{seller}}: ожидается {{total}} {_SHIP_RU}, принято {{done}}. "
        "Сканируйте отправления",
        f"Drop-off {{dropoff}} from {{seller}}: {{total}} {_SHIP_EN} expected, {{done}} received. "
        "Scan the shipments",
    ),
    "do_progress": ("приём {dropoff}: {done} из {total}", "drop-off {dropoff}: {done} of {total}"),
    "do_received": ("Принято {parcel} · {progress}", "Received {parcel} · {progress}"),
    "do_received_late": (
        "Принято с опозданием {parcel}: в акте оно «не поступило» · {progress}",
        "Received late {parcel}: the act has it missing · {progress}",
    ),
    "do_surplus": (
        "{parcel} нет в списке продавца: принято как излишек, оно будет в акте · {progress}",
        "{parcel} is not on the seller's list: received as surplus, the act will list it · {progress}",
    ),
    "do_other_dropoff": (
        "{parcel} — из приёма {other}, а сейчас принимается {dropoff}. Отложите его и примите после",
        "{parcel} belongs to drop-off {other}, not {dropoff}. Set it aside and receive it afterwards",
    ),
    "do_other_dropoff_id": (
        "Сейчас принимается {dropoff}. Закончите его (Готово), затем отсканируйте {other}",
        "Drop-off {dropoff} is open. Finish it (Done), then scan {other}",
    ),
    "do_not_a_shipment": (
        "{parcel} — не отправление продавца, оно уже есть в пункте. Отложите его и продолжайте приём {dropoff}",
        "{parcel} is not a seller's shipment: the point already has it. Set it aside and go on with {dropoff}",
    ),
    "do_same_dropoff": (
        "Этот приём уже открыт · {progress}. Сканируйте отправления",
        "This drop-off is already open · {progress}. Scan the shipments",
    ),
    "do_not_a_label": (
        "{code} не похоже на штрихкод отправления. Отсканируйте этикетку на коробке",
        "{code} does not look like a shipment barcode. Scan the label on the box",
    ),
    "do_command_choose": (
        "«{command}» сейчас не действует. Отсканируйте номер приёма или отправление продавца",
        "'{command}' does nothing now. Scan the drop-off number or a seller's shipment",
    ),
    "do_command_scanning": (
        "«{command}» сейчас не действует. Сканируйте отправления, в конце — «Готово»",
        "'{command}' does nothing now. Scan the shipments, then Done",
    ),
    "do_confirm_close": (
        "Не поступило {missing} из {total}. Отсканируйте их, если они есть, или ещё раз «Готово», "
        "чтобы закрыть приём и напечатать акт («Отмена» — продолжить)",
        "{missing} of {total} not scanned. Scan them if they are here, or Done again to close the "
        "drop-off and print the act (Cancel goes on scanning)",
    ),
    "do_close_kept_open": (
        "Приём продолжается · {progress}. Сканируйте отправления",
        "The drop-off stays open · {progress}. Scan the shipments",
    ),
    "do_paused": (
        "Приём {dropoff} приостановлен · {progress}. Отсканируйте его номер, чтобы продолжить",
        "Drop-off {dropoff} paused · {progress}. Scan its number to go on",
    ),
    "do_closed": (
        "Приём {dropoff} закрыт: принято {done} из {total}, не поступило {missing}. Печатаются два "
        "экземпляра акта: подпишите оба, один отдайте продавцу",
        "Drop-off {dropoff} closed: {done} of {total} received, {missing} missing. Two copies of the act "
        "are printing: both sign, one goes to the seller",
    ),
    "do_doing": (
        "Идёт приём от продавца · {progress}. Сканируйте отправления, в конце — «Готово»",
        "A seller drop-off is open · {progress}. Scan the shipments, then Done",
    ),
    # a seller's shipment scanned during a supply's acceptance
    "acc_parcel_dropoff": (
        "{parcel} — отправление продавца (приём {dropoff}), не из поставки. Отложите его: его "
        "принимают командой «Приём от продавца»",
        "{parcel} is a seller's shipment (drop-off {dropoff}), not part of a supply. Set it aside: "
        "it is received with Seller drop-off",
    ),
    # the act
    "doc_dropoff_act": ("Документ приёма отправлений от продавца", "Seller drop-off acceptance act"),
    "doc_dropoff": ("Приём {dropoff}", "Drop-off {dropoff}"),
    "doc_seller": ("Продавец: {seller}", "Seller: {seller}"),
    "doc_dropoff_counts": (
        "Ожидалось {expected}, принято {received}",
        "Expected {expected}, received {received}",
    ),
    "doc_received": ("Принято ({count}):", "Received ({count}):"),
    "doc_copy_of": (
        "Экземпляр {copy} из {copies}: {whose}",
        "Copy {copy} of {copies}: {whose}",
    ),
    "doc_copy_seller": ("продавцу", "the seller's"),
    "doc_copy_point": ("пункту выдачи", "the point's"),
    "doc_sign_seller": ("Продавец: ______________", "Seller: __________________"),
    "ev_dropoff_received": ("принято от продавца", "received from the seller"),
    "ev_dropoff_received_late": ("принято от продавца с опозданием", "received from the seller late"),
    "ev_dropoff_missing": ("не поступило от продавца", "missing at the seller drop-off"),
    "ev_dropoff_surplus": ("излишек от продавца принят", "seller's surplus recorded"),
}
