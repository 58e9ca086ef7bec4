"""Everything a clerk or customer reads, in Russian (the default) and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workflows.texts import (
    acceptance,
    commands,
    common,
    deadlines,
    demo,
    documents,
    hardware,
    inventory,
    issue,
    placement,
    reports,
    return_to_sender,
    returns,
)

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

# One table per feature, all imported here: every text exists as soon as any message can be
# made, whatever was imported first. Parameters named "amount" are kopecks and print as money.
TABLES: tuple[Mapping[str, tuple[str, str]], ...] = (
    common.TEXTS,
    commands.TEXTS,
    acceptance.TEXTS,
    placement.TEXTS,
    issue.TEXTS,
    returns.TEXTS,
    return_to_sender.TEXTS,
    inventory.TEXTS,
    documents.TEXTS,
    reports.TEXTS,
    hardware.TEXTS,
    deadlines.TEXTS,
    demo.TEXTS,
)


def _merge(tables: tuple[Mapping[str, tuple[str, str]], ...]) -> dict[str, tuple[str, str]]:
    """One catalog of (Russian, English) by key; a key defined twice stops the import."""
    catalog: dict[str, tuple[str, str]] = {}
    for table in tables:
        clash = catalog.keys() & table.keys()
        if clash:
            raise KeyError(f"message keys defined twice: {sorted(clash)}")
        catalog.update(table)
    return catalog


CATALOG: Mapping[str, tuple[str, str]] = MappingProxyType(_merge(TABLES))


@dataclass(frozen=True, slots=True)
class Msg:
    """A message key and its parameters; rendered in the reader's language at the edge."""

    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in CATALOG:
            raise KeyError(f"message key {self.key!r} has no text")

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        template = CATALOG[self.key][LANGUAGES.index(lang)]
        values = {
            k: format_money(v, lang) if k == "amount" and isinstance(v, int) else v
            for k, v in self.params.items()
        }
        return template.format(**values)


def format_money(kopecks: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """1 234,50 ₽ in Russian, RUB 1,234.50 in English."""
    rubles, kop = divmod(kopecks, 100)
    if lang == "ru":
        return f"{rubles:,}".replace(",", "\u00a0") + f",{kop:02d} ₽"
    return f"RUB {rubles:,}.{kop:02d}"
