"""`pvz tickets ls|show`: the device's exception queue, for the clerk and the technician."""

from __future__ import annotations

import argparse
import json
from typing import Any

from device.cli.common import Add, store_opts, store_path
from device.exc import PvzError
from workflows.messages import Msg


def _tickets(args: argparse.Namespace) -> int:
    from device.store.db import Store
    from device.store.tickets import get_ticket, list_tickets

    path = store_path(args)
    if not path.exists():
        raise PvzError(f"{path}: no store there")
    with Store.open(path) as store:
        if args.action == "ls":
            rows = list_tickets(store.conn, open_only=args.open)
            print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else ls_text(rows, args.lang))
            return 0
        if not args.ticket:
            raise PvzError("tickets show: which ticket? Give its id, as pvz tickets ls lists it")
        row = get_ticket(store.conn, args.ticket)
    if row is None:
        print(Msg("tk_not_found", {"ticket": args.ticket}).render(args.lang))
        return 1
    print(json.dumps(row, ensure_ascii=False, indent=2) if args.json else show_text(row, args.lang))
    return 0


def ls_text(rows: list[dict[str, Any]], lang: str) -> str:
    """One line a ticket: its id, when, what happened and whether support has answered, in words."""
    if not rows:
        return Msg("tk_none").render(lang)
    lines = []
    for r in rows:
        params = {
            "ticket": r["ticket_id"],
            "opened": r["opened_at"],
            "kind": _kind(r, lang),
            "state": _state(r, lang),
        }
        lines.append(Msg("tk_line", params).render(lang))
    return "\n".join(lines)


def show_text(r: dict[str, Any], lang: str) -> str:
    """A ticket in full: what, where, the video to look at, and support's answer."""
    msgs = [
        Msg("doc_ticket", {"ticket": r["ticket_id"]}),
        Msg("tk_show_kind", {"kind": _kind(r, lang)}),
        Msg("tk_show_state", {"state": _state(r, lang)}),
        Msg("tk_show_opened", {"ts": r["opened_at"]}),
    ]
    if r["parcel"]:
        msgs.append(Msg("tk_show_parcel", {"parcel": r["parcel"]}))
    if r["order_id"]:
        msgs.append(Msg("tk_show_order", {"order": r["order_id"]}))
    msgs.append(Msg("tk_show_where", {"station": r["station"] or "-", "clerk": r["clerk"] or "-"}))
    window = {"start": r["evidence_from"], "end": r["evidence_to"]}
    if r["camera"]:
        msgs.append(Msg("tk_show_video", {"camera": r["camera"], **window}))
    else:
        msgs.append(Msg("tk_show_no_camera", window))
    if r["state"] == "resolved":
        msgs.append(Msg("tk_show_resolved", {"ts": r["resolved_at"], "text": r["resolution"]}))
    else:
        msgs.append(Msg("tk_show_waiting"))
    return "\n".join(m.render(lang) for m in msgs)


def _kind(r: dict[str, Any], lang: str) -> str:
    return Msg(f"tk_kind_{r['kind']}").render(lang)


def _state(r: dict[str, Any], lang: str) -> str:
    return Msg(f"tk_state_{r['state']}").render(lang)


def register(add: Add) -> None:
    p = add("tickets", "the exception queue and support's answers", _tickets)
    p.add_argument("action", choices=["ls", "show"])
    p.add_argument("ticket", nargs="?", help="the ticket's id (show)")
    p.add_argument("--open", action="store_true", help="only tickets support has not answered (ls)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the output")
    store_opts(p)
