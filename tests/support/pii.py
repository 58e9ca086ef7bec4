"""Looking for a customer's personal data in files: names in any case form, phones, codes.

A test collects what it knows about its customers (`needles(names=…, phones=…, codes=…)`), runs
the device, and hands every log, capture and output file to `scan` (or `assert_clean`). What is
looked for:

- a name: each of its words cut to a stem (the last vowel, й or ь off), without regard to letter
  case or ё/е, so that "Петров", "ПЕТРОВА", "Петрову" and the mask's "Иван" are all found;
- a phone: its last ten digits with every separator dropped, within one line (so "+7 916
  123-45-67", "89161234567" and "(916) 1234567" are all found);
- a code or token: as a whole word (not inside a longer run of letters and digits).

JSON's \\uXXXX escapes are read as the characters they stand for, so that a capture written
with ensure_ascii hides nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Match = Literal["stem", "digits", "word"]
_ENDINGS = "аеёиоуыэюяйь"  # what a Russian name's case forms change at its end
_MIN_STEM = 3
_PHONE_DIGITS = 10  # a Russian mobile number without its country code
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class Needle:
    """One thing that must not appear: `what` says whose it is, for the failure message."""

    text: str
    match: Match
    what: str


@dataclass(frozen=True, slots=True)
class Leak:
    path: Path
    line: int
    needle: Needle
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.needle.what} ({self.needle.text!r}) in {self.excerpt!r}"


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def stem(word: str) -> str:
    """A name's word as every case form of it starts: "Мария" → "мари", "Петров" → "петров"."""
    folded = _fold(word.strip(".,"))
    if len(folded) > _MIN_STEM and folded[-1] in _ENDINGS:
        return folded[:-1]
    return folded


def person(name: str) -> list[Needle]:
    """Every word of a full name, each as a stem (an initial alone is too short to look for)."""
    return [Needle(stem(w), "stem", f"name of {name}") for w in name.split() if len(stem(w)) >= _MIN_STEM]


def phone(number: str) -> list[Needle]:
    digits = "".join(c for c in number if c.isdigit())
    return [Needle(digits[-_PHONE_DIGITS:], "digits", f"phone {number}")]


def code(text: str, what: str = "pickup code") -> list[Needle]:
    return [Needle(text, "word", what)]


def needles(
    *, names: Iterable[str] = (), phones: Iterable[str] = (), codes: Iterable[str] = ()
) -> list[Needle]:
    """Everything to look for about these people, once each: full names, phones, codes and tokens."""
    found: dict[str, Needle] = {}
    for needle in [
        *(n for name in names for n in person(name)),
        *(n for number in phones for n in phone(number)),
        *(n for text in codes for n in code(text)),
    ]:
        found.setdefault(needle.text, needle)
    return list(found.values())


def _compiled(needle: Needle) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(needle.text)}(?![0-9A-Za-z])", re.IGNORECASE)


def scan(files: Iterable[Path], needles: Sequence[Needle]) -> list[Leak]:
    """Every line of every file that holds any of the needles (a file that does not exist is an error)."""
    words = [(n, _compiled(n)) for n in needles if n.match == "word"]
    stems = [n for n in needles if n.match == "stem"]
    digits = [n for n in needles if n.match == "digits"]
    leaks = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), raw)
            folded = _fold(line)
            only_digits = "".join(c for c in line if c.isdigit())
            found = [n for n in stems if n.text in folded]
            found += [n for n in digits if n.text in only_digits]
            found += [n for n, pattern in words if pattern.search(line)]
            leaks += [Leak(path, number, n, line[:200]) for n in found]
    return leaks


def assert_clean(files: Iterable[Path], needles: Sequence[Needle]) -> None:
    files = list(files)
    assert files, "nothing to scan"
    leaks = scan(files, needles)
    assert not leaks, f"{len(leaks)} leak(s) of personal data:\n" + "\n".join(str(x) for x in leaks[:20])
