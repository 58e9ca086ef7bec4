"""Texts of the customer data purge (`pvz privacy purge`, device/privacy/purge.py)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "prv_purged": (
        "Данные получателей удалены: {count} {count|заказ|заказа|заказов}, "
        "{receipts} {receipts|чек|чека|чеков}. Заказы, завершённые с {date}, хранятся",
        "Customer data erased: {count} {count|order|orders}, {receipts} {receipts|receipt|receipts}. "
        "Orders done on {date} or later are kept",
    ),
    "prv_would_purge": (
        "Пробный запуск, ничего не изменено: к удалению данные {count} {count|заказа|заказов|заказов} "
        "и {receipts} {receipts|чека|чеков|чеков}, завершённых до {date}. "
        "Чтобы удалить, запустите без --dry-run",
        "Dry run, nothing changed: the data of {count} {count|order|orders} and {receipts} "
        "{receipts|receipt|receipts} done before {date} would be erased. "
        "To erase it, run the command again without --dry-run",
    ),
}
