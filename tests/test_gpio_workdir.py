"""lgpio in a read-only working directory: a clear GpioUnavailable, not a bare FileNotFoundError.

Importing lgpio makes a notification pipe in the working directory (or $LG_WD). Under the
unit's ProtectSystem=strict a working directory of `/` is read-only, the pipe is never made and
lgpio's own `open()` of it raises FileNotFoundError. These tests make that happen for real: the
locked lgpio (tests/support/lgpio_wheel.py) imported in a fresh interpreter whose working
directory it cannot write (mode 0555; as root, with the capabilities that override file modes
dropped by setpriv).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.lgpio_wheel import REPO, LgpioUnavailable, lgpio_path

PROBE = """
import sys
from drivers.lights.pin_factories import GpioUnavailable, make_factory
try:
    import lgpio
except Exception as exc:
    print("raw", type(exc).__name__)
try:
    make_factory("lgpio")
except GpioUnavailable as exc:
    print("pvz", type(exc).__name__, type(exc.__cause__).__name__)
    print(exc)
"""


@pytest.fixture(scope="module")
def lgpio_dir() -> Path:
    try:
        return lgpio_path()
    except LgpioUnavailable as exc:
        pytest.skip(str(exc))


def probe(lgpio_dir: Path, cwd: Path, env: dict[str, str]) -> list[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv (util-linux) to drop root's override of file modes")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]
    result = subprocess.run(
        [*prefix, sys.executable, "-c", PROBE],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": f"{lgpio_dir}{os.pathsep}{REPO}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ro"
    path.mkdir(mode=0o555)
    path.chmod(0o555)
    return path


def test_read_only_working_directory_is_gpio_unavailable(lgpio_dir: Path, read_only_dir: Path) -> None:
    lines = probe(lgpio_dir, read_only_dir, {"LG_WD": ""})
    assert lines[0] == "raw FileNotFoundError"  # what lgpio itself does there
    assert lines[1] == "pvz GpioUnavailable FileNotFoundError"
    assert "writable working directory" in lines[2] and str(read_only_dir) in lines[2]
    assert not list(read_only_dir.iterdir())


def test_lg_wd_gives_lgpio_a_writable_place(lgpio_dir: Path, read_only_dir: Path, tmp_path: Path) -> None:
    """With LG_WD (the unit sets it, and WorkingDirectory=, to the state directory) lgpio imports;
    on this machine it then finds no GPIO chip, which is the other, ordinary GpioUnavailable."""
    state = tmp_path / "state"
    state.mkdir()
    lines = probe(lgpio_dir, read_only_dir, {"LG_WD": str(state)})
    assert not [ln for ln in lines if ln.startswith("raw")]
    if lines:
        assert lines[0].startswith("pvz GpioUnavailable")
        assert "working directory" not in lines[1]
    assert [p.name for p in state.iterdir()] == [".lgd-nfy0"]
