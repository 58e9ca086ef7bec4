"""Texts a remote station shows by itself about its link to the site's main device (device/site/)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "stn_waiting": ("Ждём главное устройство…", "Waiting for the main device…"),
    "stn_waiting_what": (
        "Скан отправлен, ответа пока нет: ничего не выдавайте и не сканируйте повторно — "
        "станция отправит его снова сама",
        "The scan was sent and is not answered yet: hand nothing over and do not scan it again; "
        "the station sends it again by itself",
    ),
    "stn_given_up": (
        "Не выполнено: главное устройство не ответило",
        "Not done: the main device did not answer",
    ),
    "stn_given_up_what": (
        "Этот скан не записан. Отсканируйте его снова, когда главное устройство ответит",
        "This scan was not recorded. Scan it again once the main device answers",
    ),
    "stn_main_down": ("Нет связи с главным устройством", "The main device cannot be reached"),
    "stn_refused": (
        "Не выполнено: нет связи с главным устройством",
        "Not done: the main device cannot be reached",
    ),
    "stn_main_down_what": (
        "Ничего не записано. Дождитесь, пока экран скажет, что связь вернулась, и отсканируйте снова; "
        "если связи нет дольше нескольких минут, позовите техника (проверьте главное устройство и Wi-Fi)",
        "Nothing was recorded. Wait until this screen says the main device is back, then scan again; "
        "if it takes more than a few minutes, call the technician (check the main device and the Wi-Fi)",
    ),
    "stn_main_back": ("Связь с главным устройством восстановлена", "The main device answers again"),
    "stn_main_back_what": ("Можно работать: сканируйте", "You can work again: scan"),
    "stn_waiting_count": (
        "Не выполнено {count} {count|скан|скана|сканов}: отсканируйте их снова",
        "{count} {count|scan was|scans were} not done: scan them again",
    ),
    "stn_bad_answer": (
        "Ответ главного устройства не удалось показать",
        "The main device's answer cannot be shown",
    ),
    "stn_bad_answer_what": (
        "Посмотрите результат на экране главного устройства; если повторяется, позовите техника "
        "(обновите эту станцию)",
        "See the result on the main device's screen; if it happens again, call the technician "
        "(update this station)",
    ),
}
