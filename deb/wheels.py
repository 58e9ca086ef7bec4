"""The wheels a package ships: every runtime requirement built for the package's architecture.

PyPI has no arm64 wheels of evdev 2.0.0 and RPi.GPIO 0.7.1, and the Pi must need no compiler,
so `pip wheel` runs in a Debian 12 root of the target architecture (qemu-user for arm64): it
downloads the wheels PyPI has and compiles the rest there, against Debian 12's Python 3.11 and
glibc, the ones the Pi runs. The result is cached by the runtime lock, the architecture and the
root, so only a lock change builds again (about 70 s of emulation for arm64).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deb import chroot
from deb.lock import runtime_lock

log = logging.getLogger("pvz.deb")

FORMAT_VERSION = "1"  # bump to force the wheels to be built again
HOST_CA = Path(os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt")
SOURCES = ("pyproject.toml", "README.md", "device", "drivers", "workflows", "sync", "central")


def dependency_wheels(src: Path, arch: str) -> Path:
    """A directory of wheels for every runtime requirement of `src`'s lock, for `arch`."""
    lock = runtime_lock(src / "requirements.lock", src / "pyproject.toml")
    root = chroot.ensure_root(arch, "build", chroot.BUILD_PACKAGES)
    key = hashlib.sha256("\n".join([FORMAT_VERSION, arch, root.name, lock]).encode()).hexdigest()[:12]
    out = chroot.cache_dir() / f"wheels-{arch}-{key}"
    if (out / ".pvz-complete").exists():
        return out
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="pvz-deb-lock-") as tmp:
        (Path(tmp) / "runtime.lock").write_text(lock)
        # The host's CA bundle: whatever the host trusts for its package index, pip in the root does too.
        shutil.copyfile(HOST_CA, Path(tmp) / "ca.crt")
        log.info("building the %s wheels in %s (once per lock)", arch, root.name)
        chroot.run_in(
            root,
            [
                "python3",
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-cache-dir",
                "--disable-pip-version-check",
                "--require-hashes",
                "-r",
                "/pvz-in/runtime.lock",
                "-w",
                "/pvz-out",
            ],
            binds=[(Path(tmp), "/pvz-in", False), (partial, "/pvz-out", True)],
            env={"PIP_CERT": "/pvz-in/ca.crt"},
        )
    (partial / ".pvz-complete").write_text(lock)
    partial.rename(out)
    return out


def app_wheel(src: Path, into: Path) -> Path:
    """pvz's own wheel (pure Python, any architecture), built from a clean copy of `src`."""
    with tempfile.TemporaryDirectory(prefix="pvz-deb-src-") as tmp:
        copy = Path(tmp) / "src"
        copy.mkdir()
        for name in SOURCES:
            item = src / name
            if item.is_dir():
                shutil.copytree(item, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(item, copy / name)
        uv = Path(sys.executable).with_name("uv")
        built = Path(tmp) / "dist"
        subprocess.run(
            [str(uv), "build", "--quiet", "--wheel", "--out-dir", str(built), str(copy)], check=True
        )
        found = sorted(built.glob("pvz-*.whl"))
        if len(found) != 1:
            raise SystemExit(f"deb: expected one pvz wheel, found {[p.name for p in found]}")
        return Path(shutil.copy2(found[0], into / found[0].name))
