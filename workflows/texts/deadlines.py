"""Texts of storage deadlines on the counter screen."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "due_back": (
        "К возврату отправителю: {count} {count|отправление|отправления|отправлений}",
        "Due back to the sender: {count} {count|parcel|parcels}",
    ),
    "due_back_start": (
        "Отсканируйте «Передача курьеру» на карте команд, когда приедет курьер",
        "Scan Courier hand-over on the command card when the courier comes",
    ),
    "nothing_due": ("Отправлений к возврату нет", "Nothing is due back to the sender"),
    "expiring_today": (
        "Сегодня последний день хранения: {count} {count|отправление|отправления|отправлений}",
        "Last day of storage today: {count} {count|parcel|parcels}",
    ),
}
