"""Texts of return to sender."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "rts_start": (
        "К возврату отправителю: {count} шт. Отсканируйте мешок",
        "Due back to the sender: {count}. Scan a bag",
    ),
    "rts_nothing": ("Нет отправлений к возврату", "Nothing is due back to the sender"),
    "rts_bag_first": ("Сначала отсканируйте мешок", "Scan the bag first"),
    "rts_not_a_bag": ("{code} не похож на штрихкод мешка", "{code} does not look like a bag barcode"),
    "rts_bag_closed": ("Мешок {bag} уже передан", "Bag {bag} was already handed over"),
    "rts_bag_open": ("Мешок {bag}: сканируйте отправления", "Bag {bag}: scan the parcels"),
    "rts_one_bag": ("Сначала передайте мешок {bag} («Готово»)", "Hand over bag {bag} first (DONE)"),
    "rts_picked": ("{parcel} в мешке {bag}, осталось {left}", "{parcel} into bag {bag}, {left} left"),
    "rts_not_due": (
        "{parcel} не подлежит возврату (статус {state})",
        "{parcel} is not due back (state {state})",
    ),
    "rts_in_other_bag": ("{parcel} уже в мешке {bag}", "{parcel} is already in bag {bag}"),
    "rts_empty_bag": (
        "Мешок пуст: сканируйте отправления или «Отмена»",
        "The bag is empty: scan parcels or CANCEL",
    ),
    "rts_handed_over": (
        "Мешок {bag} передан курьеру: {count} шт., акт напечатан",
        "Bag {bag} handed to the courier: {count}, act printed",
    ),
    "rts_cancelled": (
        "Отменено: {count} шт. вернулись в список к возврату",
        "Cancelled: {count} back on the pick list",
    ),
}
