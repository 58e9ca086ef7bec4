"""Texts of the self-service kiosk: short, for large type, each saying what to do next.

The customer never sees an order number, a state or a code the kiosk keeps; a door is named by
the label printed on it.
"""

from __future__ import annotations

_PARCELS_RU = "{count} {count|отправление|отправления|отправлений}"
_PARCELS_EN = "{count} {count|parcel|parcels}"
_LEFT_RU = "{left} {left|отправление|отправления|отправлений}"
_LEFT_EN = "{left} {left|parcel|parcels}"
_ENTER_RU = "отсканируйте QR-код из приложения или введите код получения"
_ENTER_EN = "scan the QR code from the app or type your pickup code"
_COUNTER_RU = "обратитесь на стойку выдачи"
_COUNTER_EN = "please go to the counter"

FINDING: dict[str, tuple[str, str]] = {
    "ksk_prompt": (f"Здравствуйте! {_ENTER_RU.capitalize()}", f"Hello! {_ENTER_EN.capitalize()}"),
    "ksk_unknown_code": (
        f"Этот код здесь не подходит: {_ENTER_RU}",
        f"This code does not work here: {_ENTER_EN}",
    ),
    "ksk_number_not_enough": (
        "Одного номера заказа мало: введите код получения или отсканируйте QR-код из приложения",
        "An order number is not enough: type your pickup code or scan the QR code from the app",
    ),
    "ksk_qr_unknown": (
        "QR-код не найден: обновите его в приложении и отсканируйте снова или введите код получения",
        "QR code not found: refresh it in the app and scan it again, or type your pickup code",
    ),
    "ksk_wrong_code": (
        "Код не подошёл: проверьте его в приложении и введите снова",
        "Wrong code: check it in the app and type it again",
    ),
    "ksk_tries_left": (
        "Осталось {count} {count|попытка|попытки|попыток}, затем ввод кода закроется на время",
        "{count} {count|try|tries} left, then typing codes is locked for a while",
    ),
    "ksk_locked_now": (
        "Слишком много неверных кодов: ввод кода закрыт на {wait}",
        "Too many wrong codes: typing codes is locked for {wait}",
    ),
    "ksk_locked": (
        "Ввод кода закрыт ещё на {wait}",
        "Typing codes is locked for {wait} more",
    ),
    "ksk_qr_still_works": (
        f"QR-код из приложения работает. Нет QR-кода — {_COUNTER_RU}",
        f"The QR code from the app still works. No QR code? {_COUNTER_EN.capitalize()}",
    ),
    "ksk_ambiguous": (
        f"Этот код подходит к нескольким заказам: отсканируйте QR-код из приложения или {_COUNTER_RU}",
        f"This code fits more than one order: scan the QR code from the app, or {_COUNTER_EN}",
    ),
    "ksk_order_cancelled": (
        "Этот заказ отменён, выдать его нельзя. Подробности — в приложении магазина",
        "This order was cancelled and cannot be collected. See the shop's app for details",
    ),
    "ksk_order_busy": (
        "Этот заказ сейчас выдают на стойке выдачи: подойдите туда",
        "This order is being handed over at the counter right now: please go there",
    ),
    "ksk_nothing_here": (
        "Заказ пока не готов к выдаче: дождитесь уведомления в приложении или обратитесь на стойку выдачи",
        "Your order is not ready yet: wait for the message in the app, or ask at the counter",
    ),
    "ksk_to_counter": (
        "Этот заказ выдают только на стойке выдачи: подойдите туда, код тот же",
        "This order can only be collected at the counter: please go there with the same code",
    ),
    "ksk_why_cod": ("Оплата при получении: {amount}", "To pay on collection: {amount}"),
    "ksk_why_age": ("Товар 18+: нужен паспорт", "An 18+ item: an ID is needed"),
    "ksk_why_damaged": (
        "Отправление повреждено: его осмотрят вместе с вами",
        "A parcel is damaged: staff will check it with you",
    ),
    "ksk_why_shared": (
        "Ячейку с вашим отправлением здесь открыть нельзя",
        "The cell holding your parcel cannot be opened here",
    ),
}

COLLECTING: dict[str, tuple[str, str]] = {
    "ksk_found": (f"{{customer}}: {_PARCELS_RU}", f"{{customer}}: {_PARCELS_EN}"),
    "ksk_door_opening": ("Открывается дверца {door}", "Door {door} is opening"),
    "ksk_take_shelf": (
        f"Возьмите {_PARCELS_RU} из ячейки {{cell}} (она подсвечена) и отсканируйте каждое",
        f"Take {_PARCELS_EN} from the lit cell {{cell}} and scan each one",
    ),
    "ksk_take_door": (
        "Заберите отправления из дверцы {door} и закройте её",
        "Take your parcels from door {door}, then close it",
    ),
    "ksk_door_unverified": (
        "Дверца {door} должна открыться. Не открылась — нажмите «Открыть снова»",
        "Door {door} should be open now. If it is not, press OPEN AGAIN",
    ),
    "ksk_door_unverified_again": (
        f"Дверца {{door}} должна открыться. Не открылась — {_COUNTER_RU}",
        f"Door {{door}} should be open now. If it is not, {_COUNTER_EN}",
    ),
    "ksk_reopening": ("Открываем дверцу {door} ещё раз", "Opening door {door} once more"),
    "ksk_reopen_not_now": (
        "Открыть снова нечего: заберите отправления из открытых дверец",
        "Nothing to open again: take your parcels from the open doors",
    ),
    "ksk_door_failed": (
        f"Дверца {{door}} не открылась. Ваш заказ на месте: {_COUNTER_RU}",
        f"Door {{door}} did not open. Your order is safe: {_COUNTER_EN}",
    ),
    "ksk_door_taken": ("Спасибо, дверца {door} закрыта", "Thank you, door {door} is closed"),
    "ksk_not_taken": (
        "Отправления остались за дверцей {door}: они ваши, введите код снова, чтобы забрать их",
        "Your parcels are still behind door {door}: they stay yours, type your code again to take them",
    ),
    "ksk_not_known": (
        f"Дверца {{door}} закрыта. Если вы не забрали отправления, введите код снова или {_COUNTER_RU}",
        f"Door {{door}} is closed. If you did not take your parcels, type your code again or {_COUNTER_EN}",
    ),
    "ksk_close_door": ("Пожалуйста, закройте дверцу {door}", "Please close door {door}"),
    "ksk_scanned": (
        f"Получено. Осталось взять {_LEFT_RU}",
        f"Got it. {_LEFT_EN} left to take",
    ),
    "ksk_scanned_last": ("Получено", "Got it"),
    "ksk_already_scanned": (
        "Это отправление уже отсканировано: возьмите следующее",
        "This parcel is already scanned: take the next one",
    ),
    "ksk_not_yours": (
        "Это отправление не из вашего заказа: верните его на место",
        "This parcel is not part of your order: please put it back",
    ),
    "ksk_put_back": (
        f"Этот заказ больше нельзя выдать здесь: верните отправление на место и {_COUNTER_RU}",
        f"This order can no longer be collected here: put the parcel back and {_COUNTER_EN}",
    ),
    "ksk_wait_door": (
        "Подождите, пока откроется дверца, затем сканируйте отправления",
        "Wait for the door to open, then scan your parcels",
    ),
    "ksk_scan_parcel": (
        "Отсканируйте штрихкод на отправлении",
        "Scan the barcode on the parcel",
    ),
    "ksk_busy": (
        "Подождите: выдача предыдущего заказа ещё не закончена",
        "Please wait: the previous collection is not finished yet",
    ),
    "ksk_close_first": (
        "Сначала закройте дверцу {door}",
        "Close door {door} first",
    ),
    "ksk_done": (
        f"Готово: вы получили {_PARCELS_RU}. Возьмите чек",
        f"Done: you collected {_PARCELS_EN}. Please take your receipt",
    ),
    "ksk_done_none": (
        f"Ничего не выдано. Заказ ждёт вас: введите код снова или {_COUNTER_RU}",
        f"Nothing was collected. Your order is waiting: type your code again or {_COUNTER_EN}",
    ),
    "ksk_left": (
        f"Ещё {_LEFT_RU} ждут вас здесь: введите код снова или {_COUNTER_RU}",
        f"{_LEFT_EN} more are waiting for you here: type your code again or {_COUNTER_EN}",
    ),
    "ksk_go_to_counter": (
        f"Часть заказа выдадут на стойке выдачи: {_COUNTER_RU}",
        f"Part of your order is handed over at the counter: {_COUNTER_EN}",
    ),
    "ksk_timed_out": ("Время ожидания вышло", "Time is up"),
}

STAFF: dict[str, tuple[str, str]] = {
    "ksk_staff_to_counter": (
        "Это терминал самообслуживания: сотрудники работают на стойке выдачи",
        "This is a self-service kiosk: staff work at the counter",
    ),
    "ksk_command_to_counter": (
        "«{command}» здесь не работает: это терминал самообслуживания, подойдите к стойке выдачи",
        "{command} does not work here: this is a self-service kiosk, please go to the counter",
    ),
    "ksk_door_unasked": (
        "Дверца {door} открыта без команды: проверьте её",
        "Door {door} opened without a command: check it",
    ),
    "ksk_door_noted": ("Дверца {door}: отмечено в журнале", "Door {door}: noted in the journal"),
    "wf_kiosk": ("выдачу на терминале", "the kiosk collection"),
    "scr_wf_kiosk": ("Самообслуживание", "Self-service"),
}

TEXTS: dict[str, tuple[str, str]] = {**FINDING, **COLLECTING, **STAFF}
