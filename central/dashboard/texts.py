"""Everything the fleet dashboard says, in Russian (the default) and English, in the template form
of workflows/messages.py (`{n|форма|формы|форм}` agrees with n). The page renders them itself
(web/dashboard.js), so switching the language needs no reload; the server hands them over whole."""

from __future__ import annotations

_DEV_RU = "{n|устройство|устройства|устройств}"
_DEV_EN = "{n|device|devices}"

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Парк ПВЗ", "Pickup point fleet"),
    "connecting": ("Подключение…", "Connecting…"),
    "live": ("Обновляется в реальном времени", "Live"),
    "lost": ("Связь потеряна, переподключение…", "Connection lost, reconnecting…"),
    "lang_other": ("English", "Русский"),
    "read_only": ("Только просмотр", "Read only"),
    "signed_in": ("Вход выполнен: {name}", "Signed in: {name}"),
    "sign_in": ("Войти", "Sign in"),
    "sign_out": ("Выйти", "Sign out"),
    "token": ("Токен оператора", "Operator token"),
    "bad_token": ("Токен не подошёл", "This token is not accepted"),
    "too_many": ("Слишком много неверных попыток, подождите минуту", "Too many wrong tokens, wait a minute"),
    "refused": ("Действие не выполнено: войдите снова", "Not done: sign in again"),
    "unavailable": (
        "Центральная база недоступна, попробуйте позже",
        "The central database cannot be reached, try again later",
    ),
    # sections
    "devices": ("Устройства", "Devices"),
    "all_sites": ("Все точки", "All sites"),
    "devices_count": (
        f"{{sites}} {{sites|точка|точки|точек}}, {{n}} {_DEV_RU}, на связи {{online}}",
        f"{{sites}} {{sites|site|sites}}, {{n}} {_DEV_EN}, {{online}} online",
    ),
    "attention_count": (
        "требуют внимания: {n}",
        "{n} need attention",
    ),
    "alerts": ("Открытые тревоги", "Open alerts"),
    "no_alerts": ("Тревог нет", "No open alerts"),
    "outbox_chart": ("Очередь на отправку, сутки", "Outbox depth, last 24 hours"),
    "no_history": ("Данных пока нет", "No samples yet"),
    "versions": ("Версии pvz", "pvz versions"),
    "version_count": (f"{{n}} {_DEV_RU}", f"{{n}} {_DEV_EN}"),
    "commands": ("Команды и ответы", "Commands and answers"),
    "no_commands": ("Команд пока не было", "No commands yet"),
    "tickets": ("Открытые обращения", "Open tickets"),
    "no_tickets": ("Открытых обращений нет", "No open tickets"),
    "rollouts": ("Поэтапные выпуски", "Staged rollouts"),
    "no_rollouts": ("Поэтапных выпусков сейчас нет", "No staged rollout under way"),
    "rollout_stage": (
        "этап {stage} из {stages} ({percent} %), получили {devices}",
        "stage {stage} of {stages} ({percent} %), {devices} got it",
    ),
    "rollout_progress": (
        "установлена на {healthy}, возвращена прежняя на {failed}, отклонена на {refused}, "
        "устанавливается на {installing}, нет ответа от {waiting}",
        "healthy on {healthy}, rolled back or failed on {failed}, refused on {refused}, "
        "installing on {installing}, no report yet from {waiting}",
    ),
    "ro_running": ("идёт", "running"),
    "ro_paused": ("приостановлен оператором", "paused by the operator"),
    "ro_paused_failures": ("остановлен: сбоев больше порога", "stopped: failures past the threshold"),
    # device columns and states
    "col_site": ("Точка", "Site"),
    "col_device": ("Устройство", "Device"),
    "col_state": ("Состояние", "State"),
    "col_version": ("Версия", "Version"),
    "col_outbox": ("Очередь", "Outbox"),
    "col_config": ("Настройки", "Config"),
    "col_command": ("Команда", "Command"),
    "col_answer": ("Ответ", "Answer"),
    "col_by": ("Кто", "By"),
    "online": ("на связи", "online"),
    "all_good": ("всё в порядке", "all good"),
    "config_applied": ("версия {version} применена", "version {version} applied"),
    "config_rejected": ("версия {version} отклонена", "version {version} rejected"),
    "config_none": ("исходные", "as installed"),
    "config_unknown": ("неизвестно", "unknown"),
    # problems (the health fields of central/health.py, in words)
    "p_offline": ("нет связи", "offline"),
    "p_store_damaged": ("база данных повреждена", "store damaged"),
    "p_paper_out": ("нет бумаги в принтере", "printer out of paper"),
    "p_printers_not_ready": ("принтер не готов", "printer not ready"),
    "p_scanners_missing": (
        "не подключено сканеров: {n}",
        "{n} {n|scanner|scanners} not connected",
    ),
    "p_hardware_problems": (
        "неисправностей оборудования: {n}",
        "{n} {n|hardware problem|hardware problems}",
    ),
    "p_config_rejected": ("настройки отклонены", "config rejected"),
    "p_events_set_aside": (
        "после отката {n} {n|событие осталось|события остались|событий остались} в отложенной базе: "
        "сверьте их с центральной",
        "after a rollback {n} {n|event is|events are} left in the store set aside: reconcile them with central",
    ),
    "p_clock_wrong": ("часы расходятся на {n} с", "clock off by {n} s"),
    "p_disk_low": ("мало места на диске: {n} МБ", "low disk space: {n} MB"),
    "p_device_alerts": (
        "{n} {n|предупреждение|предупреждения|предупреждений} на устройстве",
        "{n} {n|warning|warnings} on the device",
    ),
    "p_tickets_open": (
        "{n} {n|открытое обращение|открытых обращения|открытых обращений}",
        "{n} open {n|ticket|tickets}",
    ),
    "p_outbox": (
        "{n} {n|событие ждёт|события ждут|событий ждут} отправки",
        "{n} {n|event|events} waiting to be sent",
    ),
    "p_outbox_old": (
        "события не уходят {n} {n|минуту|минуты|минут}",
        "events unsent for {n} {n|minute|minutes}",
    ),
    "p_alerts_open": (
        "{n} {n|тревога|тревоги|тревог}",
        "{n} {n|alert|alerts}",
    ),
    # times
    "just_now": ("только что", "just now"),
    "minutes_ago": ("{n} {n|минуту|минуты|минут} назад", "{n} {n|minute|minutes} ago"),
    "hours_ago": ("{n} {n|час|часа|часов} назад", "{n} {n|hour|hours} ago"),
    "days_ago": ("{n} {n|день|дня|дней} назад", "{n} {n|day|days} ago"),
    # commands
    "cmd_ping": ("проверка связи", "ping"),
    "cmd_print-test": ("пробная печать", "test print"),
    "cmd_lights-test": ("проверка подсветки", "lights test"),
    "cmd_sync-now": ("отправить события сейчас", "sync now"),
    "cmd_reload-config": ("перечитать настройки", "reload config"),
    "cmd_set-log-level": ("уровень журнала", "log level"),
    "cmd_diagnostics": ("сбор диагностики", "diagnostics bundle"),
    "cmd_door-open": ("открыть дверцу", "open a door"),
    "cmd": ("{name}", "{name}"),  # a command the page has no name for: its own name
    "cfg_push": ("настройки, версия {version}", "config version {version}"),
    "cmd_send": ("Отправить", "Send"),
    "cmd_waiting": ("ждём ответа", "waiting for the answer"),
    "cmd_ok": ("выполнено", "done"),
    "cmd_failed": ("не выполнено", "failed"),
    "cmd_from_cli": ("из командной строки", "from the command line"),
    # why a command or a config push failed (reason codes of sync/commands.py and device/decode.py)
    "r_expired": ("не дошла вовремя", "expired before it arrived"),
    "r_outcome_unknown": (
        "устройство перезапустилось во время выполнения",
        "the device restarted while running it",
    ),
    "r_unknown_command": ("устройство не знает такой команды", "the device does not know this command"),
    "r_unknown_field": ("неизвестный параметр", "an unknown setting"),
    "r_wrong_type": ("значение не того типа", "a value of the wrong type"),
    "r_bad_value": ("недопустимое значение", "a value that is not allowed"),
    "r_out_of_range": ("значение вне допустимых пределов", "a value out of range"),
    "r_missing_field": ("не хватает параметра", "a setting is missing"),
    "r_not_toml": ("файл не читается как TOML", "not valid TOML"),
    "r_not_json": ("документ не читается как JSON", "not valid JSON"),
    "r_version_not_newer": (
        "эта или более новая версия уже применена",
        "this or a newer version is already there",
    ),
    "r_conflicting_content": ("та же версия с другим содержимым", "the same version with other content"),
    "r_door_cell_occupied": ("ячейка занята", "the cell is occupied"),
    "ticket_answer": ("Ответить", "Answer"),
    "ticket_text": ("Ответ для точки", "Answer for the counter"),
    "kind_other": ("Обращение", "Ticket"),
}
