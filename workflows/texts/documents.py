"""Texts of printed documents: receipts, acts, labels, lists, the test page."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "doc_receipt": ("Чек выдачи заказа", "Order issue receipt"),
    "doc_acceptance_act": ("Акт приёмки поставки", "Supply acceptance act"),
    "doc_command_card": ("Карта команд", "Command card"),
    "doc_copy": ("КОПИЯ", "COPY"),  # above the title of a document printed again after a restart
    "doc_point": ("Пункт выдачи {site}, устройство {device}", "Pickup point {site}, device {device}"),
    "doc_date": ("Дата: {ts}", "Date: {ts}"),
    "doc_order": ("Заказ {order}", "Order {order}"),
    "doc_customer": ("Получатель: {customer}", "Recipient: {customer}"),
    # The phone as the device keeps it: its last four digits only ("•••• 4567").
    "doc_phone": ("Телефон: {phone}", "Phone: {phone}"),
    # What a printed receipt keeps once its customer's data was purged (device/privacy/purge.py).
    "doc_purged": (
        "Напечатано. Данные получателя удалены по сроку хранения; копию можно запросить у маркетплейса",
        "Printed. The recipient's data was erased after the retention period; ask the marketplace for a copy",
    ),
    "doc_issued": ("Выдано ({count}):", "Issued ({count}):"),
    "doc_refused": ("Отказ ({count}):", "Refused ({count}):"),
    "doc_prepaid": ("Оплачено заранее", "Prepaid"),
    "doc_thanks": ("Спасибо за заказ!", "Thank you for your order!"),
    "doc_supply": ("Поставка {supply}, перевозчик {carrier}", "Supply {supply}, carrier {carrier}"),
    "doc_counts": ("Ожидалось {expected}, принято {accepted}", "Expected {expected}, accepted {accepted}"),
    "doc_missing": ("Не поступило ({count}):", "Missing ({count}):"),
    "doc_surplus": ("Излишки ({count}):", "Surplus ({count}):"),
    "doc_damaged": ("Повреждено ({count}):", "Damaged ({count}):"),
    "doc_packages": ("Упаковки: принято {accepted} из {total}", "Packages: {accepted} of {total} accepted"),
    "doc_sign_courier": ("Курьер: ________________", "Courier: ________________"),
    "doc_sign_clerk": ("Сотрудник ПВЗ: __________", "Clerk: ____________________"),
    "doc_station": ("Пост {station}", "Station {station}"),
    # returns and counts
    "doc_return_label": ("Возврат от клиента", "Customer return"),
    "doc_pick_list": ("Список к передаче курьеру", "Courier hand-over pick list"),
    "doc_waiting_courier": (
        "Отгрузки и отправки, ждут курьера ({count}):",
        "Drop-offs and sends waiting for the courier ({count}):",
    ),
    "doc_handover_act": ("Акт передачи курьеру", "Courier hand-over act"),
    "doc_copy_for_point": ("Экземпляр пункта выдачи", "The pickup point's copy"),
    "doc_copy_for_courier": ("Экземпляр курьера", "The courier's copy"),
    "doc_bag_count": (
        "Мешок {bag}: {count} {count|отправление|отправления|отправлений}",
        "Bag {bag}: {count} {count|parcel|parcels}",
    ),
    "doc_leaves_dropoff": ("отгрузка продавца", "seller's shipment"),
    "doc_leaves_send": ("отправка клиента", "customer's send"),
    "doc_courier": ("Курьер: {name}, {company}", "Courier: {name}, {company}"),
    "doc_courier_code": ("Код курьера: {code}", "Courier code: {code}"),
    "doc_clerk": ("Передал сотрудник ПВЗ: {name}", "Handed over by the clerk: {name}"),
    "doc_inventory_report": ("Отчёт об инвентаризации", "Inventory count report"),
    "doc_returned_from": ("Из отправлений:", "Returned items:"),
    "doc_return_reason": ("Причина: {reason}", "Reason: {reason}"),
    "doc_request": ("Заявка: {request}", "Request: {request}"),
    "doc_check": ("{check}: {result}", "{check}: {result}"),
    "doc_yes": ("да", "yes"),
    "doc_no": ("НЕТ", "NO"),
    "doc_total": ("Всего: {count}", "Total: {count}"),
    "doc_no_cell": ("без ячейки", "no cell"),
    "doc_inv_found": ("На месте ({count})", "Found ({count})"),
    "doc_inv_misplaced": ("Не на своём месте ({count})", "Misplaced ({count})"),
    "doc_inv_missing": ("Не найдено ({count})", "Missing ({count})"),
    "doc_inv_unknown": ("Неизвестные коды ({count})", "Unknown codes ({count})"),
    "doc_inv_cells": (
        "Ячеек пересчитано: {counted}, не пересчитано: {left}",
        "Cells counted: {counted}, not counted: {left}",
    ),
    # cell labels
    "doc_cell_labels": ("Этикетки ячеек", "Cell labels"),
    "doc_cell_zone": ("Зона: {zone}, размер {size}", "Zone: {zone}, size {size}"),
    "doc_cells_unknown": ("Нет таких ячеек: {cells}", "No such cells: {cells}"),
    # the printer test page
    "doc_test_page": ("Тестовая страница", "Test page"),
    "doc_test_printer": ("Принтер: {printer}", "Printer: {printer}"),
    "doc_test_profile": (
        "Профиль: {profile}, в строке {width} симв.",
        "Profile: {profile}, {width} columns",
    ),
    "doc_test_styles": ("Жирный, двойной, по центру, справа:", "Bold, double, centred, right:"),
    "doc_test_total": ("Итого", "Total"),
    "doc_test_charset": ("Набор символов:", "Character set:"),
    "doc_test_end": ("Конец тестовой страницы", "End of test page"),
}
