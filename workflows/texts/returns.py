"""Texts of customer returns."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "ret_find": (
        "Возврат: отсканируйте товар, заказ или заявку на возврат",
        "Return: scan the item, the order or the return request",
    ),
    "ret_never_issued_here": ("{code}: не выдавался в этом пункте", "{code} was never issued here"),
    "ret_not_issued": (
        "{parcel} не выдан (статус {state}): возврат невозможен",
        "{parcel} was not issued (state {state}): no return",
    ),
    "ret_window_passed": (
        "Срок возврата {parcel} истёк {until}",
        "Return window for {parcel} ended on {until}",
    ),
    "ret_already_returned": ("{parcel} уже возвращён ({ret})", "{parcel} was already returned ({ret})"),
    "ret_request_used": (
        "Заявка {request} уже использована",
        "Return request {request} was already used",
    ),
    "ret_found": ("Возврат {count} шт. по заказу {order}", "Return of {count} item(s) of order {order}"),
    "ret_check_condition": ("Товарный вид сохранён? «Да» / «Нет»", "Condition intact? YES / NO"),
    "ret_check_complete": ("Комплектность полная? «Да» / «Нет»", "Complete? YES / NO"),
    "ret_check_match": ("Соответствует заявке? «Да» / «Нет»", "Matches the request? YES / NO"),
    "ret_check_failed": ("Замечание записано: {check}", "Remark recorded: {check}"),
    "ret_label": (
        "Этикетка {barcode} напечатана: наклейте и положите в ячейку {cell}",
        "Label {barcode} printed: stick it on and put it in cell {cell}",
    ),
    "ret_label_no_cell": (
        "Этикетка {barcode} напечатана: нет места в зоне возвратов",
        "Label {barcode} printed: no room in the returns zone",
    ),
    "ret_needs_returns_cell": (
        "Положите возврат в ячейку зоны возвратов",
        "Put the return in a returns-zone cell",
    ),
    "ret_stored": (
        "Возврат {barcode} в ячейке {cell}, ждёт отправки",
        "Return {barcode} in cell {cell}, due back to the sender",
    ),
    "ret_refused": ("Возврат не принят, замечания записаны", "Return refused, remarks recorded"),
    "ret_ended": ("Возврат закрыт", "Return closed"),
    "check_condition": ("товарный вид", "condition"),
    "check_completeness": ("комплектность", "completeness"),
    "check_matches_request": ("соответствие заявке", "matches the request"),
}
