"""Texts of return to sender."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "rts_start": (
        "К возврату отправителю: {count} {count|отправление|отправления|отправлений}. Отсканируйте мешок",
        "Due back to the sender: {count} {count|parcel|parcels}. Scan a bag",
    ),
    "rts_nothing": (
        "Нет отправлений к возврату отправителю: делать ничего не нужно",
        "Nothing is due back to the sender: nothing to do",
    ),
    "rts_bag_first": (
        "{code} — не мешок: сначала отсканируйте штрихкод мешка",
        "{code} is not a bag: scan the bag's barcode first",
    ),
    "rts_not_a_bag": (
        "{code} не похож на штрихкод мешка: отсканируйте штрихкод на мешке",
        "{code} does not look like a bag barcode: scan the barcode on the bag",
    ),
    "rts_bag_closed": (
        "Мешок {bag} уже передан курьеру: возьмите новый мешок и отсканируйте его",
        "Bag {bag} was already handed over: take a new bag and scan it",
    ),
    "rts_bag_open": ("Мешок {bag}: сканируйте отправления", "Bag {bag}: scan the parcels"),
    "rts_one_bag": (
        "Сначала передайте мешок {bag} («Готово»), затем откройте следующий",
        "Hand over bag {bag} first (DONE), then open the next one",
    ),
    "rts_picked": (
        "{parcel} в мешке {bag}, осталось {left} {left|отправление|отправления|отправлений}",
        "{parcel} into bag {bag}, {left} {left|parcel|parcels} left",
    ),
    "rts_not_due": (
        "{parcel} не подлежит возврату ({state}): не кладите в мешок, верните на место",
        "{parcel} is not due back ({state}): keep it out of the bag, put it back",
    ),
    "rts_in_other_bag": (
        "{parcel} уже в мешке {bag}: оставьте его там",
        "{parcel} is already in bag {bag}: leave it there",
    ),
    "rts_empty_bag": (
        "Мешок пуст: сканируйте отправления или «Отмена»",
        "The bag is empty: scan parcels or CANCEL",
    ),
    "rts_handed_over": (
        "Мешок {bag} передан курьеру: {count} {count|отправление|отправления|отправлений}, акт напечатан",
        "Bag {bag} handed to the courier: {count} {count|parcel|parcels}, act printed",
    ),
    "rts_cancelled": (
        "Отменено: {count} {count|отправление вернулось|отправления вернулись|отправлений вернулись} "
        "в список к возврату",
        "Cancelled: {count} {count|parcel is|parcels are} back on the pick list",
    ),
    "rts_left": ("Возврат отправителю закрыт, мешок не открывался", "Return to sender closed, no bag opened"),
    "rts_doing_bag": (
        "Возврат отправителю: к возврату {count} {count|отправление|отправления|отправлений}, "
        "отсканируйте мешок",
        "Return to sender: {count} {count|parcel|parcels} due back; scan a bag",
    ),
    "rts_doing_pick": (
        "Возврат отправителю, мешок {bag}: в мешке {picked}, ещё к возврату {left}; "
        "сканируйте отправления или «Готово» — передать мешок",
        "Return to sender, bag {bag}: {picked} in the bag, {left} still due; "
        "scan parcels, or DONE to hand the bag over",
    ),
}
