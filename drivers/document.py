"""A neutral printable document: what to print, not how; printers render it to bytes or text."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text (may wrap on paper)."""

    text: str
    bold: bool = False
    double: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class Columns:
    """A left and a right part on one line, e.g. an item and its price."""

    left: str
    right: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal separator line."""


@dataclass(frozen=True, slots=True)
class Barcode:
    """A Code128 barcode with its human-readable text."""

    data: str


@dataclass(frozen=True, slots=True)
class QR:
    """A QR code."""

    data: str


@dataclass(frozen=True, slots=True)
class Feed:
    """Blank lines."""

    lines: int = 1


Block = Text | Columns | Rule | Barcode | QR | Feed


@dataclass(frozen=True, slots=True)
class Document:
    """A document to print: a kind (receipt, acceptance_act, …), a title and blocks.

    `mark`, when set, is printed large above the title: "КОПИЯ" on a document printed again
    after its first print may already be on paper.
    """

    kind: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    mark: str = ""

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-able form, stored in the print queue."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "blocks": [_block_to_json(b) for b in self.blocks],
        }
        if self.mark:
            data["mark"] = self.mark
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(
            kind=str(data["kind"]),
            title=str(data["title"]),
            blocks=tuple(_block_from_json(b) for b in data["blocks"]),
            mark=str(data.get("mark", "")),
        )


def _block_to_json(block: Block) -> dict[str, Any]:
    match block:
        case Text(text=t, bold=b, double=d, align=a):
            return {"t": "text", "text": t, "bold": b, "double": d, "align": a.value}
        case Columns(left=left, right=right):
            return {"t": "cols", "left": left, "right": right}
        case Rule():
            return {"t": "rule"}
        case Barcode(data=data):
            return {"t": "barcode", "data": data}
        case QR(data=data):
            return {"t": "qr", "data": data}
        case Feed(lines=n):
            return {"t": "feed", "lines": n}
    raise TypeError(f"not a document block: {block!r}")


def _block_from_json(data: dict[str, Any]) -> Block:
    kind = data.get("t")
    if kind == "text":
        return Text(
            str(data["text"]),
            bool(data.get("bold", False)),
            bool(data.get("double", False)),
            Align(data.get("align", "left")),
        )
    if kind == "cols":
        return Columns(str(data["left"]), str(data["right"]))
    if kind == "rule":
        return Rule()
    if kind == "barcode":
        return Barcode(str(data["data"]))
    if kind == "qr":
        return QR(str(data["data"]))
    if kind == "feed":
        return Feed(int(data.get("lines", 1)))
    raise ValueError(f"unknown document block type {kind!r}")
