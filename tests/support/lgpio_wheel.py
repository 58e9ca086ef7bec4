"""The real lgpio, at the lock's version, for tests on a machine whose platform the lock gives none.

The lock installs lgpio on aarch64 only (a Pi), so a test that needs the real library's import
behaviour installs the same version, checked against the lock's hashes, with `pip --target`
into the git-ignored cache (``$PVZ_HIL_CACHE`` or ``<repo>/.hil-cache``, as tests/hil does),
once. PyPI publishes an x86_64 wheel of it; pip uses the index this machine is configured with.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements.lock"


class LgpioUnavailable(RuntimeError):
    """lgpio could not be installed here (no index reachable and nothing cached)."""


def _locked_requirement() -> tuple[str, str]:
    """lgpio's pin from the lock, without its platform marker, hashes kept: (version, requirement)."""
    text = LOCK.read_text(encoding="utf-8")
    found = re.search(r"^lgpio==(\S+) ;[^\n]*\\\n((?:\s+--hash=\S+(?: \\)?\n)+)", text, re.MULTILINE)
    if found is None:
        raise LgpioUnavailable("requirements.lock pins no lgpio")
    return found[1], f"lgpio=={found[1]} \\\n{found[2]}"


def lgpio_path() -> Path:
    """A directory to put on PYTHONPATH that holds the locked lgpio (installed on first use)."""
    version, requirement = _locked_requirement()
    cache = Path(os.environ.get("PVZ_HIL_CACHE") or REPO / ".hil-cache")
    target = cache / "wheels" / f"lgpio-{version}"
    if (target / "lgpio.py").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    req = target.parent / f"lgpio-{version}.txt"
    req.write_text(requirement, encoding="utf-8")
    partial = target.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)  # what an interrupted install left
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--require-hashes",
            "--target",
            str(partial),
            "-r",
            str(req),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not (partial / "lgpio.py").exists():
        raise LgpioUnavailable(f"pip could not install lgpio {version}: {result.stderr.strip()[-500:]}")
    partial.rename(target)
    return target
