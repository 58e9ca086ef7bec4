"""Texts of the outbound hand-over: returns to sender, drop-offs and sends leaving with a courier."""

from __future__ import annotations

_PARCELS = "{count} {count|отправление|отправления|отправлений}"

TEXTS: dict[str, tuple[str, str]] = {
    "out_start": (
        "Передача курьеру: возвратов {returns}, отгрузок и отправок {outbound}. Отсканируйте мешок",
        "Courier hand-over: {returns} {returns|return|returns}, {outbound} {outbound|shipment|shipments} "
        "to send. Scan a bag",
    ),
    "rts_nothing": (
        "Нечего передавать курьеру: ни возвратов, ни отгрузок, ни отправок",
        "Nothing to hand to a courier: no returns, drop-offs or sends",
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
    "rts_bag_open": (
        "Мешок {bag}: сканируйте отправления; следующий мешок — отсканируйте его",
        "Bag {bag}: scan the parcels; for the next bag, scan it",
    ),
    "rts_picked": (
        "{parcel} в мешке {bag}, осталось {left} {left|отправление|отправления|отправлений}",
        "{parcel} into bag {bag}, {left} {left|parcel|parcels} left",
    ),
    "rts_not_due": (
        "{parcel} не передаётся курьеру ({state}): не кладите в мешок, верните на место",
        "{parcel} does not go to the courier ({state}): keep it out of the bag, put it back",
    ),
    "rts_in_other_bag": (
        "{parcel} уже в мешке {bag}: оставьте его там",
        "{parcel} is already in bag {bag}: leave it there",
    ),
    "out_bag_for_returns": (
        "Мешок {bag} — для возвратов отправителю, а {parcel} отправляется: возьмите для него другой мешок",
        "Bag {bag} holds returns to sender and {parcel} is a shipment to send: put it in another bag",
    ),
    "out_bag_for_outbound": (
        "Мешок {bag} — для отгрузок и отправок, а {parcel} — возврат отправителю: возьмите для него "
        "другой мешок",
        "Bag {bag} holds shipments to send and {parcel} is a return to sender: put it in another bag",
    ),
    "out_take_out_which": (
        "Отсканируйте отправление, которое нужно вынуть из мешка",
        "Scan the parcel to take out of its bag",
    ),
    "out_taken_out": (
        "{parcel} вынуто из мешка {bag}: верните его на место, оно ждёт следующего курьера",
        "{parcel} is out of bag {bag}: put it back, it waits for the next courier",
    ),
    "out_not_bagged_here": (
        "{code} не лежит в мешках этой передачи: отсканируйте отправление из мешка",
        "{code} is not in a bag of this hand-over: scan a parcel from a bag",
    ),
    "rts_empty_bag": (
        "Мешок пуст: сканируйте отправления или «Отмена»",
        "The bag is empty: scan parcels or CANCEL",
    ),
    "out_scan_courier": (
        "Мешков: {bags}. Отсканируйте код или бейдж курьера; добавить в мешок — отсканируйте мешок",
        "{bags} {bags|bag|bags} ready. Scan the courier's code or badge; to add to a bag, scan it",
    ),
    "out_courier_unknown": (
        "Этого курьера сегодня не ждут: не отдавайте мешки, проверьте код или позвоните в поддержку",
        "No courier with this code is expected: keep the bags and check the code or call support",
    ),
    "out_list_differs": (
        "Список курьера {name} ({company}) не совпадает с мешками: «Готово» — передать как есть, "
        "или отсканируйте мешок, чтобы исправить",
        "Courier {name}'s list ({company}) differs from the bags: DONE to hand over as they are, "
        "or scan a bag to fix it",
    ),
    "out_not_bagged": (
        "Курьер ждёт, но нет в мешках (" + _PARCELS + "): {codes}",
        "Expected by the courier but not bagged ({count}): {codes}",
    ),
    "out_not_expected": (
        "В мешках, но курьер не ждёт (" + _PARCELS + "): {codes}",
        "Bagged but not on the courier's list ({count}): {codes}",
    ),
    "out_handed_over": (
        "Передано курьеру: " + _PARCELS + " в {bags} {bags|мешке|мешках|мешках}; акт напечатан в двух "
        "экземплярах — подпишите оба, один отдайте курьеру",
        "Handed to the courier: {count} {count|parcel|parcels} in {bags} {bags|bag|bags}; the act "
        "printed in two copies: you and the courier sign both, the courier keeps one",
    ),
    "rts_cancelled": (
        "Отменено: {count} {count|отправление вынуто из мешка и снова ждёт|отправления вынуты из мешков "
        "и снова ждут|отправлений вынуты из мешков и снова ждут} курьера",
        "Cancelled: {count} {count|parcel is|parcels are} out of the bags, waiting for the courier again",
    ),
    "rts_left": ("Передача курьеру закрыта, мешок не открывался", "Courier hand-over closed, no bag opened"),
    "rts_doing_bag": (
        "Передача курьеру: ждут " + _PARCELS + ", отсканируйте мешок",
        "Courier hand-over: {count} {count|parcel|parcels} waiting; scan a bag",
    ),
    "rts_doing_pick": (
        "Передача курьеру, мешок {bag}: в мешках {picked}, ещё ждут {left}; "
        "сканируйте отправления, следующий мешок или «Готово»",
        "Courier hand-over, bag {bag}: {picked} bagged, {left} still waiting; "
        "scan parcels, the next bag, or DONE",
    ),
    "out_doing_courier": (
        "Передача курьеру: в мешках {picked}; отсканируйте код или бейдж курьера",
        "Courier hand-over: {picked} bagged; scan the courier's code or badge",
    ),
    "out_doing_confirm": (
        "Передача курьеру: список курьера не совпал; «Готово» — передать {picked}, или отсканируйте мешок",
        "Courier hand-over: the courier's list differs; DONE to hand over {picked}, or scan a bag",
    ),
}
