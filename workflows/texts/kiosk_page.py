"""Texts of the kiosk's page on the local screen: what a customer reads (and hears) at a kiosk."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # The page's fixed words (sent to it as `labels`; every kp_ text that takes no parameter).
    "kp_title": ("Выдача заказов", "Parcel pickup"),
    "kp_welcome": ("Здравствуйте!", "Hello!"),
    "kp_prompt_idle": (
        "Отсканируйте QR-код из приложения или введите код получения",
        "Scan the QR code from the app or type your pickup code",
    ),
    "kp_code": ("Код получения", "Pickup code"),
    "kp_key_erase": ("Стереть", "Erase"),
    "kp_key_ok": ("Готово", "OK"),
    "kp_key_star": ("Звёздочка", "Star"),
    "kp_keypad": ("Клавиатура для кода", "Keypad for the code"),
    "kp_keypad_hint": (
        "Цифры можно набрать и на клавиатуре под экраном. «Готово» отправляет код, Esc стирает его.",
        "You may also type the digits on the keypad below the screen. OK sends the code, Esc clears it.",
    ),
    "kp_lang_ru": ("Русский", "Русский"),
    "kp_lang_en": ("English", "English"),
    "kp_lang": ("Язык", "Language"),
    "kp_order": ("Ваш заказ", "Your order"),
    "kp_doors": ("Откуда забрать", "Where to take it from"),
    "kp_connecting": ("Подключение…", "Connecting…"),
    "kp_disconnected": (
        "Нет связи с устройством. Подождите минуту или обратитесь к сотруднику.",
        "The kiosk lost its connection. Please wait a minute or ask a member of staff.",
    ),
    "kp_tone_ok": ("Готово", "Done"),
    "kp_tone_info": ("Сообщение", "Message"),
    "kp_tone_warn": ("Внимание", "Attention"),
    "kp_tone_error": ("Не получилось", "Could not do it"),
    "kp_locked_left": ("Осталось", "Time left"),
    # With parameters.
    "kp_customer": ("Получатель: {customer}", "Recipient: {customer}"),
    "kp_parcels": (
        "{count} {count|отправление|отправления|отправлений}",
        "{count} {count|parcel|parcels}",
    ),
    "kp_door": ("Дверца {label}", "Door {label}"),
    "kp_shelf": ("Ячейка {label}", "Cell {label}"),
    "kp_locked": (
        "Слишком много неверных кодов. Ввод кода снова будет доступен через {minutes} "
        "{minutes|минуту|минуты|минут}. QR-код из приложения можно отсканировать и сейчас. "
        "Если код не подходит, обратитесь к сотруднику пункта.",
        "Too many wrong codes. You can type a code again in {minutes} "
        "{minutes|minute|minutes}. You can scan the QR code from the app now. "
        "If your code does not work, ask the pickup point's staff.",
    ),
    # Each door of the order, in words (never by colour alone).
    "kp_step_commanded": ("Открывается…", "Opening…"),
    "kp_step_open": (
        "Открыта: заберите отправления и закройте дверцу",
        "Open: take your parcels and close the door",
    ),
    "kp_step_unverified": (
        "Замок открыт. Если дверца не открылась, нажмите «Открыть снова»",
        "Unlocked. If the door did not open, press “Open again”",
    ),
    "kp_step_jammed": ("Не открылась", "Did not open"),
    "kp_step_left_open": ("Открыта: закройте, пожалуйста, дверцу", "Open: please close the door"),
    "kp_step_taken": ("Получено, спасибо", "Taken, thank you"),
    "kp_step_not_taken": ("Отправления остались внутри", "Your parcels are still inside"),
    "kp_step_lit": (
        "Возьмите отправления из подсвеченной ячейки и отсканируйте каждое",
        "Take the parcels from the lit cell and scan each one",
    ),
    # Spoken when a door opens: the customer hears which one.
    "kp_said_door_open": ("Дверца {label} открыта", "Door {label} is open"),
    "kp_said_cell_lit": ("Ячейка {label} подсвечена", "Cell {label} is lit"),
}
