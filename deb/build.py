"""`./dev deb [--arch amd64|arm64]`: dist/pvz_<version>_<arch>.deb, built with dpkg-deb alone.

The package ships the application as wheels (pvz's own and every runtime requirement, built for
the architecture by deb.wheels) with their lock, and postinst builds the release venv from them
offline (deb/release.py). Building the venv at install time rather than here is what lets an
upgrade keep the old release: dpkg deletes every file of the old version that the new one does
not ship, so a venv inside the package could not survive a failed migration. The cost is a pip
install from local wheels on the device, no compiler and no network.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from email.utils import formatdate
from pathlib import Path

from deb import chroot, wheels
from deb.lock import runtime_lock, wheels_lock

log = logging.getLogger("pvz.deb")

HERE = Path(__file__).resolve().parent
ARCHES = ("amd64", "arm64")
MAINTAINER = "pvz developers <pvz-dev@lists.example.org>"
# The wheels are cp311 builds: a Python other than Debian 12's 3.11 could not load them.
DEPENDS = (
    "python3 (>= 3.11)",
    "python3 (<< 3.12)",
    "python3-venv",
    "libusb-1.0-0",
    "systemd",
    "init-system-helpers (>= 1.54~)",
)
# Repository file -> where Debian wants it in the package.
SYSTEM_FILES = {
    "systemd/pvz.service": "lib/systemd/system/pvz.service",
    "systemd/pvz-update.path": "lib/systemd/system/pvz-update.path",
    "systemd/pvz-update.service": "lib/systemd/system/pvz-update.service",
    "systemd/60-pvz.rules": "lib/udev/rules.d/60-pvz.rules",
    "systemd/pvz.sysusers": "usr/lib/sysusers.d/pvz.conf",
    "systemd/pvz.tmpfiles": "usr/lib/tmpfiles.d/pvz.conf",
}
DOCS = {
    "docs/install.md": "install.md",
    "docs/rollout.md": "rollout.md",
    "docs/config.example.toml": "config.example.toml",
}
DESCRIPTION = """\
parcel pickup point device service
 pvz runs a parcel pickup point on a Raspberry Pi: barcode scanners, the
 receipt printer and the rack's cell lights, the parcel lifecycle in an
 SQLite store that works offline, and MQTT sync with the central system.
 .
 The application is installed from the wheels in this package into its own
 virtual environment under /opt/pvz, offline and without a compiler."""


def version(src: Path) -> str:
    return str(tomllib.loads((src / "pyproject.toml").read_text())["project"]["version"])


def build(src: Path, arch: str, out_dir: Path) -> Path:
    """Build the package for `arch` from the tree at `src`; return the .deb's path."""
    if arch not in ARCHES:
        raise SystemExit(f"deb: --arch must be one of {', '.join(ARCHES)}")
    ver = version(src)
    deps = wheels.dependency_wheels(src, arch)
    with tempfile.TemporaryDirectory(prefix="pvz-deb-") as tmp:
        tree = Path(tmp) / "tree"
        lib = tree / "usr/lib/pvz"
        (lib / "wheels").mkdir(parents=True)
        for wheel in deps.glob("*.whl"):
            shutil.copy2(wheel, lib / "wheels" / wheel.name)
        wheels.app_wheel(src, lib / "wheels")
        (lib / "wheels.lock").write_text(wheels_lock((lib / "wheels").glob("*.whl")))
        (lib / "requirements.lock").write_text(
            runtime_lock(src / "requirements.lock", src / "pyproject.toml")
        )
        _install(HERE / "release.py", lib / "release", 0o755)
        for source, target in SYSTEM_FILES.items():
            if not (src / source).is_file():
                raise SystemExit(f"deb: {source} is missing; the package installs it as /{target}")
            _install(src / source, tree / target, 0o644)
        _install(HERE / "debian/pvz.toml", tree / "etc/pvz/pvz.toml", 0o640)
        doc = tree / "usr/share/doc/pvz"
        _install(HERE / "debian/copyright", doc / "copyright", 0o644)
        for source, name in DOCS.items():
            if (src / source).is_file():
                _install(src / source, doc / name, 0o644)
        _changelog(doc / "changelog.gz", ver)
        _control(tree, ver, arch)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"pvz_{ver}_{arch}.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return deb


def _install(source: Path, target: Path, mode: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def _changelog(path: Path, ver: str) -> None:
    when = formatdate(float(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    text = f"pvz ({ver}) unstable; urgency=medium\n\n  * pvz {ver}.\n\n -- {MAINTAINER}  {when}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(text.encode())
    path.chmod(0o644)


def _control(tree: Path, ver: str, arch: str) -> None:
    debian = tree / "DEBIAN"
    debian.mkdir()
    for script in ("postinst", "prerm", "postrm"):
        text = (HERE / "debian" / script).read_text().replace("@VERSION@", ver)
        (debian / script).write_text(text)
        (debian / script).chmod(0o755)
    (debian / "conffiles").write_text("/etc/pvz/pvz.toml\n")
    files = sorted(p for p in tree.rglob("*") if p.is_file() and "DEBIAN" not in p.relative_to(tree).parts)
    sums = [
        f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(tree)}\n"  # noqa: S324 (dpkg's format)
        for p in files
        if p.relative_to(tree).parts[0] != "etc"
    ]
    (debian / "md5sums").write_text("".join(sums))
    size_kib = sum((p.stat().st_size + 1023) // 1024 for p in files)
    fields = {
        "Package": "pvz",
        "Version": ver,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(size_kib),
        "Depends": ", ".join(DEPENDS),
        "Section": "misc",
        "Priority": "optional",
        "Description": DESCRIPTION,
    }
    (debian / "control").write_text("".join(f"{k}: {v}\n" for k, v in fields.items()))
    for p in [debian, *debian.iterdir()]:
        if p.name not in ("postinst", "prerm", "postrm"):
            p.chmod(0o755 if p.is_dir() else 0o644)


def lintian(deb: Path) -> list[str]:
    """lintian's error lines (E:) for the package; warnings are printed but do not fail."""
    chroot.need_apt("lintian")
    done = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(deb)], check=False, capture_output=True, text=True
    )
    return done.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev deb", description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="amd64", choices=ARCHES)
    parser.add_argument("--out", default="dist", help="output directory (default: dist)")
    parser.add_argument("--no-lintian", action="store_true", help="skip the lintian check")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="deb: %(message)s")
    if os.geteuid() != 0:
        raise SystemExit("deb: run as root: the wheels are built in a chroot")
    started = time.monotonic()
    deb = build(chroot.REPO, args.arch, Path(args.out))
    log.info("%s: %.1f MB, built in %.0f s", deb, deb.stat().st_size / 1e6, time.monotonic() - started)
    if not args.no_lintian:
        lines = lintian(deb)
        for line in lines:
            print(line)
        if any(line.startswith("E:") for line in lines):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
