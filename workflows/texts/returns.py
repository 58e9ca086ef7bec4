"""Texts of customer returns."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "ret_find": (
        "Возврат: отсканируйте товар, заказ или заявку на возврат",
        "Return: scan the item, the order or the return request",
    ),
    "ret_never_issued_here": (
        "{code} не выдавался в этом пункте: отсканируйте товар, номер заказа или заявку, выданные здесь",
        "{code} was never issued here: scan an item, an order number or a request issued here",
    ),
    "ret_not_issued": (
        "{parcel} ещё не выдан ({state}): вернуть можно только выданное, отсканируйте другой товар",
        "{parcel} was not issued ({state}): only issued items come back; scan another one",
    ),
    "ret_window_passed": (
        "Срок возврата {parcel} истёк {until}: не принимайте, направьте клиента в поддержку",
        "Return window for {parcel} ended on {until}: do not take it, refer the customer to support",
    ),
    "ret_already_returned": (
        "{parcel} уже возвращён ({ret}): второй раз не принимайте",
        "{parcel} was already returned ({ret}): do not take it again",
    ),
    "ret_request_used": (
        "Заявка {request} уже использована: отсканируйте сам товар или номер заказа",
        "Return request {request} was already used: scan the item or the order number",
    ),
    "ret_found": (
        "Возврат: {count} {count|товар|товара|товаров} по заказу {order}",
        "Return: {count} {count|item|items} of order {order}",
    ),
    "ret_check_condition": (
        "Товарный вид сохранён? «Проверка: да» / «Проверка: нет»",
        "Condition intact? Check: yes / Check: no",
    ),
    "ret_check_complete": (
        "Комплектность полная? «Проверка: да» / «Проверка: нет»",
        "Complete? Check: yes / Check: no",
    ),
    "ret_check_match": (
        "Соответствует заявке? «Проверка: да» / «Проверка: нет»",
        "Matches the request? Check: yes / Check: no",
    ),
    "ret_answer_check": (
        "Сначала ответьте на проверку «{check}»: «Проверка: да» или «Проверка: нет»",
        "Answer the check first ({check}): Check: yes or Check: no",
    ),
    "ret_check_failed": ("Замечание записано: {check}", "Remark recorded: {check}"),
    "ret_doing_check": (
        "Возврат {count} {count|товара|товаров|товаров} по заказу {order}: проверка «{check}», "
        "ответьте «Проверка: да» или «Проверка: нет»",
        "Return of {count} {count|item|items} of order {order}: check {check}, answer Check: yes or Check: no",
    ),
    "ret_label": (
        "Этикетка {barcode} напечатана: наклейте и положите в ячейку {cell}",
        "Label {barcode} printed: stick it on and put it in cell {cell}",
    ),
    "ret_label_no_cell": (
        "Этикетка {barcode} напечатана. В зоне возвратов нет места: отложите возврат и отсканируйте «Готово»",
        "Label {barcode} printed. No room in the returns zone: set the return aside and scan DONE",
    ),
    "ret_needs_returns_cell": (
        "Возврат уже оформлен: положите его в ячейку зоны возвратов и отсканируйте её",
        "The return is booked: put it in a returns-zone cell and scan that cell",
    ),
    "ret_put_in": (
        "Положите возврат {barcode} в ячейку {cell} зоны возвратов и отсканируйте её",
        "Put return {barcode} in returns cell {cell} and scan that cell",
    ),
    "ret_no_room": (
        "Возврат {barcode}: в зоне возвратов нет места — отложите его и отсканируйте «Готово»",
        "Return {barcode}: no room in the returns zone; set it aside and scan DONE",
    ),
    "ret_too_big": (
        "Возврат ({size}) не помещается в {cell} ({cell_size}): выберите ячейку побольше в зоне возвратов",
        "The return ({size}) does not fit {cell} ({cell_size}): pick a bigger returns cell",
    ),
    "ret_cell_full": (
        "Ячейка {cell} заполнена: положите возврат в другую ячейку зоны возвратов",
        "Cell {cell} is full: put the return in another returns cell",
    ),
    "ret_stored": (
        "Возврат {barcode} в ячейке {cell}, ждёт отправки",
        "Return {barcode} in cell {cell}, due back to the sender",
    ),
    "ret_set_aside": (
        "Возврат {barcode} отложен без ячейки: он в списке к возврату отправителю",
        "Return {barcode} set aside without a cell: it is on the return-to-sender list",
    ),
    "ret_refused": ("Возврат не принят, замечания записаны", "Return refused, remarks recorded"),
    "ret_ended": ("Возврат закрыт", "Return closed"),
    "check_condition": ("товарный вид", "condition"),
    "check_completeness": ("комплектность", "completeness"),
    "check_matches_request": ("соответствие заявке", "matches the request"),
}
