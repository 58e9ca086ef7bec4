"""The page's shared panels: the rack's map as its lights show it, the station's print jobs
with their previews, and the state of the station's printer and scanners."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from device.rack_lights import LIGHT_PATTERN
from device.store.db import Store
from workflows.messages import Msg
from workflows.outcome import Light
from workflows.texts import screen as screen_texts

if TYPE_CHECKING:
    from device.runtime import Runtime

RECENT_PRINTS = 6
# The colour a lit cell has on the page: the real LEDs may have one colour, the page tells the
# meanings apart (the legend names them).
LIGHT_COLOR = {
    Light.TAKE: "green",
    Light.SUGGESTED: "blue",
    Light.CURRENT: "white",
    Light.PICK: "amber",
    Light.COUNT: "amber",
    Light.COUNTING: "green",
}
_DOC_KEYS = frozenset(key for key in screen_texts.TEXTS if key.startswith("scr_doc_"))
PRINT_STATE = {"queued": "queued", "printing": "queued", "printed": "printed"}


def rack_cells(store: Store) -> list[dict[str, Any]]:
    """Every cell of the rack, in label order, grouped by the label's first part (its rack section)."""
    rows = store.conn.execute("SELECT address, label, zone FROM cells ORDER BY zone, label").fetchall()
    return [
        {"address": r["address"], "label": r["label"], "zone": r["zone"], "group": _group(r["label"])}
        for r in rows
    ]


def _group(label: str) -> str:
    return re.split(r"[-./ ]", label, maxsplit=1)[0] or label


def rack_lit(rt: Runtime, lang: str) -> dict[str, dict[str, str]]:
    """Each lit cell: its light's pattern, the page's colour for its meaning, the meaning in words."""
    return {
        address: {
            "pattern": LIGHT_PATTERN[meaning].value,
            "color": LIGHT_COLOR[meaning],
            "text": Msg(f"scr_light_{meaning.value}").render(lang),
        }
        for address, meaning in sorted(rt.lights.meanings.items())
    }


def print_entry(row: sqlite3.Row, lang: str, *, failing: bool) -> dict[str, Any]:
    state = PRINT_STATE.get(row["state"], "queued")
    if state == "queued" and failing:
        state = "failed"
    kind = row["kind"]
    title = Msg(f"scr_doc_{kind}" if f"scr_doc_{kind}" in _DOC_KEYS else "scr_doc_other")
    return {
        "job": row["id"],
        "station": row["station"],
        "title": title.render(lang),
        "state": state,
        "state_text": Msg(f"scr_print_{state}").render(lang),
        "url": f"/preview/{row['id']}.png",
        "at": str(row["created_at"])[11:19],  # the local time the job was made
    }


def prints(rt: Runtime, station: str, lang: str) -> list[dict[str, Any]]:
    """The station's latest print jobs, newest first."""
    rows = rt.engine.store.conn.execute(
        f"SELECT {JOB_COLUMNS} FROM print_jobs WHERE station = ? ORDER BY id DESC LIMIT ?",
        (station, RECENT_PRINTS),
    ).fetchall()
    failing = printer_failing(rt, station)
    return [print_entry(row, lang, failing=failing) for row in rows]


JOB_COLUMNS = "id, station, kind, state, created_at, printed_at"


def job(rt: Runtime, job_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = rt.engine.store.conn.execute(
        f"SELECT {JOB_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)
    ).fetchone()
    return row


def printer_failing(rt: Runtime, station: str) -> bool:
    state = rt.prints.status()["printers"].get(station)
    return bool(state and state["failures"])


def hardware(rt: Runtime, station: str, lang: str) -> dict[str, Any]:
    """The station's printer and scanners: ready, or what is wrong and what to do, in words."""
    io = rt.stations[station]
    parts = []
    for source in io.sources:
        connected = source.status().get("connected") is not False
        parts.append(
            {
                "name": Msg("scr_part_scanner", {"name": _short(source.name)}).render(lang),
                "ok": connected,
                "text": Msg("scr_part_ready" if connected else "scr_part_absent").render(lang),
            }
        )
    if io.printer is not None:
        failing = printer_failing(rt, station)
        said = (
            Msg("scr_part_printer_fault", {"queued": rt.prints.pending()})
            if failing
            else Msg("scr_part_ready")
        )
        parts.append(
            {"name": Msg("scr_part_printer").render(lang), "ok": not failing, "text": said.render(lang)}
        )
    return {"parts": parts}


def _short(source_name: str) -> str:
    """`counter-1/scanner0` → `1`: a scanner as a clerk counts them."""
    tail = source_name.rsplit("/", 1)[-1]
    digits = re.sub(r"\D", "", tail)
    return str(int(digits) + 1) if digits else tail
