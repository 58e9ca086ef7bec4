"""Texts of the counter's hardware health."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "hw_fault": ("Неисправность оборудования", "Hardware fault"),
    "hw_ok": ("Оборудование в порядке", "Hardware OK"),
    "hw_scanner_missing": ("Сканер {scanner} не подключён", "Scanner {scanner} is not connected"),
    "hw_printer_fault": ("Принтер: {error}; в очереди {queued}", "Printer: {error}; {queued} queued"),
}
