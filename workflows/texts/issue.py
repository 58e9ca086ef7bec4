"""Texts of issue at the counter and of its receipt."""

from __future__ import annotations

_PARCELS_RU = "{count} {count|отправление|отправления|отправлений}"
_PARCELS_EN = "{count} {count|parcel|parcels}"
_CELLS_RU = "{cell_count|ячейка|ячейки|ячейки} {cells}"
_CELLS_EN = "{cell_count|cell|cells} {cells}"
_PAY_RU = "«Оплата наличными» или «Оплата картой»"
_PAY_EN = "PAID IN CASH or PAID BY CARD"
_FIND_RU = "введите код клиента или номер заказа, или отсканируйте QR-код"
_FIND_EN = "enter the customer's code or order number, or scan the QR code"

FINDING: dict[str, tuple[str, str]] = {
    "iss_find": (f"Выдача: {_FIND_RU}", f"Issue: {_FIND_EN}"),
    "iss_found": (
        f"Заказ {{order}}, {{customer}}: {_PARCELS_RU}, {_CELLS_RU}",
        f"Order {{order}}, {{customer}}: {_PARCELS_EN}, {_CELLS_EN}",
    ),
    "iss_found_part": (
        f"Заказ {{order}}, {{customer}}: готово {{count}} из {{total}}, {_CELLS_RU}",
        f"Order {{order}}, {{customer}}: {{count}} of {{total}} ready, {_CELLS_EN}",
    ),
    "iss_shown": (
        f"Заказ {{order}} найден по номеру, {{customer}}: готово {{count}} из {{total}}, {_CELLS_RU}",
        f"Order {{order}} found by its number, {{customer}}: {{count}} of {{total}} ready, {_CELLS_EN}",
    ),
    "iss_need_code": (
        "Без кода не выдавать: попросите код получения или QR-код из приложения и введите его",
        "Not released without a code: ask for the pickup code or the QR code in the app and enter it",
    ),
    "iss_need_code_or_id": (
        "Попросите код получения или QR-код из приложения. Кода нет — сверьте паспорт "
        "с получателем и отсканируйте «Документ проверен»",
        "Ask for the pickup code or the QR code in the app. No code: check the recipient's ID "
        "and scan ID CHECKED",
    ),
    "iss_id_no_release": (
        "Без кода заказ не выдаётся: попросите код получения или QR-код из приложения",
        "No release without a code: ask for the pickup code or the QR code in the app",
    ),
    "iss_amount_due": ("Оплата при получении: {amount}", "Due on delivery: {amount}"),
    "iss_age_check": (
        "18+: проверьте паспорт и отсканируйте «Документ проверен»",
        "18+: check the ID and scan ID CHECKED",
    ),
    "iss_damaged": (
        "{parcel}: повреждено при приёмке — покажите клиенту до выдачи",
        "{parcel}: damaged at acceptance, show it to the customer first",
    ),
    "iss_not_ready": ("{parcel}: {why}", "{parcel}: {why}"),
    "iss_nothing_to_issue": (
        "Заказ {order}: сейчас нечего выдать, причины ниже — скажите их клиенту",
        "Order {order}: nothing to hand over now; the reasons are below, tell the customer",
    ),
    "iss_order_cancelled": (
        "Заказ {order} отменён: не выдавайте, его отправления вернутся отправителю",
        "Order {order} was cancelled: do not hand it over, its parcels go back to the sender",
    ),
    "iss_claimed": (
        "Заказ {order} уже выдаётся на посту {station}: закончите выдачу там",
        "Order {order} is being issued at station {station}: finish it there",
    ),
    "iss_cell_in_find": (f"Это ячейка: {_FIND_RU}", f"That is a cell: {_FIND_EN}"),
    "iss_parcel_in_find": (
        "{parcel} — отправление. Чтобы выдать его, введите код клиента или отсканируйте QR-код",
        "{parcel} is a parcel. To hand it over, enter the customer's code or scan the QR code",
    ),
    "iss_unknown_find": (f"Неизвестный код {{code}}: {_FIND_RU}", f"Unknown code {{code}}: {_FIND_EN}"),
    "iss_qr_unknown": (
        "QR-код не найден: попросите клиента обновить его в приложении или назвать код получения",
        "Unknown QR code: ask the customer to refresh it in the app or to tell the pickup code",
    ),
    "iss_choose": (
        "Код {code} подходит к {count} {count|заказу|заказам|заказам}: спросите имя клиента "
        "и введите номер его заказа (хватит последних цифр) или отсканируйте QR-код",
        "Code {code} fits {count} {count|order|orders}: ask the customer's name and type the "
        "order number (its last digits will do) or scan the QR code",
    ),
    "iss_choice": ("{customer}: заказ …{tail}", "{customer}: order …{tail}"),
    "iss_not_a_choice": (
        "{code} — не из списка: введите номер одного из заказов выше или «Отмена»",
        "{code} is not one of them: type the number of one of the orders above, or CANCEL",
    ),
    "iss_ended": ("Выдача закрыта", "Issue closed"),
    "iss_command_not_now": (
        "Команда «{command}» сейчас не нужна. {next}",
        "{command} is not needed now. {next}",
    ),
}

WRONG_CODES: dict[str, tuple[str, str]] = {
    "iss_wrong_code": (
        "Неверный код {code}: сверьте код в приложении клиента или отсканируйте QR-код",
        "Wrong code {code}: check the code in the customer's app or scan the QR code",
    ),
    "iss_tries_left": (
        "До паузы {count} {count|попытка|попытки|попыток}",
        "{count} {count|try|tries} left before a pause",
    ),
    "iss_codes_paused": (
        "Неверный код {code}. Слишком много неверных кодов. Подождите {wait}",
        "Wrong code {code}. Too many wrong codes. Wait {wait}",
    ),
    "iss_codes_locked": (
        "Слишком много неверных кодов. Подождите {wait}",
        "Too many wrong codes. Wait {wait}",
    ),
    "iss_qr_still_works": (
        "QR-код из приложения клиента принимается и сейчас",
        "The QR code in the customer's app works even now",
    ),
    "iss_seconds": ("{count} с", "{count} s"),
    "iss_minutes": ("{count} мин.", "{count} min"),
}

# Why a parcel of the order cannot be handed over now, as the clerk reads it.
WHY: dict[str, tuple[str, str]] = {
    "iss_why_expected": ("ещё не поступило на пункт", "has not arrived yet"),
    "iss_why_accepted": (
        "принято, но ещё не в ячейке — разместите его, потом выдавайте",
        "accepted but not in a cell yet: place it, then issue it",
    ),
    "iss_why_stored": (
        "положено в ячейку после начала выдачи — отмените и найдите заказ снова",
        "placed after this issue began: cancel and find the order again",
    ),
    "iss_why_issued": ("уже выдано", "already handed over"),
    "iss_why_missing": ("не пришло с поставкой", "did not arrive with its supply"),
    "iss_why_to_return": ("возвращается отправителю: {reason}", "going back to the sender: {reason}"),
    "iss_why_returning": ("уже собрано для возврата отправителю", "packed for return to the sender"),
    "iss_why_returned": ("возвращено отправителю", "returned to the sender"),
    "iss_why_outbound": (
        "уходит с пункта к курьеру, клиентам не выдаётся",
        "leaves the point with the courier: not handed to customers",
    ),
    "iss_why_dispatched": ("уже передано курьеру", "already handed to the courier"),
}

COLLECTING: dict[str, tuple[str, str]] = {
    "iss_prompt_take": (
        f"Возьмите из подсвеченных ячеек и отсканируйте ещё {_PARCELS_RU}",
        f"Take from the lit cells and scan {_PARCELS_EN} more",
    ),
    "iss_prompt_pay": (
        f"Примите оплату {{amount}} и отсканируйте {_PAY_RU}",
        f"Take {{amount}} and scan {_PAY_EN}",
    ),
    "iss_prompt_done": ("Отсканируйте «Готово»", "Scan DONE"),
    "iss_prompt_choose": (
        "Введите номер заказа клиента (хватит последних цифр) или отсканируйте QR-код",
        "Type the customer's order number (its last digits will do) or scan the QR code",
    ),
    "iss_taken": ("Выдаётся {parcel}, осталось взять {left}", "Taking {parcel}, {left} left to take"),
    "iss_taken_all": (
        "Выдаётся {parcel}, все собраны: отсканируйте «Готово»",
        "Taking {parcel}, all collected: scan DONE",
    ),
    "iss_taken_all_pay": (
        f"Выдаётся {{parcel}}, все собраны. Примите оплату {{amount}} и отсканируйте {_PAY_RU}",
        f"Taking {{parcel}}, all collected. Take {{amount}} and scan {_PAY_EN}",
    ),
    "iss_damaged_take": (
        "Повреждено при приёмке: покажите клиенту. Откажется — «Отказ от товара» и это отправление",
        "Damaged at acceptance: show it to the customer. If refused, scan REFUSE ITEM and this parcel",
    ),
    "iss_already_taken": (
        "{parcel} уже взято: сканируйте следующее",
        "{parcel} is already taken: scan the next one",
    ),
    "iss_other_order": (
        "СТОП: {parcel} из другого заказа ({order}), выдаётся {expected}. Верните его в ячейку",
        "STOP: {parcel} belongs to order {order}, issuing {expected}. Put it back in its cell",
    ),
    "iss_parcel_not_ready": (
        "{parcel} нельзя выдать: {why}. Отложите его и выдавайте остальные",
        "{parcel} cannot be handed over: {why}. Put it aside and go on with the rest",
    ),
    "iss_cell_not_now": (
        "Это ячейка: отсканируйте штрихкод отправления из неё",
        "That is a cell: scan the barcode of the parcel in it",
    ),
    "iss_unknown_parcel": (
        "Неизвестный код {code}: отсканируйте штрихкод отправления из подсвеченной ячейки",
        "Unknown code {code}: scan the barcode of a parcel from a lit cell",
    ),
    "iss_id_check_required": (
        "{parcel}: 18+. Проверьте паспорт и отсканируйте «Документ проверен»",
        "{parcel}: 18+. Check the ID and scan ID CHECKED",
    ),
    "iss_id_checked": ("Документ проверен: сканируйте отправления", "ID checked: scan the parcels"),
    "iss_id_not_needed": (
        "Проверка документа не нужна: в заказе нет товаров 18+. {next}",
        "No ID check needed: nothing 18+ in this order. {next}",
    ),
    "iss_refuse_next": ("Отсканируйте отправление, от которого отказались", "Scan the refused parcel"),
    "iss_refuse_off": (
        "Отказ отменён: сканируйте отправления дальше",
        "Refusal cancelled: go on scanning parcels",
    ),
    "iss_refused": (
        "Отказ от {parcel}: верните его в ячейку. К оплате: {amount}",
        "{parcel} refused: put it back in its cell. Amount due: {amount}",
    ),
    "iss_already_refused": (
        "{parcel}: отказ уже записан. Отсканируйте другое отправление или «Отмена»",
        "{parcel} is already refused. Scan another parcel or CANCEL",
    ),
    "iss_was_refused": (
        "{parcel}: клиент отказался — не выдавайте, верните в ячейку",
        "{parcel} was refused by the customer: do not hand it over, put it back in its cell",
    ),
    "iss_nothing_to_pay": (
        "Оплата не нужна: заказ оплачен заранее. {next}",
        "Nothing to pay: the order is prepaid. {next}",
    ),
    "iss_in_cash": ("наличными", "in cash"),
    "iss_by_card": ("картой", "by card"),
    "iss_paid": (
        "Оплата {amount} {method} принята; осталось взять {left}",
        "Payment of {amount} {method} taken; {left} left to take",
    ),
    "iss_paid_done": (
        "Оплата {amount} {method} принята: отсканируйте «Готово»",
        "Payment of {amount} {method} taken: scan DONE",
    ),
    "iss_payment_required": (
        f"Сначала оплата: примите {{amount}} и отсканируйте {_PAY_RU}",
        f"Payment first: take {{amount}} and scan {_PAY_EN}",
    ),
    "iss_nothing_taken": (
        "Ничего не выдано: отсканируйте отправления или «Отмена»",
        "Nothing taken: scan parcels or CANCEL",
    ),
    "iss_done": (
        f"Заказ {{order}} выдан: {_PARCELS_RU}, чек печатается",
        f"Order {{order}} issued: {_PARCELS_EN}, receipt printing",
    ),
    "iss_done_paid": (
        f"Заказ {{order}} выдан: {_PARCELS_RU}, оплачено {{amount}} {{method}}; чек печатается",
        f"Order {{order}} issued: {_PARCELS_EN}, {{amount}} paid {{method}}; receipt printing",
    ),
    "iss_done_none": (
        "Заказ {order}: клиент отказался от всего, чек печатается",
        "Order {order}: the customer refused everything, receipt printing",
    ),
    "iss_done_refused": (
        f"Отказ: {_PARCELS_RU} — верните в ячейки, они уйдут отправителю",
        f"Refused: {_PARCELS_EN}; put them back in their cells, they go back to the sender",
    ),
    "iss_change_due": (
        "Верните клиенту {amount}: оплачено больше, чем стоят выданные отправления",
        "Give the customer back {amount}: more was paid than the parcels handed over cost",
    ),
    "iss_remaining": (f"Осталось на хранении: {_PARCELS_RU}", f"Still stored: {_PARCELS_EN}"),
    "iss_cancelled": ("Выдача заказа {order} отменена", "Issue of order {order} cancelled"),
    "iss_cancelled_put_back": (
        "Выдача заказа {order} отменена: верните взятые отправления в их ячейки",
        "Issue of order {order} cancelled: put the parcels taken back in their cells",
    ),
    "iss_order_cancelled_now": (
        "Заказ {order} только что отменён: не выдавать, вернуть в ячейку и нажать «Отмена»",
        "Order {order} has just been cancelled: do not hand it over; put it back and scan CANCEL",
    ),
}

# An issue in progress in words, as a restart that resumes it shows (and what comes next).
RESUME: dict[str, tuple[str, str]] = {
    "iss_resume_proof": (
        "Заказ {order} найден по номеру: нужен код получения или QR-код клиента, введите его",
        "Order {order} found by its number: the customer's pickup code or QR code is needed, enter it",
    ),
    "iss_resume_choose": (
        "Код подошёл к {count} {count|заказу|заказам|заказам}: введите номер заказа клиента "
        "(хватит последних цифр) или отсканируйте QR-код",
        "The code fits {count} {count|order|orders}: type the customer's order number "
        "(its last digits will do) or scan the QR code",
    ),
    "iss_resume_none": (
        f"Выдача заказа {{order}}, {{customer}}: ещё ничего не взято, к выдаче {_PARCELS_RU}. {{next}}",
        f"Issue of order {{order}}, {{customer}}: nothing taken yet, {_PARCELS_EN} to hand over. {{next}}",
    ),
    "iss_resume_taken": (
        "Выдача заказа {order}, {customer}: взято {taken} из {count} ({parcels}). {next}",
        "Issue of order {order}, {customer}: {taken} of {count} taken ({parcels}). {next}",
    ),
}

# The receipt the customer takes away (device/documents/counter.py).
RECEIPT: dict[str, tuple[str, str]] = {
    "rcp_damaged": ("повреждено при приёмке", "damaged at acceptance"),
    "rcp_not_handed": ("Не выдано ({count}):", "Not handed over ({count}):"),
    "rcp_kept_until": ("хранится на пункте до {date}", "kept at the point until {date}"),
    "rcp_kept": ("хранится на пункте", "kept at the point"),
    "rcp_on_the_way": ("ещё в пути", "still on its way"),
    "rcp_not_placed": ("поступило, ещё не разложено", "arrived, not yet shelved"),
    "rcp_not_arrived": ("не поступило на пункт", "did not arrive at the point"),
    "rcp_going_back": ("возвращается отправителю: {reason}", "going back to the sender: {reason}"),
    "rcp_paid": ("Оплачено {method}", "Paid {method}"),
    "rcp_clerk": ("Выдал: {name}", "Handed over by: {name}"),
    "rcp_address": ("Адрес: {address}", "Address: {address}"),
    "rcp_not_fiscal": (
        "Не является кассовым чеком. Кассовый чек выдаёт маркетплейс: в приложении или по e-mail",
        "Not a fiscal receipt: the marketplace issues that one, in the app or by e-mail",
    ),
}

TEXTS: dict[str, tuple[str, str]] = {**FINDING, **WRONG_CODES, **WHY, **COLLECTING, **RESUME, **RECEIPT}
