"""Texts of issue at the counter."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "iss_find": (
        "Выдача: номер заказа, код или QR клиента",
        "Issue: order number, pickup code or the customer's QR",
    ),
    "iss_order_not_found": ("Заказ не найден по коду {code}", "No order for code {code}"),
    "iss_nothing_to_issue": (
        "Заказ {order}: нечего выдавать ({states})",
        "Order {order}: nothing to issue ({states})",
    ),
    "iss_found": (
        "Заказ {order}, {customer}: {count} шт., ячейки {cells}",
        "Order {order}, {customer}: {count} parcels, cells {cells}",
    ),
    "iss_amount_due": ("К оплате: {amount}", "Amount due: {amount}"),
    "iss_age_check": (
        "18+: проверьте документ и отсканируйте «Документ проверен»",
        "18+: check ID and scan ID-CHECKED",
    ),
    "iss_other_order": (
        "СТОП: {parcel} из заказа {order}, а выдаётся {expected}",
        "STOP: {parcel} belongs to order {order}, issuing {expected}",
    ),
    "iss_parcel_not_ready": (
        "{parcel} не готово к выдаче ({state})",
        "{parcel} is not ready to issue ({state})",
    ),
    "iss_id_check_required": (
        "{parcel}: 18+, сначала проверьте документ",
        "{parcel}: 18+, check ID first",
    ),
    "iss_id_checked": ("Документ проверен", "ID checked"),
    "iss_id_not_needed": ("Проверка документа не требуется", "No ID check needed"),
    "iss_taken": ("Выдаётся {parcel}, осталось {left}", "Taking {parcel}, {left} left"),
    "iss_taken_all": ("Все отправления собраны: «Готово»", "All parcels collected: scan DONE"),
    "iss_was_refused": ("{parcel}: клиент отказался", "{parcel}: refused by the customer"),
    "iss_refuse_next": (
        "Отсканируйте отправление, от которого отказались",
        "Scan the refused parcel",
    ),
    "iss_refused": (
        "Отказ от {parcel}. К оплате: {amount}",
        "{parcel} refused. Amount due: {amount}",
    ),
    "iss_nothing_to_pay": ("Оплата не требуется", "Nothing to pay"),
    "iss_paid": ("Оплата {amount} получена", "Payment {amount} received"),
    "iss_payment_required": (
        "Примите оплату {amount} и отсканируйте «Оплачено»",
        "Take payment of {amount} and scan PAID",
    ),
    "iss_nothing_taken": (
        "Ничего не выдано: отсканируйте отправления или «Отмена»",
        "Nothing taken: scan parcels or CANCEL",
    ),
    "iss_done": (
        "Заказ {order} выдан: {count} шт., отказ {refused}, оплата {amount}",
        "Order {order} issued: {count}, refused {refused}, paid {amount}",
    ),
    "iss_remaining": ("Осталось на хранении: {count}", "Still stored: {count}"),
    "iss_cancelled": ("Выдача заказа {order} отменена", "Issue of order {order} cancelled"),
    "iss_ended": ("Выдача закрыта", "Issue closed"),
    "iss_order_cancelled": (
        "Заказ {order} отменён: выдача запрещена",
        "Order {order} was cancelled: it cannot be issued",
    ),
    "iss_order_cancelled_now": (
        "Заказ {order} только что отменён: не выдавать, вернуть в ячейку и нажать «Отмена»",
        "Order {order} has just been cancelled: do not hand it over; put it back and scan CANCEL",
    ),
}
