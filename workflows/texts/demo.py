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
        "Вечером курьер забирает всё, что уходит: возвраты отправителям, отгрузки продавцов и отправки",
        "In the evening the courier takes everything that leaves: returns to senders, sellers' shipments, sends",
    ),
    "demo_inventory": (
        "Инвентаризация ({strayed} лежит не на своём месте, {lost} потерян)",
        "Inventory count ({strayed} is on the wrong shelf, {lost} is lost)",
    ),
    "demo_summary": ("Итоги дня", "Summary of the day"),
    "demo_ticket_answer": (
        "Поддержка отвечает на обращение о неизвестном штрихкоде",
        "Support answers the ticket about the unknown barcode",
    ),
    "demo_dropoff": (
        "Продавец {seller} привозит отправления: по списку {count}",
        "Seller {seller} brings shipments: {count} on the list",
    ),
    "demo_send": (
        "Клиент отправляет посылку из приложения, вес {weight} кг",
        "A customer sends a parcel prepared in the app, weighing {weight} kg",
    ),
    "demo_site_title": (
        "Демо: день пункта {site}, {day}, с главным устройством и {stations} {stations|удалённой стойкой|удалёнными стойками|удалёнными стойками}",
        "Demo: a day at {site}, {day}, with the main device and {stations} remote {stations|station|stations}",
    ),
    "demo_site_morning": (
        "Утро: на двух стойках принимают поставки, клиенты подходят к киоску",
        "Morning: two counters accept supplies, customers come to the kiosk",
    ),
    "demo_site_uplink_cut": (
        "Связь с центральной системой пропала на час: пункт работает дальше",
        "The link to the central system is down for an hour: the site works on",
    ),
    "demo_site_main_restart": (
        "Главное устройство отказывает, едва записав скан: стойки говорят, что оно недоступно, и не принимают сканы",
        "The main device fails just after recording a scan: the stations say it cannot be reached and take no scans",
    ),
    "demo_site_main_back": (
        "Главное устройство снова работает: записанный скан получает свой ответ один раз, стойки продолжают с того же места",
        "The main device is back: the recorded scan gets its answer once, and the stations carry on where they were",
    ),
    "demo_site_uplink_back": (
        "Связь вернулась: всё накопленное уходит в центральную систему по одному разу",
        "The link is back: everything kept goes to the central system once",
    ),
    "demo_kiosk_title": (
        "Демо: день постамата с киоском самообслуживания, {site}, {day} ({doors} {doors|дверца|дверцы|дверц})",
        "Demo: a day at a parcel locker with a self-service kiosk, {site}, {day} ({doors} {doors|door|doors})",
    ),
    "demo_kiosk_stock": (
        "Утро: сотрудник принимает поставку и закладывает посылки в постамат",
        "Morning: the clerk accepts the supply and loads the locker",
    ),
    "demo_kiosk_customers": ("Клиенты забирают заказы сами", "Customers collect their orders themselves"),
    "demo_kiosk_jam": ("Дверцу {door} заклинило", "Door {door} is jammed"),
    "demo_kiosk_not_taken": (
        "Клиента отвлекли: он закрывает дверцу, не забрав посылку",
        "A customer is called away and shuts the door without taking the parcel",
    ),
    "demo_kiosk_attacker": (
        "Кто-то подбирает коды: после {count} неверных клавиатура блокируется на {minutes} мин, потом дольше",
        "Someone is guessing codes: after {count} wrong ones the keypad locks for {minutes} min, then longer",
    ),
    "demo_kiosk_to_counter": (
        "{customer} идёт к стойке: этот заказ выдаёт сотрудник",
        "{customer} goes to the counter: a clerk issues this order",
    ),
    "demo_kiosk_power_cut": (
        "Отключили электричество в тот миг, когда открывалась дверца {door}",
        "The power went the instant door {door} opened",
    ),
    "demo_kiosk_power_back": (
        "Питание вернулось: дверцы сверены с базой, команда открытия не повторяется",
        "The power is back: the doors are checked against the store, the open is not sent again",
    ),
}
