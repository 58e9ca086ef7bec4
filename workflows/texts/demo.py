"""Texts of the demo's timeline."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "demo_title": ("Демо: день пункта выдачи {site}, {day}", "Demo: a day at pickup point {site}, {day}"),
    "demo_manifests": (
        "Получены накладные: {supplies} {supplies|поставка|поставки|поставок}, {parcels} "
        "{parcels|отправление|отправления|отправлений}, {orders} {orders|заказ|заказа|заказов}",
        "Manifests received: {supplies} {supplies|supply|supplies}, {parcels} {parcels|parcel|parcels}, "
        "{orders} {orders|order|orders}",
    ),
    "demo_acceptance": ("Приёмка поставки {supply}", "Acceptance of supply {supply}"),
    "demo_placement": ("Размещение по ячейкам", "Placement into cells"),
    "demo_issue": ("Выдача клиентам", "Issue to customers"),
    "demo_customer": ("Клиент: {customer}, заказ {order}", "Customer: {customer}, order {order}"),
    "demo_last_week": (
        "Неделей раньше: приёмка поставки {supply}",
        "A week earlier: acceptance of supply {supply}",
    ),
    "demo_expired": (
        "Ночная проверка сроков: {count} {count|отправление|отправления|отправлений} к возврату отправителю",
        "Overnight deadline sweep: {count} {count|parcel|parcels} due back to the sender",
    ),
    "demo_shift_change": ("Пересменка", "Shift change"),
    "demo_customer_return": ("Возврат: {customer}, заказ {order}", "Return: {customer}, order {order}"),
    "demo_send_back": (
        "Возврат отправителю: курьер забирает мешок",
        "Return to sender: the courier takes a bag",
    ),
    "demo_inventory": (
        "Инвентаризация ({strayed} лежит не на своём месте, {lost} потерян)",
        "Inventory count ({strayed} is on the wrong shelf, {lost} is lost)",
    ),
    "demo_summary": ("Итоги дня", "Summary of the day"),
}
