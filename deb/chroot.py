"""Debian 12 roots of either architecture, cached by what they hold, and running commands in them.

The arm64 root runs under qemu-user (binfmt), so building the wheels without arm64 wheels on
PyPI (evdev, RPi.GPIO) needs no arm64 machine. Roots come from mmdebstrap with the host's own
apt sources, so nothing is fetched from anywhere apt is not already configured to use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("pvz.deb")

REPO = Path(__file__).resolve().parents[1]
SUITE = "bookworm"
HOST_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
FORMAT_VERSION = "1"  # bump to force new roots

# What each root is for. `build`: compiling the wheels PyPI lacks. `target`: a plain device root
# with exactly the package's Depends, and no compiler, to install the .deb into.
BUILD_PACKAGES = (
    "python3",
    "python3-venv",
    "python3-pip",
    "python3-dev",
    "gcc",
    "linux-libc-dev",
    "ca-certificates",
)
TARGET_PACKAGES = ("python3", "python3-venv", "libusb-1.0-0", "systemd", "init-system-helpers")


def cache_dir() -> Path:
    """Heavy artefacts live where tests/hil keeps its own: $PVZ_HIL_CACHE or <repo>/.hil-cache."""
    return Path(os.environ.get("PVZ_HIL_CACHE") or REPO / ".hil-cache") / "deb"


def sources() -> Path:
    """The host's apt sources: the roots use the same mirror (no host name is written here)."""
    if HOST_SOURCES.is_file():
        return HOST_SOURCES
    return Path("/etc/apt/sources.list")


def root_key(arch: str, packages: Sequence[str]) -> str:
    text = "\n".join([FORMAT_VERSION, SUITE, arch, *sorted(packages), sources().read_text()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ensure_root(arch: str, role: str, packages: Sequence[str]) -> Path:
    """A cached Debian 12 root for `arch` holding `packages`; made once (minutes), then reused."""
    root = cache_dir() / f"root-{role}-{arch}-{root_key(arch, packages)}"
    if (root / ".pvz-complete").exists():
        return root
    need_apt("mmdebstrap", "arch-test")
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    log.info("making the %s %s root (once; cached in %s)", arch, role, root)
    subprocess.run(
        [
            "mmdebstrap",
            "--quiet",
            "--mode=root",
            "--variant=apt",
            f"--architectures={arch}",
            f"--include={','.join(packages)}",
            SUITE,
            str(partial),
            str(sources()),
        ],
        check=True,
    )
    (partial / ".pvz-complete").write_text(arch + "\n")
    partial.rename(root)
    return root


def run_in(
    root: Path,
    argv: Sequence[str],
    *,
    network: bool = True,
    binds: Sequence[tuple[Path, str, bool]] = (),
    env: dict[str, str] | None = None,
    check: bool = True,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` chrooted into `root`, in its own mount namespace (nothing stays mounted).

    /proc and /dev are mounted inside; `binds` are (host path, path in the root, writable). Without `network` the command gets an empty network namespace: the device's
    install must need nothing from the network, and this proves it.
    """
    script = [
        "set -e",
        f"R={shlex.quote(str(root))}",
        'mount -t proc proc "$R/proc"',
        'mount --rbind /dev "$R/dev"',
        'mount --make-rslave "$R/dev"',
    ]
    for host, inside, writable in binds:
        target = f'"$R"{shlex.quote(inside)}'
        script += [f"mkdir -p {target}", f"mount --bind {shlex.quote(str(host))} {target}"]
        if not writable:
            script.append(f"mount -o remount,bind,ro {target}")
    if network:
        script.append('cp -L /etc/resolv.conf "$R/etc/resolv.conf"')
    script.append('exec chroot "$R" ' + shlex.join(argv))
    unshare = ["unshare", "--mount", "--propagation", "private", "--fork", "--pid", "--mount-proc"]
    if not network:
        unshare.append("--net")
    full_env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/root",
        "DEBIAN_FRONTEND": "noninteractive",
        **(env or {}),
    }
    return subprocess.run(
        [*unshare, "sh", "-c", "\n".join(script)],
        env=full_env,
        check=check,
        text=True,
        capture_output=capture,
        stdin=subprocess.DEVNULL,
    )


def need_apt(*packages: str) -> None:
    """Install missing host tools the way ./dev does (others run apt at the same time: wait for the lock)."""
    missing = [p for p in packages if not _installed(p)]
    if not missing:
        return
    log.info("installing Debian packages: %s", " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=900"]
    subprocess.run(["apt-get", *lock, "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", *lock, "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env
    )


def _installed(package: str) -> bool:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], check=False, capture_output=True, text=True
    )
    return "install ok installed" in done.stdout
