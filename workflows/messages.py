"""Everything a clerk or customer reads, in Russian (the default) and English."""

from __future__ import annotations

import enum
import re
import string
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
    dropoff,
    events,
    hardware,
    inventory,
    issue,
    kiosk,
    kiosk_page,
    names,
    pairing,
    placement,
    privacy,
    reports,
    return_to_sender,
    returns,
    rollouts,
    screen,
    send,
    site_main,
    site_screen,
    station_link,
    stats,
    tickets,
    update,
)

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

# One table per feature, all imported here: every text exists as soon as any message can be
# made, whatever was imported first. Parameters named "amount" are kopecks and print as money.
TABLES: tuple[Mapping[str, tuple[str, str]], ...] = (
    common.TEXTS,
    commands.TEXTS,
    acceptance.TEXTS,
    dropoff.TEXTS,
    placement.TEXTS,
    issue.TEXTS,
    kiosk.TEXTS,
    returns.TEXTS,
    return_to_sender.TEXTS,
    send.TEXTS,
    inventory.TEXTS,
    documents.TEXTS,
    reports.TEXTS,
    events.TEXTS,
    hardware.TEXTS,
    deadlines.TEXTS,
    demo.TEXTS,
    names.TEXTS,
    screen.TEXTS,
    pairing.TEXTS,
    privacy.TEXTS,
    kiosk_page.TEXTS,
    stats.TEXTS,
    tickets.TEXTS,
    site_main.TEXTS,
    site_screen.TEXTS,
    station_link.TEXTS,
    update.TEXTS,
    rollouts.TEXTS,
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
    params: Mapping[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in CATALOG:
            raise KeyError(f"message key {self.key!r} has no text")

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        template = CATALOG[self.key][LANGUAGES.index(lang)]
        template = PLURAL.sub(lambda m: _plural_form(m, self.params, lang), template)
        return template.format(**{k: _value(k, v, lang) for k, v in self.params.items()})


# A parameter is a number, a code as it was scanned, or another message: the name of a state,
# a workflow or a reason, rendered in the same language (never its identifier).
Param = str | int | Msg


def _value(name: str, value: Param, lang: str) -> str | int:
    if isinstance(value, Msg):
        return value.render(lang)
    if name == "amount" and isinstance(value, int):
        return format_money(value, lang)
    return value


# A word that agrees with a number parameter: "{count} {count|ячейка|ячейки|ячеек}" in Russian
# (one, few, many), "{count} {count|cell|cells}" in English (one, other).
PLURAL = re.compile(r"\{(?P<name>[a-z_]+)\|(?P<forms>[^{}]*)\}")


def plural(count: int, forms: tuple[str, ...], lang: str = DEFAULT_LANGUAGE) -> str:
    """The form of a word that agrees with `count` under the language's rules.

    Russian has three forms: 1, 21, 101 take the first ("ячейка"); 2-4, 22-24 the second
    ("ячейки"); 0, 5-20, 25-30, 11-14 in any hundred the third ("ячеек"). English has two.
    """
    n = abs(count)
    if lang == "ru":
        if len(forms) != 3:
            raise ValueError(f"a Russian plural needs 3 forms, got {forms!r}")
        if n % 10 == 1 and n % 100 != 11:
            return forms[0]
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return forms[1]
        return forms[2]
    if len(forms) != 2:
        raise ValueError(f"an English plural needs 2 forms, got {forms!r}")
    return forms[0] if n == 1 else forms[1]


def _plural_form(match: re.Match[str], params: Mapping[str, Param], lang: str) -> str:
    count = params[match["name"]]
    if not isinstance(count, int):
        raise TypeError(f"plural of {match['name']!r} needs a whole number, got {count!r}")
    return plural(count, tuple(match["forms"].split("|")), lang)


def plural_names(template: str) -> set[str]:
    """The parameters a template names, plural words included: what both languages must share."""
    return {m["name"] for m in PLURAL.finditer(template)} | {
        name for _, name, _, _ in string.Formatter().parse(PLURAL.sub("", template)) if name
    }


def format_money(kopecks: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """1 234,50 ₽ in Russian, RUB 1,234.50 in English."""
    rubles, kop = divmod(kopecks, 100)
    if lang == "ru":
        return f"{rubles:,}".replace(",", "\u00a0") + f",{kop:02d} ₽"
    return f"RUB {rubles:,}.{kop:02d}"


def state_name(state: str) -> Msg:
    """A parcel state as a person reads it ("не поступило"), from its value ("missing")."""
    return Msg(f"rep_state_{state}")


def workflow_name(name: str) -> Msg:
    """A workflow as a person reads it, in the accusative a prompt needs ("завершите приёмку")."""
    return Msg(f"wf_{name}")


def return_reason_name(reason: str | None) -> Msg:
    """Why a parcel goes back, as a person reads it; a reason this version does not know reads as other."""
    key = f"why_{reason}"
    return Msg(key if key in CATALOG else "why_unknown")


def command_name(command: enum.Enum) -> Msg:
    """A command barcode as the command card names it ("Готово"), never its code ("DONE")."""
    return Msg(f"cmd_{command.name}")


def zone_name(zone: str) -> Param:
    """A rack zone as a person reads it; a zone the site named itself shows by that name."""
    key = f"zone_{zone}"
    return Msg(key) if key in CATALOG else zone
