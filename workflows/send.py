"""Sending from the point: the sender's signed QR, the content check, weight and sides, the label and receipt."""

from __future__ import annotations

from dataclasses import replace

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input, Weighed
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, NewSend, Note, PrintRequest
from workflows.queries import Queries
from workflows.send_model import (
    NAME,
    SIDES,
    TRANSITIONS,
    BadMeasure,
    S,
    SendData,
    State,
    check_grams,
    check_sides,
    keyed_cm,
    keyed_grams,
)
from workflows.send_qr import BadSendQr, load_public_key, looks_like_send_qr, verify
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, not_now, refuse

Sending = Session[State, SendData]
_ASK = {S.WIDTH: "send_ask_width", S.HEIGHT: "send_ask_height"}


def start(q: Queries, ctx: Ctx) -> Outcome:
    if not ctx.policy.send.public_key:
        return refuse(None, "send_not_configured")
    return Outcome(enter(WORKFLOW, S.QR, SendData()), Feedback(Level.INFO, Msg("send_start")))


def step(session: Sending, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    match inp:
        case Cmd(Command.CANCEL):
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("send_cancelled")))
        case Cmd(Command.CHECK_OK) if state is S.CHECK:
            return _ask_weight(session, ctx)
        case Cmd(Command.CHECK_FAIL) if state is S.CHECK:
            note = Note("send_refused", {"shipment": session.data.shipment, "reason": "content"})
            return finish(session, S.ENDED, Feedback(Level.WARN, Msg("send_content_refused")), (note,))
        case Cmd(command):
            return not_now(session, command, q)
        case Code(text=text) if state is S.QR:
            return _qr(session, text, q, ctx)
        case Code(text=text) if state is S.WEIGHT:
            try:
                return _weighed(session, keyed_grams(text), ctx)
            except BadMeasure as exc:
                return refuse(session, exc.reason, **exc.params)
        case Code(text=text) if state in SIDES:
            return _side(session, text, ctx)
        case Code():
            return refuse(session, "send_check_first", sender=session.data.sender)
    raise AssertionError(f"unhandled input {inp!r}")


def on_weighed(session: Sending, event: Weighed, q: Queries, ctx: Ctx) -> Outcome:
    """The counter's scale settled (or failed) while the session waits for a weight."""
    if session.state is not S.WEIGHT:
        return Outcome(session, Feedback(Level.INFO, describe(session, q)))
    if event.fault:
        return refuse(session, "send_scale_fault", reason=Msg(event.fault))
    try:
        return _weighed(session, event.grams, ctx)
    except BadMeasure as exc:
        return refuse(session, exc.reason, **exc.params)


def _qr(session: Sending, text: str, q: Queries, ctx: Ctx) -> Outcome:
    if not looks_like_send_qr(text):
        return refuse(session, "send_not_a_qr")
    try:
        shipment = verify(text, load_public_key(ctx.policy.send.public_key))
    except BadSendQr as exc:
        if exc.path:
            return refuse(session, exc.reason, path=exc.path)
        return refuse(session, exc.reason)
    if q.parcel(shipment.shipment_id) is not None:
        return refuse(session, "send_already_sent", shipment=shipment.shipment_id)
    data = SendData(shipment.shipment_id, shipment.to_point, shipment.size.value, shipment.sender)
    msg = Msg("send_check", {"sender": shipment.sender, "shipment": shipment.shipment_id})
    return Outcome(advance(session, S.CHECK, data), Feedback(Level.OK, msg))


def _ask_weight(session: Sending, ctx: Ctx) -> Outcome:
    key = "send_ask_weight_scale" if ctx.policy.send.scale else "send_ask_weight"
    return Outcome(advance(session, S.WEIGHT), _ok(key))


def _weighed(session: Sending, grams: int, ctx: Ctx) -> Outcome:
    grams = check_grams(grams, ctx.policy.send)
    nxt = advance(session, S.LENGTH, replace(session.data, weight_g=grams, sides_cm=()))
    return Outcome(nxt, Feedback(Level.OK, Msg("send_ask_length", {"weight": grams})))


def _side(session: Sending, text: str, ctx: Ctx) -> Outcome:
    rules = ctx.policy.send
    try:
        cm = keyed_cm(text, rules)
    except BadMeasure as exc:
        return refuse(session, exc.reason, **exc.params)
    sides = (*session.data.sides_cm, cm)
    if session.state is S.LENGTH:
        return Outcome(
            advance(session, S.WIDTH, replace(session.data, sides_cm=sides)), _ok("send_ask_width")
        )
    if session.state is S.WIDTH:
        return Outcome(
            advance(session, S.HEIGHT, replace(session.data, sides_cm=sides)), _ok("send_ask_height")
        )
    try:
        check_sides(sides, rules)
    except BadMeasure as exc:
        again = advance(session, S.LENGTH, replace(session.data, sides_cm=()))
        return Outcome(again, Feedback(Level.ERROR, Msg(exc.reason, dict(exc.params))))
    return _accept(session, replace(session.data, sides_cm=sides))


def _ok(key: str) -> Feedback:
    return Feedback(Level.OK, Msg(key))


def _accept(session: Sending, data: SendData) -> Outcome:
    """The parcel enters at outbound; the label goes on it, the receipt to the sender."""
    length, width, height = data.sides_cm
    send: Effect = NewSend(
        barcode=data.shipment,
        to_point=data.to_point,
        size=data.size,
        sender=data.sender,
        weight_g=data.weight_g,
        sides_mm=(length * 10, width * 10, height * 10),
    )
    doc = {
        "parcel": data.shipment,
        "to": data.to_point,
        "sender": data.sender,
        "weight_g": data.weight_g,
        "sides_cm": list(data.sides_cm),
    }
    fb = Feedback(Level.OK, Msg("send_accepted", {"shipment": data.shipment}))
    return finish(
        session, S.ENDED, fb, (send,), (PrintRequest("send_label", doc), PrintRequest("send_receipt", doc))
    )


def describe(session: Sending, q: Queries) -> Msg:
    """A send in progress: what the clerk does next."""
    data = session.data
    match session.state:
        case S.QR:
            return Msg("send_start")
        case S.CHECK:
            return Msg("send_check", {"sender": data.sender, "shipment": data.shipment})
        case S.WEIGHT:
            return Msg("send_ask_weight")
        case S.LENGTH:
            return Msg("send_ask_length", {"weight": data.weight_g})
        case _:
            return Msg(_ASK.get(session.state, "send_start"))


WORKFLOW: Workflow[State, SendData] = Workflow(
    NAME, State, TRANSITIONS, SendData, command=Command.START_SEND, start=start, step=step, describe=describe
)
