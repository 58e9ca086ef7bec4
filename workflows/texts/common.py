"""Texts every station shows: bad input, sessions, clerks and shifts, an idle station.

A refusal says what to do next. `{workflow}` is a workflow's name in the accusative
(workflows.messages.workflow_name); `{command}` is a command's name from the command card
(command_name); `{state}` in command_not_now is what the open session is doing, in words.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # bad input
    "code_empty": ("Пустой код: отсканируйте ещё раз", "Empty code: scan again"),
    "code_too_long": (
        "Слишком длинный код: отсканируйте другой штрихкод с этикетки",
        "Code too long: scan another barcode on the label",
    ),
    "code_control_char": (
        "Недопустимый символ в коде: отсканируйте ещё раз или введите код вручную",
        "Control character in the code: scan again or type the code",
    ),
    "code_not_utf8": (
        "Нечитаемый код: проверьте настройку сканера и отсканируйте ещё раз",
        "Unreadable code (not UTF-8): check the scanner's settings and scan again",
    ),
    "unknown_command": (
        "Неизвестная команда {code}: пользуйтесь картой команд этого пункта",
        "Unknown command {code}: use this point's command card",
    ),
    "unknown_code": (
        "Код {code} не найден: отсканируйте отправление, ячейку, поставку или код заказа",
        "Code {code} not found: scan a parcel, a cell, a supply or an order code",
    ),
    "command_not_now": (
        "Команда «{command}» сейчас не действует. {state}",
        "The {command} command does nothing now. {state}",
    ),
    "command_idle": (
        "Команда «{command}» действует только в начатой операции: начните её командой с карты",
        "The {command} command works only inside a started workflow: start one from the command card",
    ),
    "cell_label_not_now": (
        "Ячейку сейчас сканировать не нужно: следуйте подсказке на экране",
        "No cell scan expected now: follow the prompt on the screen",
    ),
    "session_open": (
        "Сначала завершите {workflow} («Готово») или отмените («Отмена»)",
        "Finish {workflow} first (DONE) or scan CANCEL",
    ),
    "session_doing": (
        "Продолжайте {workflow} или отсканируйте «Отмена»",
        "Go on with {workflow} or scan CANCEL",
    ),
    "claimed_elsewhere": (
        "{code} уже в работе на посту {station}: закончите там или возьмите другое",
        "{code} is being handled at station {station}: finish it there or take another",
    ),
    "duplicate_scan": (
        "Повторный скан {code}: уже учтено",
        "Duplicate scan {code}: already counted",
    ),
    "session_resumed": (
        "Пост {station}: работа продолжается после перезапуска",
        "Station {station}: work resumed after a restart",
    ),
    "cancelled": ("Отменено", "Cancelled"),
    "nothing_open": ("Нет открытой операции", "Nothing is open"),
    "internal_error": (
        "Внутренняя ошибка, скан не учтён: отсканируйте ещё раз, а если повторится — сообщите технику",
        "Internal error, scan not counted: scan again, and if it repeats, call the technician",
    ),
    # clerks and shifts
    "sign_in_first": ("Войдите: отсканируйте свой бейдж", "Sign in: scan your badge"),
    "signed_in": ("Сотрудник {name} на посту", "{name} signed in"),
    "already_signed_in": ("{name} уже на посту", "{name} is already signed in"),
    "badge_inactive": (
        "Бейдж {name} отключён: обратитесь к управляющему пунктом",
        "Badge of {name} is disabled: ask the point's manager",
    ),
    "shift_opened": ("Смена открыта", "Shift opened"),
    "shift_closed": ("Смена закрыта, отчёт напечатан", "Shift closed, report printed"),
    "signed_out": (
        "Вы вышли с поста; открытой смены не было, отчёт не печатается",
        "Signed out; no shift was open, so no report is printed",
    ),
    # idle
    "parcel_where": (
        "{parcel}: ячейка {cell}, заказ {order}",
        "{parcel}: cell {cell}, order {order}",
    ),
    "parcel_where_no_order": (
        "{parcel}: ячейка {cell}, без заказа",
        "{parcel}: cell {cell}, no order",
    ),
    "parcel_state": ("{parcel}: {state}", "{parcel}: {state}"),
    "cell_info": (
        "Ячейка {cell}: занято {occupied} из {capacity}",
        "Cell {cell}: {occupied} of {capacity} taken",
    ),
}
