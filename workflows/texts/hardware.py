"""Texts of the counter's hardware health."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "hw_fault": ("Неисправность оборудования", "Hardware fault"),
    "hw_ok": ("Оборудование в порядке", "Hardware OK"),
    "hw_scanner_missing": (
        "Сканер {scanner} не подключён: проверьте кабель или переподключите его",
        "Scanner {scanner} is not connected: check its cable or plug it in again",
    ),
    "hw_store_damaged": (
        "Файл базы повреждён: не принимайте и не выдавайте отправления, позовите техника "
        "(pvz store restore — docs/store.md)",
        "The store file is damaged: stop accepting and handing out parcels and call the technician "
        "(pvz store restore, docs/store.md)",
    ),
    "hw_doors_offline": (
        "Замки ячеек не отвечают: двери не открываются. Позовите сотрудника пункта — "
        "посылку выдадут на стойке",
        "The locker's locks do not answer: doors cannot open. Call a member of staff; "
        "your parcel can be handed out at the counter",
    ),
    "hw_printer_fault": (
        "Принтер: {error}; в очереди {queued} {queued|документ|документа|документов}. "
        "Проверьте бумагу, крышку и кабель — печать продолжится сама",
        "Printer: {error}; {queued} {queued|document|documents} queued. "
        "Check the paper, the cover and the cable; printing resumes by itself",
    ),
}
