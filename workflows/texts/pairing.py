"""Texts of pairing a tablet with a station's screen: the printed slip and the refusals a browser sees.

`{station}` is a station's name from the config, `{label}` the technician's name for the tablet.
The refusals are shown in both languages at once: an unpaired browser belongs to no station, so
there is no station language to pick.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # the pairing slip (device/documents/screen_pair.py)
    "doc_screen_pair": ("Подключение планшета к посту", "Pairing a tablet with a station"),
    "pair_station": ("Пост: {station}", "Station: {station}"),
    "pair_label": ("Планшет: {label}", "Tablet: {label}"),
    "pair_scan": (
        "Откройте камеру на планшете и наведите её на этот код, затем откройте ссылку: появится экран поста",
        "Open the camera on the tablet, point it at this code and open the link: "
        "the station's screen appears",
    ),
    "pair_or_type": (
        "Или наберите адрес в браузере планшета:",
        "Or type this address in the tablet's browser:",
    ),
    "pair_count": (
        "К посту подключено {count} {count|экран|экрана|экранов}",
        "{count} {count|screen is|screens are} paired with this station",
    ),
    "pair_keep": (
        "Код открывает экран поста любому, у кого он есть: после подключения уничтожьте этот лист. "
        "Потерянный планшет отключает техник: pvz screen revoke {token}",
        "This code opens the station's screen to anyone who has it: destroy this slip once the "
        "tablet is paired. A lost tablet is cut off by the technician: pvz screen revoke {token}",
    ),
    # what the print queue keeps of a slip once it printed (device/store/print_queue.py)
    "doc_secret_printed": (
        "Напечатано. Код подключения не хранится: при утере напечатайте новый",
        "Printed. The pairing code is not kept: print a new one if it is lost",
    ),
    # what a browser sees when it may not see a station (device/screen/auth.py)
    "pair_not_paired": ("Этот экран не подключён", "This screen is not paired"),
    "pair_how": (
        "Попросите сотрудника или техника напечатать код подключения (pvz screen pair) "
        "и отсканируйте его камерой этого планшета.",
        "Ask a clerk or the technician to print a pairing code (pvz screen pair) "
        "and scan it with this tablet's camera.",
    ),
    "pair_other_station": (
        "Этот экран подключён к другому посту",
        "This screen is paired with another station",
    ),
    "pair_other_how": (
        "Откройте экран своего поста или подключите планшет к этому посту заново.",
        "Open your own station's screen, or pair the tablet with this station again.",
    ),
}
