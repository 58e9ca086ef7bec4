"""Texts of storage deadlines on the counter screen."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "due_back": ("К возврату отправителю: {count}", "Due back to the sender: {count}"),
    "expiring_today": ("Сегодня последний день хранения: {count}", "Last day of storage today: {count}"),
}
