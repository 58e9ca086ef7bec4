"""A rule without a title in the rules file, named by its condition in words: the field's name in
the page's language, the comparison and the value, and how long it must hold. The rule's own
name is the operator's identifier for it (what `pvz-central alerts` prints); a Russian page
must not show it as an English phrase."""

from __future__ import annotations

from central.alert_rules import Rule

# Each health field (central/health.py FIELDS) as a noun phrase, Russian and English.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "version": ("версия pvz", "pvz version"),
    "config_version": ("версия настроек", "config version"),
    "outbox_depth": ("событий в очереди", "events in the outbox"),
    "outbox_age_s": ("возраст очереди, с", "outbox age, s"),
    "tickets_open": ("открытых обращений", "open tickets"),
    "scanners_missing": ("сканеров не на связи", "scanners missing"),
    "device_alerts": ("предупреждений устройства", "device warnings"),
    "disk_free_mb": ("свободно на диске, МБ", "free disk, MB"),
    "clock_skew_s": ("часы расходятся, с", "clock off by, s"),
    "hardware_problems": ("неисправностей оборудования", "hardware problems"),
    "events_set_aside": (
        "событий в базе, отложенной при откате",
        "events in a store set aside by a rollback",
    ),
}
# A yes/no field as what it says when true, and when false.
FLAG_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "online": (("на связи", "online"), ("нет связи", "offline")),
    "config_rejected": (("настройки отклонены", "config rejected"), ("настройки приняты", "config accepted")),
    "printers_ready": (("принтеры готовы", "printers ready"), ("принтер не готов", "a printer not ready")),
    "paper_out": (("нет бумаги", "out of paper"), ("бумага есть", "paper in")),
    "store_damaged": (("база данных повреждена", "store damaged"), ("база данных в порядке", "store sound")),
}
SIGNS = {"==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def condition(rule: Rule) -> tuple[str, str]:
    """What the rule watches for, e.g. ("нет связи 15 мин", "offline 15 min")."""
    flags = FLAG_WORDS.get(rule.field)
    if flags is not None and isinstance(rule.value, bool) and rule.op in ("==", "!="):
        ru, en = flags[0] if rule.value == (rule.op == "==") else flags[1]
    else:
        ru_field, en_field = FIELD_WORDS.get(rule.field, (rule.field, rule.field))
        value = str(rule.value).lower() if isinstance(rule.value, bool) else str(rule.value)
        sign = SIGNS[rule.op]
        ru, en = f"{ru_field} {sign} {value}", f"{en_field} {sign} {value}"
    if rule.for_minutes:
        minutes = f"{rule.for_minutes:g}"
        ru, en = f"{ru} {minutes} мин", f"{en} {minutes} min"
    return ru[0].upper() + ru[1:], en[0].upper() + en[1:]
