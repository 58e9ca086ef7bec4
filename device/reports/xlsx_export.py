"""Writing a report as an Excel workbook: one sheet per section, a header row in the reader's
language, numbers as numbers, money in roubles, waits in hours, times as dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter

from device.reports.stats import CHANNELS
from device.reports.stats_text import channel_name, reason_name, ticket_kind_name
from device.reports.tables import t
from device.reports.text import payment_name, state_name
from device.reports.types import PeriodReport, Stats

MONEY = '#,##0.00\\ "₽"'  # a Russian-locale Excel shows 1 234,50 ₽
HOURS = "0.00"
WHEN = "yyyy-mm-dd hh:mm:ss"
DAY = "yyyy-mm-dd"

# (field of the section's row, the rep_col_ name of its header, how the value is written)
Column = tuple[str, str, str]
SUPPLIES: tuple[Column, ...] = (
    ("supply", "supply", "text"),
    ("carrier", "carrier", "text"),
    ("expected", "expected", "int"),
    ("accepted", "accepted", "int"),
    ("missing", "missing", "int"),
    ("surplus", "surplus", "int"),
    ("damaged", "damaged", "int"),
)
COUNTS: tuple[Column, ...] = (
    ("accepted", "accepted", "int"),
    ("placed", "placed", "int"),
    ("issued", "issued", "int"),
    ("refused", "refused", "int"),
    ("customer_returns", "customer_returns", "int"),
    ("returned", "returned", "int"),
)
CLERKS: tuple[Column, ...] = (
    ("badge", "badge", "text"),
    ("name", "name", "text"),
    *COUNTS,
    ("inventory", "inventory", "int"),
    ("events", "events", "int"),
)
STATIONS: tuple[Column, ...] = (
    ("station", "station", "text"),
    *COUNTS,
    ("cod_kopecks", "cod", "money"),
    ("events", "events", "int"),
)
COD: tuple[Column, ...] = (
    ("ts", "ts", "when"),
    ("order", "order", "text"),
    ("kopecks", "amount", "money"),
    ("payment", "payment", "payment"),
    ("clerk", "clerk", "text"),
    ("station", "station", "text"),
)
REFS: tuple[Column, ...] = (
    ("ts", "ts", "when"),
    ("parcel", "parcel", "text"),
    ("order", "order", "text"),
    ("clerk", "clerk", "text"),
    ("station", "station", "text"),
)
WAITS: tuple[Column, ...] = (
    ("parcel", "parcel", "text"),
    ("order", "order", "text"),
    ("accepted_at", "accepted_at", "when"),
    ("issued_at", "issued_at", "when"),
    ("hours", "hours", "hours"),
)


CHANNEL_COUNTS: tuple[Column, ...] = (
    ("channel", "stat_col_channel", "text"),
    ("parcels_in", "stat_col_in", "int"),
    ("parcels_out", "stat_col_out", "int"),
)
ISSUES: tuple[Column, ...] = (
    ("badge", "badge", "text"),
    ("name", "name", "text"),
    ("orders", "stat_col_orders", "int"),
    ("parcels", "stat_col_parcels", "int"),
)
TICKETS: tuple[Column, ...] = (
    ("kind", "stat_col_ticket_kind", "text"),
    ("opened", "stat_col_opened", "int"),
    ("resolved", "stat_col_resolved", "int"),
    ("open_now", "stat_col_open_now", "int"),
)


def _value(value: object, kind: str, lang: str) -> object:
    if value is None:
        return None
    if kind == "money":
        return int(str(value)) / 100
    if kind == "day":
        return datetime.fromisoformat(str(value))
    if kind == "when":
        # Excel holds no zone: the time as the site reads it (the report's times are local already).
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    if kind == "payment":
        return payment_name(str(value), lang)
    return value


def _key(heading: str) -> str:
    """A column's header: a report column's short name, or a whole message key of the statistics."""
    return heading if heading.startswith("stat_") else f"rep_col_{heading}"


def _sheet(
    book: Workbook, title: str, columns: Sequence[Column], body: Sequence[Mapping[str, object]], lang: str
) -> None:
    sheet = book.create_sheet(title)
    sheet.append([t(lang, _key(heading)) for _, heading, _ in columns])
    for row in body:
        sheet.append([_value(row[field], kind, lang) for field, _, kind in columns])
    for index, (_, heading, kind) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        fmt = {"money": MONEY, "hours": HOURS, "when": WHEN, "day": DAY}.get(kind)
        if fmt is not None:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        width = max(len(t(lang, _key(heading))), 20 if kind == "when" else 10)
        sheet.column_dimensions[letter].width = width + 2
    sheet.freeze_panes = "A2"


def _stats_sheets(book: Workbook, s: Stats, lang: str, chart: Path | None) -> None:
    """The owner's statistics: a sheet per section, every channel, reason and kind in words."""
    channels = [{**c, "channel": channel_name(c["channel"], lang)} for c in s["channels"]]
    _sheet(book, "channels", CHANNEL_COUNTS, channels, lang)
    _sheet(book, "issues", ISSUES, s["issues"], lang)
    reasons = [{"reason": reason_name(r["reason"], lang), "count": r["count"]} for r in s["refusals"]]
    _sheet(
        book,
        "refusal_reasons",
        (("reason", "stat_col_reason", "text"), ("count", "count", "int")),
        reasons,
        lang,
    )
    tickets = [{**k, "kind": ticket_kind_name(k["kind"], lang)} for k in s["tickets"]]
    _sheet(book, "tickets", TICKETS, tickets, lang)
    days: list[dict[str, object]] = []
    columns: list[Column] = [("date", "stat_col_date", "day")]
    for name in CHANNELS:
        columns += [(f"in_{name}", "stat_col_in", "int"), (f"out_{name}", "stat_col_out", "int")]
    columns += [("cash_kopecks", "cash", "money"), ("card_kopecks", "card", "money")]
    for d in s["days"]:
        row: dict[str, object] = {
            "date": d["date"],
            "cash_kopecks": d["cash_kopecks"],
            "card_kopecks": d["card_kopecks"],
        }
        for name in CHANNELS:
            row[f"in_{name}"], row[f"out_{name}"] = d["parcels_in"][name], d["parcels_out"][name]
        days.append(row)
    _sheet(book, "days", columns, days, lang)
    # Above the in/out headers, the channel each pair counts.
    sheet = book["days"]
    sheet.insert_rows(1)
    for index, name in enumerate(CHANNELS):
        sheet.cell(row=1, column=2 + 2 * index, value=channel_name(name, lang))
    sheet.freeze_panes = "B3"
    if chart is not None:
        picture = book.create_sheet("chart")
        picture.add_image(Image(str(chart)), "A1")


def write_xlsx(path: Path, report: PeriodReport, lang: str, *, chart: Path | None = None) -> Path:
    """The period report as a workbook at `path`: a title sheet, then one sheet per section, the
    owner's statistics last, with the PNG `chart` embedded on a sheet of its own when given."""
    book = Workbook()
    title = book.create_sheet("report", 0)
    book.remove(book.worksheets[1])  # the empty sheet a new workbook starts with
    title.append([t(lang, "rep_period_title", first=report["date_from"], last=report["date_to"])])
    title.append([t(lang, "rep_col_date_from"), datetime.fromisoformat(report["date_from"])])
    title.append([t(lang, "rep_col_date_to"), datetime.fromisoformat(report["date_to"])])
    title["B2"].number_format = DAY
    title["B3"].number_format = DAY
    if report["clerk"] is not None:
        title.append([t(lang, "rep_col_clerk"), report["clerk"]])
    if report["station"] is not None:
        title.append([t(lang, "rep_col_station"), report["station"]])
    title.append([t(lang, "rep_col_events"), report["events"]])
    states = [{"state": state_name(s, lang), "count": n} for s, n in report["states"].items()]
    _sheet(book, "states", (("state", "state", "text"), ("count", "count", "int")), states, lang)
    _sheet(book, "supplies", SUPPLIES, report["supplies"], lang)
    _sheet(book, "clerks", CLERKS, report["clerks"], lang)
    _sheet(book, "stations", STATIONS, report["stations"], lang)
    _sheet(book, "cod", COD, report["cod"]["items"], lang)
    _sheet(book, "refusals", REFS, report["refusals"], lang)
    customer = t(lang, "rep_return_customer")
    back = t(lang, "rep_return_to_sender")
    returns = [{"kind": customer, **r} for r in report["returns"]["customer"]]
    returns += [{"kind": back, **r} for r in report["returns"]["to_sender"]]
    _sheet(book, "returns", (("kind", "kind", "text"), *REFS), returns, lang)
    _sheet(book, "waits", WAITS, report["waits"]["parcels"], lang)
    _stats_sheets(book, report["stats"], lang, chart)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
