"""Texts of the site main device's refusals, shown at the remote station that sent the input.

Each says what the clerk does next; none names a device id or a reason code.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "site_refused_unknown_station": (
        "Главное устройство пункта не знает этот пост: скан не принят. Позовите техника",
        "The point's main device does not know this station: the scan was not taken. Call a technician",
    ),
    "site_refused_not_your_station": (
        "Пост настроен не так, как на главном устройстве: скан не принят. Позовите техника",
        "This station is set up differently on the main device: the scan was not taken. Call a technician",
    ),
    "site_refused_too_old": (
        "Скан пришёл на главное устройство слишком поздно и не принят. Отсканируйте ещё раз",
        "The scan reached the main device too late and was not taken. Scan again",
    ),
    "site_refused_bad_input": (
        "Главное устройство не смогло прочитать скан. Отсканируйте ещё раз; если повторится, позовите техника",
        "The main device could not read the scan. Scan again; if it happens again, call a technician",
    ),
    "site_refused_not_ready": (
        "Главное устройство запускается или останавливается: скан не принят. Подождите и отсканируйте ещё раз",
        "The main device is starting or stopping: the scan was not taken. Wait a moment and scan again",
    ),
}
