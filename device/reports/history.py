"""A parcel's history as a person reads it: what happened in words, states by name, the details that matter.

The text shows each event's kind, its states and the details a clerk or a manager needs
(order, supply, cell, bag, …) in words; `pvz report parcel --json` keeps every field as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from device.reports.tables import t, table
from device.reports.text import _cols, _heading, state_name, when
from device.reports.types import History, HistoryEvent
from workflows.messages import CATALOG, Msg

# Data fields shown in words, each with the text that names its value. A field not listed here
# (say, one a newer version journals) is left to the JSON output, never printed as an identifier.
DETAILS = {
    "order": "det_order",
    "supply": "det_supply",
    "package": "det_package",
    "bag": "det_bag",
    "cell": "det_cell",
    "from_cell": "det_from_cell",
    "was": "det_was",
    "deadline": "det_deadline",
    "request": "det_request",
    "returned_from": "det_returned_from",
}


def event_name(kind: str) -> Msg:
    """What a journal event of this kind means to a person; a kind this version does not know is "other"."""
    key = f"ev_{kind}"
    return Msg(key if key in CATALOG else "ev_other")


def details(data: Mapping[str, Any], lang: str, cell: str | None = None) -> str:
    """An event's data in words: the fields of DETAILS that carry a value, in their order.

    `cell` is the event's own cell, already in its column: a detail that repeats it is left out.
    """
    shown = []
    for field, key in DETAILS.items():
        value = data.get(field)
        if value is None or value in ("", []) or (field == "from_cell" and value == cell):
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        shown.append(t(lang, key, value=text))
    if data.get("off_suggestion") and data.get("suggested"):
        shown.append(t(lang, "det_suggested", value=str(data["suggested"])))
    checks = data.get("checks")
    if isinstance(checks, Mapping):
        for check, ok in checks.items():
            name = t(lang, f"check_{check}") if f"check_{check}" in CATALOG else str(check)
            shown.append(t(lang, "doc_check", check=name, result=t(lang, "doc_yes" if ok else "doc_no")))
    return "; ".join(shown)


def _row(e: HistoryEvent, lang: str) -> list[str]:
    return [
        when(e["ts"]),
        event_name(e["kind"]).render(lang),
        "" if e["from_state"] is None else state_name(e["from_state"], lang),
        "" if e["to_state"] is None else state_name(e["to_state"], lang),
        e["clerk_name"] or e["clerk"] or "",
        e["station"] or "",
        e["cell"] or "",
        details(e["data"], lang, e["cell"]),
    ]


def history_text(h: History, lang: str) -> str:
    if h["by"] == "order":
        lines = [t(lang, "rep_order_title", code=h["code"], count=len(h["parcels"]))]
    else:
        lines = [t(lang, "rep_parcel_title", code=h["code"])]
    for p in h["parcels"]:
        lines += _heading(t(lang, "rep_parcel_head", parcel=p["barcode"], order=p["order"] or "-"))
        o = p["origin"]
        if o is None:
            lines.append(t(lang, "rep_no_origin"))
        else:
            version = "-" if o["version"] is None else str(o["version"])
            ts = when(o["manifest_event_ts"] or o["imported_at"])
            lines.append(
                t(lang, "rep_origin", supply=o["supply"], carrier=o["carrier"] or "-", version=version, ts=ts)
            )
        lines.append(t(lang, "rep_now", state=state_name(p["state"], lang), cell=p["cell"] or "-"))
        body = [_row(e, lang) for e in p["events"]]
        lines += table(_cols(lang, "ts", "kind", "from", "to", "clerk", "station", "cell", "data"), body)
    return "\n".join(lines)
