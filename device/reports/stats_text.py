"""The owner's statistics as text tables in the reader's language: every channel, reason and
exception kind named in words."""

from __future__ import annotations

from device.reports.stats import CHANNELS
from device.reports.tables import t, table
from device.reports.types import Stats
from workflows.messages import CATALOG, format_money, return_reason_name


def channel_name(channel: str, lang: str) -> str:
    return t(lang, f"stat_ch_{channel}")


def reason_name(reason: str, lang: str) -> str:
    """A refusal reason in words: a return reason's own words, else the statistics' own."""
    key = f"stat_why_{reason}"
    return t(lang, key) if key in CATALOG else return_reason_name(reason).render(lang)


def ticket_kind_name(kind: str, lang: str) -> str:
    key = f"stat_tk_{kind}"
    return t(lang, key if key in CATALOG else "stat_tk_other")


def _heading(text: str) -> list[str]:
    return ["", text, "-" * len(text)]


def _stat_cols(lang: str, *names: str) -> list[str]:
    return [t(lang, f"stat_col_{n}") for n in names]


def stats_text(s: Stats, lang: str) -> list[str]:
    """The statistics section of a day, week or month report."""
    lines = ["", t(lang, "stat_title"), "=" * len(t(lang, "stat_title"))]
    lines += _heading(t(lang, "stat_channels"))
    body = [
        [channel_name(c["channel"], lang), str(c["parcels_in"]), str(c["parcels_out"])] for c in s["channels"]
    ]
    lines += table(_stat_cols(lang, "channel", "in", "out"), body)
    lines += _heading(t(lang, "stat_money"))
    total = s["cash_kopecks"] + s["card_kopecks"]
    lines.append(
        t(
            lang,
            "stat_money_total",
            cash=format_money(s["cash_kopecks"], lang),
            card=format_money(s["card_kopecks"], lang),
            total=format_money(total, lang),
        )
    )
    lines += _heading(t(lang, "stat_issues"))
    if s["issues"]:
        body = [[i["name"] or i["badge"], str(i["orders"]), str(i["parcels"])] for i in s["issues"]]
        lines += table([t(lang, "rep_col_clerk"), *_stat_cols(lang, "orders", "parcels")], body)
    else:
        lines.append(t(lang, "rep_none"))
    lines += _heading(t(lang, "stat_refusals"))
    if s["refusals"]:
        body = [[reason_name(r["reason"], lang), str(r["count"])] for r in s["refusals"]]
        lines += table([*_stat_cols(lang, "reason"), t(lang, "rep_col_count")], body)
    else:
        lines.append(t(lang, "rep_none"))
    lines += _heading(t(lang, "stat_tickets"))
    body = [
        [ticket_kind_name(k["kind"], lang), str(k["opened"]), str(k["resolved"]), str(k["open_now"])]
        for k in s["tickets"]
    ]
    lines += table(_stat_cols(lang, "ticket_kind", "opened", "resolved", "open_now"), body)
    still_open = sum(k["open_now"] for k in s["tickets"])
    if still_open:
        lines.append(t(lang, "stat_tickets_open", count=still_open))
    if len(s["days"]) > 1:
        lines += _heading(t(lang, "stat_days"))
        body = [
            [
                d["date"],
                *(f"{d['parcels_in'][c]}/{d['parcels_out'][c]}" for c in CHANNELS),
                format_money(d["cash_kopecks"], lang),
                format_money(d["card_kopecks"], lang),
            ]
            for d in s["days"]
        ]
        heads = [channel_name(c, lang) for c in CHANNELS]
        lines.append(t(lang, "stat_days_note"))
        cash, card = t(lang, "rep_col_cash"), t(lang, "rep_col_card")
        lines += table([t(lang, "stat_col_date"), *heads, cash, card], body)
    return lines
