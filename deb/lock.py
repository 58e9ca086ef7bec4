"""The runtime part of requirements.lock, and the lock of the wheels the package ships.

requirements.lock is universal and holds the dev tools too (pytest, mypy, playwright, uv). The
device needs only what [project].dependencies pulls in: that closure is read from the lock's own
"# via" annotations, so no resolver and no network are involved and the versions stay the lock's.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Entry:
    """One pinned requirement: its text (line, marker and hashes) and the packages it is there for."""

    name: str
    text: str
    via: frozenset[str]


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    name, lines, via = "", list[str](), set[str]()

    def flush() -> None:
        if name:
            entries.append(Entry(name, "\n".join(lines).rstrip(" \\"), frozenset(via)))

    for line in text.splitlines():
        start = _REQ.match(line)
        if start:
            flush()
            name, lines, via = canonical(start.group(1)), [line], set()
        elif line.strip().startswith("--hash"):
            lines.append(line)
        elif line.strip().startswith("#"):
            comment = line.strip().lstrip("#").strip()
            comment = comment.removeprefix("via").strip()
            found = _NAME.match(comment)
            if comment and found:
                via.add("pvz" if comment.startswith("pvz (") else canonical(found.group(1)))
    flush()
    return entries


def runtime_roots(pyproject: Path) -> set[str]:
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    roots = set()
    for dep in deps:
        found = _NAME.match(dep)
        if found:
            roots.add(canonical(found.group(1)))
    return roots


def runtime_lock(lock: Path, pyproject: Path) -> str:
    """The lock's entries the application needs at run time (markers and hashes kept)."""
    entries = parse(lock.read_text())
    wanted = runtime_roots(pyproject)
    known = {e.name for e in entries}
    missing = wanted - known
    if missing:
        raise SystemExit(
            f"deb: {sorted(missing)} are dependencies in pyproject.toml but not in {lock}; run ./dev lock"
        )
    changed = True
    while changed:
        changed = False
        for entry in entries:
            if entry.name not in wanted and entry.via & wanted:
                wanted.add(entry.name)
                changed = True
    return "".join(e.text + "\n" for e in entries if e.name in wanted)


def wheels_lock(wheels: Iterable[Path]) -> str:
    """name==version with the sha256 of each shipped wheel: postinst installs exactly these, hash-checked.

    The wheels built from sdists (evdev, RPi.GPIO on arm64) have no hash in requirements.lock,
    so the installed set is pinned by what was built; requirements.lock ships beside it as the
    record of where each came from.
    """
    out = []
    for wheel in sorted(wheels, key=lambda p: p.name.lower()):
        name, version = wheel.name.split("-")[:2]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        out.append(f"{canonical(name)}=={version} \\\n    --hash=sha256:{digest}\n")
    return "".join(out)
