"""Texts of the exception queue: the kinds of ticket, the surplus label, the CLI and the screen panel."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "tk_stick_label": (
        "Печатается {count} {count|наклейка|наклейки|наклеек} с местным штрихкодом: наклейте на отправление",
        "Printing {count} {count|sticker|stickers} with a local barcode: stick it on the parcel",
    ),
    "tk_kind_unknown_barcode": ("Неизвестный штрихкод", "Unknown barcode"),
    "tk_kind_damaged": ("Повреждение", "Damaged parcel"),
    "tk_kind_refused": ("Отказ клиента", "Refused by the customer"),
    "tk_kind_not_found": ("Отправление не найдено", "Parcel not found"),
    "tk_kind_door": ("Неисправность дверцы", "Locker door problem"),
    "tk_kind_hardware": ("Сбой оборудования", "Equipment fault"),
    "tk_kind_note": ("Заметка сотрудника", "Clerk's note"),
    # A parcel's history (`ev_<kind>`): its ticket opened and answered.
    "ev_ticket_opened": ("открыто обращение в поддержку", "support ticket opened"),
    "ev_ticket_resolved": ("поддержка ответила по обращению", "support answered the ticket"),
    "tk_state_open": ("Открыта", "Open"),
    "tk_state_resolved": ("Решена", "Resolved"),
    # The label printed for a barcode no manifest lists: stuck on the parcel, scanned again later.
    "doc_ticket_label": ("Неизвестное отправление", "Unknown parcel"),
    "doc_ticket": ("Обращение {ticket}", "Ticket {ticket}"),
    "doc_ticket_barcode": ("Штрихкод на посылке: {barcode}", "Barcode on the parcel: {barcode}"),
    "doc_ticket_stick": (
        "Наклейте на посылку и отложите её; сканируйте этот штрихкод, когда поддержка ответит",
        "Stick this on the parcel and set it aside; scan this barcode when support answers",
    ),
    "tk_note_kept": (
        "Заметка записана и отправлена в поддержку: {note}. Продолжайте работу",
        "Note kept and sent to support: {note}. Carry on",
    ),
    # pvz tickets ls|show
    "tk_none": ("Обращений нет", "No tickets"),
    "tk_line": ("{ticket}  {opened}  {kind}  {state}", "{ticket}  {opened}  {kind}  {state}"),
    "tk_not_found": (
        "Обращение {ticket} не найдено: проверьте номер в списке pvz tickets ls",
        "No ticket {ticket}: check its number in pvz tickets ls",
    ),
    "tk_show_kind": ("Что случилось: {kind}", "What happened: {kind}"),
    "tk_show_state": ("Состояние: {state}", "State: {state}"),
    "tk_show_parcel": ("Отправление: {parcel}", "Parcel: {parcel}"),
    "tk_show_order": ("Заказ: {order}", "Order: {order}"),
    "tk_show_where": ("Место: {station}, сотрудник {clerk}", "Where: {station}, clerk {clerk}"),
    "tk_show_video": (
        "Видео: камера {camera}, с {start} по {end}",
        "Video: camera {camera}, from {start} to {end}",
    ),
    "tk_show_no_camera": (
        "Видео: камера не указана, с {start} по {end}",
        "Video: no camera configured, from {start} to {end}",
    ),
    "tk_show_opened": ("Открыто: {ts}", "Opened: {ts}"),
    "tk_show_resolved": ("Решение поддержки ({ts}): {text}", "Support's answer ({ts}): {text}"),
    "tk_show_waiting": ("Ждём ответа поддержки", "Waiting for support's answer"),
    "tk_resolved_news": (
        "Поддержка ответила по обращению {ticket}: {text}",
        "Support answered ticket {ticket}: {text}",
    ),
}
