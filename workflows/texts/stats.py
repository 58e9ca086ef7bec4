"""Texts of the owner's statistics: channels, refusal reasons and exception kinds in words, and
the chart's titles (device.reports.stats, stats_text, chart)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # headings
    "stat_title": ("Показатели пункта", "Figures of the point"),
    "stat_channels": ("Отправления по каналам", "Parcels by channel"),
    "stat_issues": ("Выдачи по сотрудникам", "Issues by clerk"),
    "stat_refusals": ("Отказы по причинам", "Refusals by reason"),
    "stat_tickets": ("Происшествия по видам", "Exceptions by kind"),
    "stat_money": ("Получено денег", "Money taken"),
    "stat_money_total": (
        "Наличными {cash}, картой {card}, всего {total}",
        "In cash {cash}, by card {card}, {total} in all",
    ),
    "stat_days": ("По дням", "By day"),
    "stat_days_note": ("В каждом канале: поступило/ушло", "Each channel: in/out"),
    "stat_tickets_open": (
        "Открыто сейчас: {count}. Разберите их: список открытых — на экране пункта",
        "Open now: {count}. Resolve them: the point's screen lists the open ones",
    ),
    "stat_chart_written": ("График сохранён: {path}", "Chart written: {path}"),
    # channels
    "stat_ch_orders": ("заказы клиентов", "customer orders"),
    "stat_ch_customer_returns": ("возвраты от клиентов", "customer returns"),
    "stat_ch_dropoffs": ("сдача продавцов", "seller drop-offs"),
    "stat_ch_sends": ("отправки клиентов", "customer sends"),
    "stat_ch_to_sender": ("возвраты отправителю", "returns to sender"),
    # refusal reasons not among the return reasons (why_*)
    "stat_why_return_check_failed": (
        "возврат не прошёл проверку",
        "customer return failed its check",
    ),
    # exception kinds
    "stat_tk_unknown_barcode": ("неизвестный штрихкод при приёмке", "unknown barcode at acceptance"),
    "stat_tk_damaged": ("повреждённое отправление", "damaged parcel"),
    "stat_tk_refused": ("отказ при выдаче", "refusal at issue"),
    "stat_tk_not_found": ("отправление не найдено", "parcel not found"),
    "stat_tk_door": ("сбой дверцы постамата", "locker door fault"),
    "stat_tk_hardware": ("сбой принтера или сканера", "printer or scanner fault"),
    "stat_tk_note": ("заметка сотрудника", "clerk's note"),
    "stat_tk_other": ("другое происшествие", "other exception"),
    # columns
    "stat_col_channel": ("Канал", "Channel"),
    "stat_col_in": ("Поступило", "In"),
    "stat_col_out": ("Ушло", "Out"),
    "stat_col_orders": ("Клиентов обслужено", "Customers served"),
    "stat_col_parcels": ("Отправлений выдано", "Parcels handed over"),
    "stat_col_reason": ("Причина", "Reason"),
    "stat_col_ticket_kind": ("Вид", "Kind"),
    "stat_col_opened": ("Открыто", "Opened"),
    "stat_col_resolved": ("Решено", "Resolved"),
    "stat_col_open_now": ("Открыто сейчас", "Open now"),
    "stat_col_date": ("Дата", "Date"),
    "stat_col_in_all": ("Поступило всего", "In, all"),
    "stat_col_out_all": ("Ушло всего", "Out, all"),
    # the chart
    "stat_chart_parcels": ("Отправления за день", "Parcels per day"),
    "stat_chart_in": ("поступило", "in"),
    "stat_chart_out": ("ушло", "out"),
    "stat_chart_money": ("Деньги за день, руб.", "Money per day, RUB"),
    "stat_chart_cash": ("наличными", "in cash"),
    "stat_chart_card": ("картой", "by card"),
}
