"""Reports as readable text tables in the reader's language, for the `pvz report` command.

A parcel's history has its own module, device.reports.history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from device.reports.csv_export import CLERK_COLUMNS, SUPPLY_COLUMNS
from device.reports.stats_text import stats_text
from device.reports.tables import t, table
from device.reports.types import DayReport, EventRef, PeriodReport, Sections, ShiftReport
from workflows.messages import CATALOG, format_money

STATION_COUNTS = ("accepted", "placed", "issued", "refused", "customer_returns", "returned")


def state_name(state: str, lang: str) -> str:
    """A parcel state as a person reads it; a state these texts do not know shows as stored."""
    key = f"rep_state_{state}"
    return t(lang, key) if key in CATALOG else state


def when(ts: str | None) -> str:
    return "" if ts is None else ts[:19].replace("T", " ")


def number(value: float | None, lang: str) -> str:
    """Hours as a person writes them: 4,83 in Russian, 4.83 in English."""
    if value is None:
        return "-"
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "ru" else text


def _values(row: Mapping[str, object], columns: Sequence[str]) -> list[str]:
    return [str(row[c]) for c in columns]


def _heading(text: str) -> list[str]:
    return ["", text, "=" * len(text)]


def _cols(lang: str, *names: str) -> list[str]:
    return [t(lang, f"rep_col_{n}") for n in names]


def _refs(title: str, refs: Sequence[EventRef], names: dict[str, str], lang: str) -> list[str]:
    lines = _heading(title)
    if not refs:
        return [*lines, t(lang, "rep_none")]
    body = [
        [
            when(r["ts"]),
            r["order"] or "",
            r["parcel"],
            names.get(r["clerk"] or "", r["clerk"] or ""),
            r["station"] or "",
        ]
        for r in refs
    ]
    return lines + table(_cols(lang, "ts", "order", "parcel", "clerk", "station"), body)


def payment_name(payment: str, lang: str) -> str:
    """Cash or card, in words."""
    by_card = payment == "card"
    return t(lang, "rep_pay_card" if by_card else "rep_pay_cash")


def cod_split(rep: Sections, lang: str) -> str:
    """Cash on delivery taken in cash and by card: what the till and the card terminal should hold."""
    cod = rep["cod"]
    cash = format_money(cod["cash_kopecks"], lang)
    return t(lang, "rep_cod_split", cash=cash, card=format_money(cod["card_kopecks"], lang))


def sections_text(rep: Sections, lang: str) -> list[str]:
    """Every section of a day or shift report."""
    names = {c["badge"]: c["name"] for c in rep["clerks"]}
    lines = _heading(t(lang, "rep_states"))
    lines += table(
        _cols(lang, "state", "count"), [[state_name(s, lang), str(n)] for s, n in rep["states"].items()]
    )
    lines += _heading(t(lang, "rep_supplies"))
    if rep["supplies"]:
        body = [_values(s, SUPPLY_COLUMNS) for s in rep["supplies"]]
        lines += table(_cols(lang, *SUPPLY_COLUMNS), body)
    else:
        lines.append(t(lang, "rep_none"))
    lines += _heading(t(lang, "rep_clerks"))
    if rep["clerks"]:
        body = [_values(c, CLERK_COLUMNS) for c in rep["clerks"]]
        lines += table(_cols(lang, *CLERK_COLUMNS), body)
    else:
        lines.append(t(lang, "rep_none"))
    lines += _heading(t(lang, "rep_stations"))
    if rep["stations"]:
        body = [
            [
                s["station"],
                *_values(s, STATION_COUNTS),
                format_money(s["cod_kopecks"], lang),
                str(s["events"]),
            ]
            for s in rep["stations"]
        ]
        columns = _cols(
            lang, "station", "accepted", "placed", "issued", "refused", "customer_returns", "returned"
        )
        lines += table([*columns, *_cols(lang, "cod", "events")], body)
    else:
        lines.append(t(lang, "rep_none"))
    cod = rep["cod"]
    lines += _heading(t(lang, "rep_cod"))
    lines.append(t(lang, "rep_cod_total", amount=cod["total_kopecks"], orders=cod["orders"]))
    lines.append(cod_split(rep, lang))
    if cod["items"]:
        body = [
            [
                when(i["ts"]),
                i["order"],
                format_money(i["kopecks"], lang),
                payment_name(i["payment"], lang),
                names.get(i["clerk"] or "", ""),
                i["station"] or "",
            ]
            for i in cod["items"]
        ]
        lines += table(_cols(lang, "ts", "order", "amount", "payment", "clerk", "station"), body)
    lines += _refs(t(lang, "rep_refusals", count=len(rep["refusals"])), rep["refusals"], names, lang)
    ret = rep["returns"]
    lines += _refs(t(lang, "rep_returns_customer", count=len(ret["customer"])), ret["customer"], names, lang)
    lines += _refs(t(lang, "rep_returns_sender", count=len(ret["to_sender"])), ret["to_sender"], names, lang)
    lines += _heading(t(lang, "rep_waits"))
    lines.append(waits_line(rep, lang))
    if rep["waits"]["parcels"]:
        body = [
            [
                w["parcel"],
                w["order"] or "",
                when(w["accepted_at"]),
                when(w["issued_at"]),
                number(w["hours"], lang),
            ]
            for w in rep["waits"]["parcels"]
        ]
        lines += table(_cols(lang, "parcel", "order", "accepted_at", "issued_at", "hours"), body)
    return [*lines, "", t(lang, "rep_events", count=rep["events"])]


def waits_line(rep: Sections, lang: str) -> str:
    """The waits summed up; issues the device's clock cannot vouch for are named apart."""
    w = rep["waits"]
    if not w["count"]:
        line = t(lang, "rep_waits_none")
    else:
        line = t(
            lang,
            "rep_waits_summary",
            count=w["count"],
            mean=number(w["mean_hours"], lang),
            median=number(w["median_hours"], lang),
            max=number(w["max_hours"], lang),
        )
    if w["clock_back"]:
        line += ". " + t(lang, "rep_waits_clock_back", count=w["clock_back"])
    return line


def day_text(rep: DayReport, lang: str) -> str:
    title = t(lang, "rep_day_title", date=rep["date"])
    return "\n".join([title, *sections_text(rep, lang), *stats_text(rep["stats"], lang)])


def period_text(rep: PeriodReport, lang: str) -> str:
    """A period report: its dates, the filters it was made with, then every section."""
    lines = [t(lang, "rep_period_title", first=rep["date_from"], last=rep["date_to"])]
    if rep["clerk"] is not None:
        names = {c["badge"]: c["name"] for c in rep["clerks"]}
        lines.append(t(lang, "rep_filter_clerk", name=names.get(rep["clerk"], ""), badge=rep["clerk"]))
    if rep["station"] is not None:
        lines.append(t(lang, "rep_filter_station", station=rep["station"]))
    return "\n".join([*lines, *sections_text(rep, lang), *stats_text(rep["stats"], lang)])


def shift_header(rep: ShiftReport, lang: str) -> list[str]:
    s = rep["shift"]
    lines = [
        t(lang, "rep_shift_title", id=s["id"]),
        t(lang, "rep_shift_clerk", name=s["clerk"], badge=s["badge"]),
        t(lang, "rep_shift_station", station=s["station"]),
        t(lang, "rep_shift_opened", ts=when(s["opened_at"])),
    ]
    if s["closed_at"] is None:
        return [*lines, t(lang, "rep_shift_open_until", ts=when(s["until"]))]
    return [*lines, t(lang, "rep_shift_closed", ts=when(s["closed_at"]))]


def shift_text(rep: ShiftReport, lang: str) -> str:
    return "\n".join([*shift_header(rep, lang), *sections_text(rep, lang)])
