"""Texts every station shows: bad input, sessions, clerks and shifts, an idle station."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # bad input
    "code_empty": ("Пустой код", "Empty code"),
    "code_too_long": ("Слишком длинный код", "Code too long"),
    "code_control_char": ("Недопустимый символ в коде", "Control character in code"),
    "code_not_utf8": ("Нечитаемый код (не UTF-8)", "Unreadable code (not UTF-8)"),
    "unknown_command": ("Неизвестная команда {code}", "Unknown command {code}"),
    "unknown_code": ("Неизвестный код {code}", "Unknown code {code}"),
    "command_not_now": (
        "Команда {command} сейчас недоступна ({state})",
        "Command {command} not available now ({state})",
    ),
    "cell_label_not_now": ("Сейчас не нужно сканировать ячейку", "No cell scan expected now"),
    "session_open": ("Сначала завершите: {workflow}", "Finish the open {workflow} first"),
    "claimed_elsewhere": (
        "{code} уже в работе на посту {station}",
        "{code} is being handled at station {station}",
    ),
    "duplicate_scan": (
        "Повторный скан {code}: уже учтено",
        "Duplicate scan {code}: already counted",
    ),
    "session_resumed": ("Пост {station}: продолжается {workflow}", "Station {station}: {workflow} resumed"),
    "cancelled": ("Отменено", "Cancelled"),
    "nothing_open": ("Нет открытой операции", "Nothing is open"),
    "internal_error": ("Внутренняя ошибка, скан не учтён", "Internal error, scan not counted"),
    # clerks and shifts
    "sign_in_first": ("Войдите: отсканируйте свой бейдж", "Sign in: scan your badge"),
    "signed_in": ("Сотрудник {name} на посту", "{name} signed in"),
    "already_signed_in": ("{name} уже на посту", "{name} is already signed in"),
    "badge_inactive": ("Бейдж {name} отключён", "Badge of {name} is disabled"),
    "shift_opened": ("Смена открыта", "Shift opened"),
    "shift_closed": ("Смена закрыта, отчёт напечатан", "Shift closed, report printed"),
    # idle
    "parcel_where": (
        "{parcel}: ячейка {cell}, заказ {order}",
        "{parcel}: cell {cell}, order {order}",
    ),
    "parcel_state": ("{parcel}: статус {state}", "{parcel}: state {state}"),
    "cell_info": (
        "Ячейка {cell}: {occupied} из {capacity}",
        "Cell {cell}: {occupied} of {capacity}",
    ),
}
