"""What a station's page shows, as JSON: the words are rendered here in the station's language,
so the page holds no words and no internal name (a state, a workflow, a reason) reaches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from device.engine import station_clerk
from device.screen.tickets_panel import tickets_panel
from device.store.queries import StoreQueries
from workflows import issue_model
from workflows.customer import masked_name, shown_phone
from workflows.inputs import Command
from workflows.messages import Msg, command_name, format_money, plural_names
from workflows.session import Session
from workflows.texts import screen as screen_texts

if TYPE_CHECKING:
    from device.runtime import Runtime

# The page's fixed words: `labels[<name>]` is the text of `scr_<name>`, every screen text that
# takes no parameter (headings, the legend, the keypad, the connection banner).
LABELS = tuple(
    key.removeprefix("scr_") for key, (ru, en) in screen_texts.TEXTS.items() if not plural_names(ru + en)
)

# The command buttons a station offers: with no session the workflows it can start, otherwise
# what the open workflow takes. A button sends its command's barcode, like the printed card.
IDLE_BUTTONS = (
    Command.START_ISSUE,
    Command.START_ACCEPTANCE,
    Command.START_PLACEMENT,
    Command.START_RETURN,
    Command.START_RETURN_TO_SENDER,
    Command.START_INVENTORY,
    Command.START_DROPOFF,
    Command.SHIFT_CLOSE,
)
WORKFLOW_BUTTONS: dict[str, tuple[Command, ...]] = {
    "issue": (
        Command.PAID_CASH,
        Command.PAID_CARD,
        Command.REFUSE_ITEM,
        Command.ID_CHECKED,
        Command.DONE,
        Command.CANCEL,
    ),
    "acceptance": (Command.DAMAGED, Command.DONE, Command.CANCEL),
    "placement": (Command.DONE, Command.CANCEL),
    "customer_return": (Command.CHECK_OK, Command.CHECK_FAIL, Command.DONE, Command.CANCEL),
    "return_to_sender": (Command.REFUSE_ITEM, Command.DONE, Command.CANCEL),
    "inventory": (Command.DONE, Command.CANCEL),
    "dropoff": (Command.DONE, Command.CANCEL),
}
RELEASED = (issue_model.State.COLLECTING, issue_model.State.REFUSE_NEXT)
BUTTON_KIND = {Command.DONE: "primary", Command.CANCEL: "danger", Command.REFUSE_ITEM: "danger"}


@dataclass(frozen=True, slots=True)
class Message:
    """What the station's screen was last told: a scan's result, a fault, the pick list."""

    seq: int
    title: str
    lines: tuple[str, ...]
    tone: str  # ok, info, warn, error
    scan: str | None  # the masked code this answers, when it answers a scan
    at: str

    def json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "title": self.title,
            "lines": list(self.lines),
            "tone": self.tone,
            "scan": self.scan,
            "at": self.at,
        }


def labels(lang: str) -> dict[str, str]:
    return {name: Msg(f"scr_{name}").render(lang) for name in LABELS}


def station_part(rt: Runtime, station: str, message: Message) -> dict[str, Any]:
    """The station's own part of the page: its message, prompt, clerk, order, counts and buttons."""
    lang = rt.lang_of(station)
    engine = rt.engine
    conn = engine.store.conn
    q = StoreQueries(conn, pickup_key=engine.pickup_key, now=engine.clock())
    session = engine.session(station)
    badge = station_clerk(conn, station)
    clerk = None if badge is None else q.clerk(badge)
    if session is not None:
        doing = engine.describe(station)
        prompt = "" if doing is None else doing.render(lang)
    else:
        prompt = Msg("scr_prompt_idle" if badge else "scr_prompt_sign_in").render(lang)
    order = _order(session, q, lang)
    commands = IDLE_BUTTONS if session is None else WORKFLOW_BUTTONS.get(session.workflow.name, ())
    return {
        "station": station,
        "screen": message.json(),
        "prompt": prompt,
        "workflow": None if session is None else Msg(f"scr_wf_{session.workflow.name}").render(lang),
        "clerk": None if clerk is None else {"name": clerk.name},
        "order": order,
        "acceptance": _acceptance(session, q, lang),
        "buttons": [
            {
                "code": command.barcode,
                "text": command_name(command).render(lang),
                "kind": BUTTON_KIND.get(command, "normal"),
            }
            for command in commands
        ],
        # A code to dictate is asked for until an order is released; then the page needs the room.
        "keypad": order is None,
        "tickets": tickets_panel(conn, lang, engine.docs.tz),
    }


def _order(session: Session[Any, Any] | None, q: StoreQueries, lang: str) -> dict[str, Any] | None:
    """The order being issued, once released: its parcels, their cells, what is still to pay."""
    if session is None or session.workflow.name != issue_model.NAME:
        return None
    data: issue_model.IssueData = session.data
    # An order shown by its number alone (or one of several a code fits) is not released yet:
    # its parcels and cells show only once its code or QR released it.
    if not data.order or session.state not in RELEASED:
        return None
    taken, refused = set(data.taken), set(data.refused)
    rows = []
    for parcel in issue_model.parcels_of(data.parcels, q):
        status = "taken" if parcel.barcode in taken else "refused" if parcel.barcode in refused else "waiting"
        cell = None if parcel.cell is None else q.cell_by_address(parcel.cell)
        rows.append(
            {
                "code": parcel.barcode,
                "cell": None if cell is None or status != "waiting" else cell.label,
                "status": status,
                "status_text": Msg(f"scr_parcel_{status}").render(lang),
                "adult": parcel.age_restricted,
                "damaged": parcel.damaged,
                "amount": format_money(parcel.cod_kopecks, lang) if parcel.cod_kopecks else None,
            }
        )
    due = issue_model.due(data, q)
    paid = None
    if data.payment:
        paid = Msg(f"scr_paid_{data.payment}", {"amount": data.paid_kopecks}).render(lang)
    return {
        "number": data.order,
        "customer": masked_name(data.customer),
        "phone": _phone(q, data.order),
        "parcels": rows,
        "left": issue_model.left_to_take(data),
        "due": format_money(due, lang) if due and not data.payment else None,
        "paid": paid,
        "adult": any(r["adult"] for r in rows if r["status"] != "refused"),
        "damaged": any(r["damaged"] for r in rows if r["status"] != "refused"),
    }


def _phone(q: StoreQueries, order_id: str) -> str | None:
    """The phone's last four digits as the clerk checks them with the customer: "•••• 4567"."""
    order = q.order(order_id)
    return None if order is None else shown_phone(order.phone_tail)


def _acceptance(session: Session[Any, Any] | None, q: StoreQueries, lang: str) -> dict[str, Any] | None:
    """The supply being accepted: parcels here out of those listed, in all and per package."""
    if session is None or session.workflow.name != "acceptance" or session.data.supply is None:
        return None
    supply: str = session.data.supply
    total = q.supply_progress(supply)
    rows = q.conn.execute("SELECT barcode FROM packages WHERE supply_id = ? ORDER BY barcode", (supply,))
    boxes = []
    for (barcode,) in rows.fetchall():
        got = q.package_progress(barcode)
        boxes.append({"code": barcode, "done": got.done, "total": got.total, "text": _progress(got, lang)})
    return {
        "supply": supply,
        "done": total.done,
        "total": total.total,
        "text": _progress(total, lang),
        "boxes": boxes,
    }


def _progress(progress: Any, lang: str) -> str:
    return Msg("scr_progress", {"done": progress.done, "total": progress.total}).render(lang)
