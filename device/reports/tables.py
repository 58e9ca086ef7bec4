"""Text tables and a message in the reader's language: the bricks of every text report."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.messages import Msg, Param


def t(lang: str, key: str, **params: Param) -> str:
    return Msg(key, params).render(lang)


def table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, a dashed line under the header."""
    widths = [max([len(h), *(len(row[i]) for row in body)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in body]
    return lines
