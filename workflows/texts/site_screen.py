"""Texts of a remote station's screen about its link to the site's main device (docs/site.md).

A remote station decides nothing itself: what its clerk or customer reads on top of the page is
whether the main device has answered, cannot be reached (and so nothing scanned is done), or is
back. On the main device's own page, a remote station whose device is offline says so.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # An input went to the main device and no answer has come yet ([site] reply_wait_s).
    "site_waiting": (
        "Ждём ответа главного устройства…",
        "Waiting for the main device…",
    ),
    "site_waiting_next": (
        "Не сканируйте ещё раз: ответ придёт сам. Если его нет дольше минуты, позовите администратора.",
        "Do not scan again: the answer comes by itself. If nothing comes within a minute, call the manager.",
    ),
    # The main device is offline, or the site's network cannot be reached.
    "site_down": (
        "Главное устройство недоступно: ничего из отсканированного не выполнено",
        "The main device cannot be reached: nothing you scan is done",
    ),
    "site_down_main": (
        "Главное устройство не отвечает. Проверьте, что оно включено; ничего не выдавайте и не "
        "принимайте, пока не появится «Связь восстановлена», затем отсканируйте заново.",
        "The main device does not answer. Check that it is switched on; hand nothing out and take "
        "nothing in until you see “Connection restored”, then scan again.",
    ),
    "site_down_network": (
        "Нет связи с сетью пункта. Проверьте кабель или Wi-Fi этой кассы; ничего не выдавайте и не "
        "принимайте, пока не появится «Связь восстановлена», затем отсканируйте заново.",
        "This counter has lost the point's network. Check its cable or Wi-Fi; hand nothing out and "
        "take nothing in until you see “Connection restored”, then scan again.",
    ),
    # The main device's screen server does not answer this station (its scans still go through).
    "site_screen_down": (
        "Экран главного устройства недоступен",
        "The main device's screen cannot be reached",
    ),
    "site_screen_down_next": (
        "Сканы по-прежнему выполняются: работайте по свету и звуку. Если это продолжается, позовите техника.",
        "Scans are still done: go by the light and the beeps. If it goes on, call the technician.",
    ),
    # The main device answers again.
    "site_back": (
        "Связь восстановлена: главное устройство снова на связи",
        "Connection restored: the main device is back",
    ),
    "site_back_next": (
        "Можно работать. Отсканируйте заново то, что не было выполнено.",
        "You can work again. Scan again whatever was not done.",
    ),
    # Kiosk customers get shorter words: they cannot check cables.
    "site_kiosk_down": (
        "Терминал временно не работает",
        "This kiosk is out of service for a moment",
    ),
    "site_kiosk_down_next": (
        "Ваш код не использован. Попробуйте через несколько минут или обратитесь к сотруднику пункта.",
        "Your code has not been used. Try again in a few minutes or ask the staff at the counter.",
    ),
    "site_kiosk_waiting": ("Проверяем…", "Checking…"),
    "site_kiosk_waiting_next": ("Подождите немного.", "Please wait a moment."),
    # On the main device's page of a remote station whose device is offline.
    "site_station_lost": (
        "Пост {station} потерял связь с главным устройством",
        "Station {station} has lost its link to the main device",
    ),
    "site_station_lost_next": (
        "Сканы на ней не выполняются. Проверьте, что она включена и подключена к сети пункта.",
        "Nothing scanned there is done. Check that it is switched on and on the point's network.",
    ),
}
