"""Texts of the local screen's page: its headings, the idle prompt, parts, prints and the rack's legend."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # Headings and fixed words of the page (sent to it as `labels`).
    "scr_title": ("ПВЗ: {station}", "Pickup point: {station}"),
    "scr_title_prompt": ("Что дальше", "What next"),
    "scr_title_result": ("Последний скан", "Last scan"),
    "scr_title_order": ("Заказ", "Order"),
    "scr_title_customer": ("Получатель", "Recipient"),
    "scr_title_parcels": ("Товары", "Parcels"),
    "scr_title_due": ("К оплате", "To pay"),
    "scr_title_paid": ("Оплата", "Payment"),
    "scr_title_acceptance": ("Приёмка поставки", "Supply acceptance"),
    "scr_title_boxes": ("Упаковки", "Packages"),
    "scr_title_prints": ("Печать", "Printing"),
    "scr_title_rack": ("Ячейки", "Cells"),
    "scr_title_hardware": ("Оборудование", "Devices"),
    "scr_title_tickets": ("Обращения в поддержку", "Support tickets"),
    "scr_title_answers": ("Ответы поддержки", "Support's answers"),
    "scr_tickets_none": ("Открытых обращений нет", "No open tickets"),
    "scr_title_clerk": ("Сотрудник", "Clerk"),
    "scr_no_clerk": ("Никто не вошёл", "Nobody signed in"),
    "scr_keypad_title": ("Ввести код", "Type a code"),
    "scr_keypad_send": ("Ввод", "Enter"),
    "scr_keypad_clear": ("Сброс", "Clear"),
    "scr_keypad_back": ("Стереть", "Delete"),
    "scr_adult": ("18+", "18+"),
    "scr_damaged": ("Повреждено", "Damaged"),
    "scr_cell": ("Ячейка", "Cell"),
    "scr_connecting": ("Подключение к устройству…", "Connecting to the device…"),
    "scr_disconnected": (
        "Нет связи с устройством: экран покажет всё, когда связь вернётся. Работайте по свету и звуку.",
        "Lost the device: the screen catches up when it is back. Go by the lights and the beeps.",
    ),
    "scr_idle": ("Свободно", "Idle"),
    "scr_tone_ok": ("Готово", "Done"),
    "scr_tone_info": ("Сведения", "Note"),
    "scr_tone_warn": ("Внимание", "Attention"),
    "scr_tone_error": ("Ошибка", "Error"),
    # What the station waits for when no session is open.
    "scr_prompt_sign_in": (
        "Отсканируйте свой бейдж, чтобы начать работу",
        "Scan your badge to start work",
    ),
    "scr_prompt_idle": (
        "Отсканируйте код или QR клиента, посылку, упаковку поставки или команду",
        "Scan a customer's code or QR, a parcel, a supply's package or a command",
    ),
    # Each parcel of the order being issued.
    "scr_parcel_waiting": ("Ждёт", "Waiting"),
    "scr_parcel_taken": ("Выдан", "Handed over"),
    "scr_parcel_refused": ("Отказ", "Refused"),
    "scr_paid_cash": ("Оплачено наличными: {amount}", "Paid in cash: {amount}"),
    "scr_paid_card": ("Оплачено картой: {amount}", "Paid by card: {amount}"),
    "scr_progress": ("{done} из {total}", "{done} of {total}"),
    # What each lit cell means, as the rack's legend names it.
    "scr_light_take": ("Взять отсюда", "Take from here"),
    "scr_light_suggested": ("Положить сюда", "Put it here"),
    "scr_light_current": ("Товар сейчас здесь", "The parcel is here now"),
    "scr_light_pick": ("Забрать на возврат", "Pick for return"),
    "scr_light_count": ("Ещё не пересчитана", "Not counted yet"),
    "scr_light_counting": ("Пересчёт сейчас", "Being counted"),
    # Parts of the station as the page lists them.
    "scr_part_scanner": ("Сканер {name}", "Scanner {name}"),
    "scr_part_printer": ("Принтер", "Printer"),
    "scr_part_ready": ("Готов", "Ready"),
    "scr_part_absent": (
        "Не подключён: проверьте кабель или включите его",
        "Not connected: check its cable or switch it on",
    ),
    "scr_part_printer_fault": (
        "Не печатает: проверьте бумагу, крышку и кабель. В очереди {queued} "
        "{queued|документ|документа|документов}: напечатаются, когда принтер ответит",
        "Not printing: check paper, cover and cable. {queued} {queued|document|documents} "
        "queued: they print when the printer answers",
    ),
    # Print jobs as they go to paper.
    "scr_print_queued": ("В очереди", "Queued"),
    "scr_print_printed": ("Напечатан", "Printed"),
    "scr_print_failed": ("Ждёт принтер", "Waiting for the printer"),
    "scr_doc_receipt": ("Чек выдачи", "Issue receipt"),
    "scr_doc_acceptance_act": ("Акт приёмки", "Acceptance act"),
    "scr_doc_command_card": ("Карта команд", "Command card"),
    "scr_doc_return_label": ("Ярлык возврата", "Return label"),
    "scr_doc_pick_list": ("Список на возврат", "Return pick list"),
    "scr_doc_handover_act": ("Акт передачи", "Hand-over act"),
    "scr_doc_inventory_report": ("Отчёт инвентаризации", "Inventory report"),
    "scr_doc_shift_report": ("Отчёт смены", "Shift report"),
    "scr_doc_cell_labels": ("Наклейки ячеек", "Cell labels"),
    "scr_doc_test_page": ("Пробная страница", "Test page"),
    "scr_doc_screen_pair": ("Сопряжение планшета", "Tablet pairing"),
    "scr_doc_ticket_label": ("Ярлык неизвестного отправления", "Unknown parcel label"),
    "scr_doc_other": ("Документ", "Document"),
    # The open session's title (nominative, unlike the wf_ names used inside sentences).
    "scr_wf_acceptance": ("Приёмка", "Acceptance"),
    "scr_wf_placement": ("Размещение", "Placement"),
    "scr_wf_issue": ("Выдача", "Issue"),
    "scr_wf_customer_return": ("Возврат от клиента", "Customer return"),
    "scr_wf_return_to_sender": ("Возврат отправителю", "Return to sender"),
    "scr_wf_inventory": ("Инвентаризация", "Inventory count"),
    # The page answered without a pairing.
    "scr_unknown_station": ("Нет такого места: {station}", "No such station: {station}"),
}
