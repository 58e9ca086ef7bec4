"""Texts of a software update on the device: what happened to a release, and why it was refused."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # pvz update apply|adopt
    "upd_result_installed": ("Установлена версия {version}", "Version {version} installed"),
    "upd_result_rolled_back": (
        "Версия {version} не прошла проверку ({why}); возвращена версия {running}",
        "Version {version} failed ({why}); back on version {running}",
    ),
    "upd_result_refused": (
        "Обновление до версии {version} отклонено: {why}. Работает версия {running}",
        "Update to version {version} refused: {why}. Running version {running}",
    ),
    "upd_result_failed": (
        "Версия {version} не прошла проверку, и прежнюю версию вернуть не удалось: вызовите техника",
        "Version {version} failed and the previous version could not be put back: call a technician",
    ),
    "upd_result_pending": ("Устанавливается версия {version}", "Installing version {version}"),
    "upd_adopted": (
        "Версия {version} сохранена для возврата к ней",
        "Version {version} kept to go back to",
    ),
    "upd_no_version": ("неизвестна", "unknown"),
    # Why (the reason codes of device/update/release.py).
    "upd_why_malformed": ("файл выпуска повреждён", "the release file is damaged"),
    "upd_why_bad_signature": ("подпись не подтверждена", "the signature does not check out"),
    "upd_why_expired": ("срок выпуска истёк", "the release has expired"),
    "upd_why_too_large": ("пакет слишком велик", "the package is too large"),
    "upd_why_bad_size": ("размер пакета не совпал", "the package's size does not match"),
    "upd_why_bad_hash": ("контрольная сумма пакета не совпала", "the package's checksum does not match"),
    "upd_why_download_failed": ("пакет не скачался", "the package could not be downloaded"),
    "upd_why_install_failed": ("пакет не установился", "the package did not install"),
    "upd_why_unhealthy": (
        "новая версия не сообщила о готовности вовремя",
        "the new version did not report ready in time",
    ),
    "upd_why_no_rollback": (
        "нет сохранённой текущей версии для возврата",
        "the running version is not kept to go back to",
    ),
    "upd_why_rollback_failed": ("прежняя версия не установилась", "the previous version did not install"),
    "upd_why_launch_failed": ("установка не запустилась", "the installer did not start"),
    "upd_why_backup_failed": (
        "не удалось сделать копию хранилища перед установкой",
        "the store could not be backed up before the install",
    ),
    # A rollback past a migration (device/update/store_guard.py).
    "upd_store_set_aside": (
        "Хранилище возвращено к копии, сделанной перед установкой. Хранилище новой версии сохранено "
        "как {file}: в нём {count} {count|событие|события|событий}, которых нет в копии",
        "The store went back to its copy from before the install. The new version's store is kept "
        "as {file}: it holds {count} {count|event|events} the copy lacks",
    ),
    # pvz-central fleet ls: a device's last update in a column; fleet rollout: a release's progress.
    "fleet_upd_installed": ("{version}: установлена", "{version}: installed"),
    "fleet_upd_pending": ("{version}: устанавливается", "{version}: installing"),
    "fleet_upd_rolled_back": (
        "{version}: возврат на {running} ({why})",
        "{version}: rolled back to {running} ({why})",
    ),
    "fleet_upd_refused": ("{version}: отклонена ({why})", "{version}: refused ({why})"),
    "fleet_upd_failed": (
        "{version}: сбой, нужен техник ({why})",
        "{version}: failed, needs a technician ({why})",
    ),
    "fleet_upd_why_unknown": ("причина не указана", "no reason given"),
    "fleet_upd_store_set_aside": (
        "; хранилище новой версии отложено: {count} {count|событие|события|событий}",
        "; the new version's store set aside: {count} {count|event|events}",
    ),
    "fleet_rollout_progress": (
        "Ход выпуска на {total} {total|устройстве|устройствах|устройствах}: установлена на {healthy}, "
        "возвращена прежняя версия на {failed}, отклонена на {refused}, устанавливается на {installing}, "
        "нет ответа от {waiting}",
        "Progress on {total} {total|device|devices}: healthy on {healthy}, rolled back or failed on "
        "{failed}, refused on {refused}, installing on {installing}, no report yet from {waiting}",
    ),
}
