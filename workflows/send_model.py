"""Sending from the point: the session's states and data, and the keyed weight and sides read and checked."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from workflows.context import SendRules
from workflows.machine import Transitions

NAME = "send"


class State(enum.Enum):
    QR = "qr"  # waiting for the sender's QR code
    CHECK = "check"  # the clerk checks the contents: OK or FAIL
    WEIGHT = "weight"  # the weight: keyed, or from the scale
    LENGTH = "length"
    WIDTH = "width"
    HEIGHT = "height"
    ENDED = "ended"


S = State
SIDES = (S.LENGTH, S.WIDTH, S.HEIGHT)
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.QR: frozenset({S.CHECK, S.ENDED}),
        S.CHECK: frozenset({S.WEIGHT, S.ENDED}),
        S.WEIGHT: frozenset({S.LENGTH, S.ENDED}),
        S.LENGTH: frozenset({S.WIDTH, S.ENDED}),
        S.WIDTH: frozenset({S.HEIGHT, S.ENDED}),
        # sides that sum over the limit are measured again from the length
        S.HEIGHT: frozenset({S.LENGTH, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.QR},
)


@dataclass(frozen=True, slots=True)
class SendData:
    """The shipment its QR named and what the counter measured so far."""

    shipment: str = ""
    to_point: str = ""
    size: str = ""
    sender: str = ""  # masked by central
    weight_g: int = 0
    sides_cm: tuple[int, ...] = ()


class BadMeasure(ValueError):
    """A keyed or weighed measure refused; `reason` is a message key, `params` its words."""

    def __init__(self, reason: str, **params: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


_NUMBER = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,3})?")


def keyed_grams(text: str) -> int:
    """A weight typed on the keypad: whole grams ("1250"), or kilograms with a decimal point ("1.25")."""
    text = text.strip().lower().removesuffix("kg").removesuffix("g").strip()
    if not _NUMBER.fullmatch(text):
        raise BadMeasure("send_bad_weight")
    if "." in text or "," in text:
        try:
            return int((Decimal(text.replace(",", ".")) * 1000).to_integral_value())
        except InvalidOperation:
            raise BadMeasure("send_bad_weight") from None
    return int(text)


def check_grams(grams: int, rules: SendRules) -> int:
    if grams <= 0:
        raise BadMeasure("send_bad_weight")
    if grams > rules.max_weight_g:
        raise BadMeasure("send_too_heavy", weight=grams, limit=rules.max_weight_g)
    return grams


def keyed_cm(text: str, rules: SendRules) -> int:
    """One side typed in whole centimetres, within [send] max_side_cm."""
    text = text.strip().lower().removesuffix("cm").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) == 0:
        raise BadMeasure("send_bad_side")
    cm = int(text)
    if cm > rules.max_side_cm:
        raise BadMeasure("send_side_too_long", side=cm, limit=rules.max_side_cm)
    return cm


def check_sides(sides: tuple[int, ...], rules: SendRules) -> None:
    total = sum(sides)
    if total > rules.max_sides_sum_cm:
        raise BadMeasure("send_too_big", total=total, limit=rules.max_sides_sum_cm)
