"""Ingredients and boot of the hardware-in-the-loop guest: Debian's kernel under QEMU.

Everything comes from Debian's packages and is cached (``$PVZ_HIL_CACHE`` or ``<repo>/.hil-cache``):

- ``qemu-system-x86_64``: installed with apt (``--no-install-recommends``) when missing;
- the current kernel (``linux-image-amd64``'s dependency) and ``busybox-static``: fetched with
  ``apt-get download`` and unpacked with ``dpkg-deb -x``, never installed;
- an initramfs (newc cpio, gzip, written here in Python): busybox, the kernel modules the guest
  needs (dependencies read from each module's ``.modinfo``, ``.ko.xz`` decompressed) and
  ``guest_init.sh`` as ``/init``.

``boot()`` starts the guest with the machine's own root read-only over 9p (so it runs this very
checkout and virtual environment) and a second, writable 9p share for the job and its results.

Run ``python -m tests.hil.build`` to build the ingredients; ``--boot`` also boots every scenario.
"""

from __future__ import annotations

import argparse
import ctypes.util
import dataclasses
import gzip
import hashlib
import io
import json
import logging
import lzma
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("pvz.hil")
T = TypeVar("T")

HIL_DIR = Path(__file__).resolve().parent
REPO = HIL_DIR.parents[1]
INIT_SCRIPT = HIL_DIR / "guest_init.sh"
FORMAT_VERSION = "1"  # bump to force a rebuild of the initramfs

# Modules the guest loads, in this order, each after its own dependencies (found in .modinfo).
# A name may carry parameters. Names missing from the package are fine when built in.
MODULES: tuple[str, ...] = (
    "virtio_pci",
    "virtio_rng",
    "9pnet_virtio",
    "9p",
    "overlay",
    "uinput",
    "evdev",
    "configfs",
    "libcomposite",
    "dummy_hcd num=4",
    "usb_f_hid",
    "usb_f_printer",
    "usb_f_acm",
    "usbhid",
    "hid_generic",
    "usblp",
    "cdc_acm",
)
OPTIONAL_MODULES = frozenset({"virtio_rng", "overlay"})

BOOT_TIMEOUT_S = 300.0
RESULTS_NAME = "results.json"
JOB_NAME = "job.env"
JOB_JSON_NAME = "job.json"
DONE_MARKER = "PVZ-HIL-DONE"


class BuildError(RuntimeError):
    """An ingredient could not be had (no qemu, no package, no network)."""


def cache_dir() -> Path:
    env = os.environ.get("PVZ_HIL_CACHE")
    path = Path(env) if env else REPO / ".hil-cache"
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        # The cache ignores itself, so nothing in it is ever committed by accident.
        ignore.write_text("# downloaded and built HIL ingredients: never commit\n*\n", encoding="utf-8")
    return path


def _run(cmd: Sequence[str], *, cwd: Path | None = None) -> str:
    log.info("$ %s", shlex.join(cmd))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"{shlex.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo", "-n"]


class _Apt:
    """apt with at most one `apt-get update`, run only when a look-up or download needs it
    (a fresh machine has no package lists; an old list may name packages gone from the mirror)."""

    def __init__(self) -> None:
        self.updated = False

    def update(self) -> None:
        if not self.updated:
            self.updated = True
            _run([*_sudo(), "apt-get", "update", "-qq"])

    def run(self, cmd: Sequence[str], *, cwd: Path | None = None) -> str:
        try:
            return _run(cmd, cwd=cwd)
        except BuildError:
            if self.updated:
                raise
            self.update()
            return _run(cmd, cwd=cwd)

    def query(self, cmd: Sequence[str], parse: Callable[[str], T | None]) -> T:
        """A look-up parsed by `parse`; when it fails or finds nothing, once more after an update."""
        while True:
            try:
                out = _run(cmd)
            except BuildError:
                if self.updated:
                    raise
                out = ""
            value = parse(out)
            if value is not None:
                return value
            if self.updated:
                raise BuildError(f"{shlex.join(cmd)} found nothing:\n{out.strip()[-2000:]}")
            self.update()


_apt = _Apt()


def ensure_qemu() -> Path:
    found = shutil.which("qemu-system-x86_64")
    if found is None:
        _apt.run([*_sudo(), "apt-get", "install", "-y", "-qq", "--no-install-recommends", "qemu-system-x86"])
        found = shutil.which("qemu-system-x86_64")
        if found is None:
            raise BuildError("qemu-system-x86 is installed but qemu-system-x86_64 is not on PATH")
    return Path(found)


def ensure_libusb(python: str) -> None:
    """libusb for pyusb (the usb printer scenario), only where pyusb is installed: the guest
    runs this machine's own root, so the library must be here."""
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('usb') is None)"
    if subprocess.run([python, "-c", probe], check=False).returncode != 0:
        return
    if ctypes.util.find_library("usb-1.0") is None:
        _apt.run([*_sudo(), "apt-get", "install", "-y", "-qq", "--no-install-recommends", "libusb-1.0-0"])


def _depends(out: str) -> str | None:
    for line in out.splitlines():
        match = re.match(r"\s*Depends:\s*(linux-image-\S+)", line)
        if match and not match.group(1).startswith("<"):
            return match.group(1)
    return None


def kernel_package() -> str:
    """The real package behind the linux-image-amd64 metapackage, e.g. linux-image-6.1.0-28-amd64."""
    return _apt.query(["apt-cache", "depends", "linux-image-amd64"], _depends)


def candidates(packages: Sequence[str]) -> dict[str, str]:
    """The version apt would fetch of each package (one `apt-cache policy` for all)."""

    def parse(out: str) -> dict[str, str] | None:
        found: dict[str, str] = {}
        current = None
        for line in out.splitlines():
            header = re.match(r"^(\S+):$", line)
            if header:
                current = header.group(1)
                continue
            match = re.match(r"\s+Candidate:\s*(\S+)", line)
            if match and current is not None and match.group(1) != "(none)":
                found[current] = match.group(1)
        return found if all(p in found for p in packages) else None

    return _apt.query(["apt-cache", "policy", *packages], parse)


def _download(package: str, version: str, debs: Path) -> Path:
    debs.mkdir(parents=True, exist_ok=True)
    # apt-get download names the file package_version_arch.deb with ':' escaped as %3a.
    existing = sorted(debs.glob(f"{package}_{version.replace(':', '%3a')}_*.deb"))
    if existing:
        return existing[0]
    with tempfile.TemporaryDirectory(dir=debs) as tmp:
        # As root, apt warns that the download runs unsandboxed: harmless.
        _apt.run(["apt-get", "download", "-q", f"{package}={version}"], cwd=Path(tmp))
        got = sorted(Path(tmp).glob(f"{package}_*.deb"))
        if not got:
            raise BuildError(f"apt-get download {package}={version} left no .deb")
        final = debs / got[0].name
        got[0].replace(final)
    return final


def _unpack(deb: Path, root: Path) -> Path:
    dest = root / deb.stem
    if (dest / ".unpacked").exists():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    _run(["dpkg-deb", "-x", str(deb), str(dest)])
    (dest / ".unpacked").touch()
    return dest


def _fallback(pattern: str, cache: Path, why: BuildError) -> Path:
    """An already unpacked package when apt cannot answer (offline): better than nothing."""
    found = sorted((cache / "unpacked").glob(pattern))
    if not found:
        raise why
    log.warning("apt failed (%s); using the cached %s", why, found[-1].name)
    return found[-1]


# --- kernel modules --------------------------------------------------------------------------


def _modinfo(data: bytes) -> dict[str, list[str]]:
    """The key=value strings of an ELF64 module's .modinfo section."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise BuildError("not an ELF64 kernel module")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(index: int) -> tuple[int, int, int]:
        base = shoff + index * shentsize
        name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", data, base)
        return name, offset, size

    _, str_off, _ = section(shstrndx)
    info: dict[str, list[str]] = {}
    for i in range(shnum):
        name_off, offset, size = section(i)
        end = data.index(b"\0", str_off + name_off)
        if data[str_off + name_off : end] != b".modinfo":
            continue
        for item in data[offset : offset + size].split(b"\0"):
            key, sep, value = item.decode("utf-8", "replace").partition("=")
            if sep:
                info.setdefault(key, []).append(value)
    return info


def _norm(name: str) -> str:
    return name.replace("-", "_")


@dataclasses.dataclass(frozen=True, slots=True)
class Module:
    name: str
    path: Path
    params: str


def resolve_modules(kernel_root: Path, wanted: Iterable[str]) -> tuple[str, list[Module]]:
    """The kernel version and the modules to insmod, every dependency before its users."""
    versions = sorted(p for p in (kernel_root / "lib" / "modules").iterdir() if p.is_dir())
    if not versions:
        raise BuildError(f"no lib/modules/<version> in {kernel_root}")
    moddir = versions[-1]
    files: dict[str, Path] = {}
    for path in (moddir / "kernel").rglob("*.ko*"):
        files[_norm(path.name.split(".ko")[0])] = path
    builtin: set[str] = set()
    builtin_list = moddir / "modules.builtin"
    if builtin_list.exists():
        for line in builtin_list.read_text(encoding="utf-8").split():
            builtin.add(_norm(Path(line).name.split(".ko")[0]))
    order: list[Module] = []
    seen: set[str] = set()

    def visit(name: str, params: str, chain: tuple[str, ...]) -> None:
        key = _norm(name)
        if key in seen:
            return
        if key in chain:
            raise BuildError(f"module dependency cycle: {' -> '.join((*chain, key))}")
        path = files.get(key)
        if path is None:
            if key in builtin:
                seen.add(key)
                return
            if key in OPTIONAL_MODULES:
                log.warning("module %s is neither in the package nor built in: skipped", key)
                seen.add(key)
                return
            raise BuildError(f"kernel module {name} not found under {moddir}")
        for dep in _modinfo(_module_bytes(path)).get("depends", []):
            for d in filter(None, dep.split(",")):
                visit(d, "", (*chain, key))
        seen.add(key)
        order.append(Module(key, path, params))

    for item in wanted:
        name, _, params = item.partition(" ")
        visit(name, params.strip(), ())
    return moddir.name, order


def _module_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        return lzma.decompress(data)
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        raise BuildError(f"{path.name}: zstd-compressed modules are not supported")
    return data


# --- initramfs (newc cpio) ---------------------------------------------------------------------


class _Cpio:
    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> None:
        encoded = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0)
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.buf.write(header + encoded)
        self.buf.write(b"\0" * (-(len(header) + len(encoded)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, name: str) -> None:
        self._entry(name, 0o040755)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name: str, major: int, minor: int) -> None:
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        self.buf.write(b"\0" * (-self.buf.tell() % 512))
        return self.buf.getvalue()


def build_initramfs(busybox: Path, modules: list[Module], out: Path) -> None:
    cpio = _Cpio()
    for d in ("bin", "dev", "proc", "sys", "newroot", "lower", "upper", "out", "modules"):
        cpio.dir(d)
    cpio.chardev("dev/console", 5, 1)
    cpio.chardev("dev/null", 1, 3)
    cpio.file("bin/busybox", busybox.read_bytes(), 0o755)
    cpio.symlink("bin/sh", "busybox")
    lines = []
    for i, module in enumerate(modules):
        name = f"{i:02d}-{module.name}.ko"
        cpio.file(f"modules/{name}", _module_bytes(module.path))
        lines.append(f"{name} {module.params}".rstrip())
    cpio.file("modules/order", ("\n".join(lines) + "\n").encode())
    cpio.file("init", INIT_SCRIPT.read_bytes(), 0o755)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(cpio.finish(), compresslevel=6, mtime=0))
    tmp.replace(out)


# --- everything together -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Ingredients:
    qemu: Path
    kernel: Path
    initrd: Path
    kernel_version: str
    modules: tuple[str, ...]


def ensure_ingredients() -> Ingredients:
    """Everything the boot needs, built or downloaded only when not cached yet."""
    cache = cache_dir()
    qemu = ensure_qemu()
    try:
        kname = kernel_package()
        versions = candidates([kname, "busybox-static"])
        kpkg = _unpack(_download(kname, versions[kname], cache / "debs"), cache / "unpacked")
        bpkg = _unpack(
            _download("busybox-static", versions["busybox-static"], cache / "debs"), cache / "unpacked"
        )
    except BuildError as exc:
        kpkg = _fallback("linux-image-*", cache, exc)
        bpkg = _fallback("busybox-static_*", cache, exc)
    busybox = bpkg / "bin" / "busybox"
    version, modules = resolve_modules(kpkg, MODULES)
    kernel = kpkg / "boot" / f"vmlinuz-{version}"
    if not kernel.exists():
        raise BuildError(f"no kernel image {kernel}")
    digest = hashlib.sha256()
    digest.update(FORMAT_VERSION.encode())
    digest.update(INIT_SCRIPT.read_bytes())
    digest.update(str(busybox.resolve()).encode())
    for module in modules:
        digest.update(f"{module.path}|{module.params}\n".encode())
    initrd = cache / f"initrd-{version}-{digest.hexdigest()[:12]}.gz"
    if not initrd.exists():
        for old in cache.glob("initrd-*.gz"):
            old.unlink()
        build_initramfs(busybox, modules, initrd)
    return Ingredients(qemu, kernel, initrd, version, tuple(m.name for m in modules))


@dataclasses.dataclass(slots=True)
class BootResult:
    results: list[dict[str, Any]]
    console: str
    returncode: int | None
    seconds: float
    log_path: Path


def escpos_pickle_dir(python: str) -> Path | None:
    """python-escpos parses its 1 MB profile database on every import unless a pickle of it is
    found in $ESCPOS_CAPABILITIES_PICKLE_DIR: seconds under emulation. Made once, on the host."""
    where = cache_dir() / "escpos-capabilities"
    where.mkdir(exist_ok=True)
    env = {**os.environ, "ESCPOS_CAPABILITIES_PICKLE_DIR": str(where)}
    proc = subprocess.run(
        [python, "-c", "import escpos.capabilities"], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        log.warning("no python-escpos capabilities pickle: %s", proc.stderr.strip()[-500:])
        return None
    return where


def boot(
    scenarios: Sequence[str],
    *,
    ingredients: Ingredients | None = None,
    timeout: float = BOOT_TIMEOUT_S,
    log_path: Path | None = None,
    python: str | None = None,
    env: dict[str, str] | None = None,
) -> BootResult:
    """Boot the guest once, run the scenarios inside, return their JSON results and the console.

    `python` is the interpreter the guest runs (default: this one, so the same virtual
    environment); `env` is added to the guest runner's environment.
    """
    ing = ingredients or ensure_ingredients()
    cache = cache_dir()
    log_path = log_path or cache / "console.log"
    python = python or sys.executable
    ensure_libusb(python)
    guest_env = dict(env or {})
    pickles = escpos_pickle_dir(python)
    if pickles is not None:
        guest_env.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(pickles))
    runs = cache / "runs"
    runs.mkdir(exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=runs) as out_str:
        out = Path(out_str)
        job_json = {"scenarios": list(scenarios), "env": guest_env}
        (out / JOB_JSON_NAME).write_text(json.dumps(job_json), encoding="utf-8")
        job = {"PVZ_HIL_PYTHON": python, "PVZ_HIL_REPO": str(REPO)}
        (out / JOB_NAME).write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in job.items()))
        cmd = [
            str(ing.qemu),
            "-accel",
            "tcg",
            "-m",
            "1024",
            "-smp",
            "2",
            "-nographic",
            "-no-reboot",
            "-nic",
            "none",
            "-kernel",
            str(ing.kernel),
            "-initrd",
            str(ing.initrd),
            "-append",
            "console=ttyS0 panic=-1 quiet loglevel=4",
            "-device",
            "virtio-rng-pci",
            "-virtfs",
            "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
            "-virtfs",
            f"local,path={out},mount_tag=out,security_model=none",
        ]
        log.info("$ %s", shlex.join(cmd))
        console: list[str] = []
        with log_path.open("w", encoding="utf-8", errors="replace") as log_file:
            log_file.write(f"# {shlex.join(cmd)}\n")
            log_file.flush()
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            assert proc.stdout is not None
            stream = proc.stdout

            def pump() -> None:
                for raw in iter(stream.readline, b""):
                    line = raw.decode("utf-8", "replace")
                    console.append(line)
                    log_file.write(line)
                    log_file.flush()

            reader = threading.Thread(target=pump, name="hil-console", daemon=True)
            reader.start()
            try:
                returncode: int | None = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                returncode = None
            reader.join(timeout=10)
            if returncode is None:
                log_file.write(f"\n# killed after {timeout:.0f} s\n")
        dmesg = out / "dmesg.txt"
        if dmesg.exists():
            shutil.copyfile(dmesg, log_path.with_name("dmesg.log"))
        results_path = out / RESULTS_NAME
        results: list[dict[str, Any]] = []
        if results_path.exists():
            loaded = json.loads(results_path.read_text(encoding="utf-8"))
            results = list(loaded["results"])
    return BootResult(results, "".join(console), returncode, time.monotonic() - started, log_path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--boot", nargs="*", metavar="SCENARIO", help="boot and run these scenarios (all if none)"
    )
    parser.add_argument("--timeout", type=float, default=BOOT_TIMEOUT_S)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add to the guest runner's environment",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t0 = time.monotonic()
    ing = ensure_ingredients()
    log.info("ingredients ready in %.1f s: %s", time.monotonic() - t0, ing)
    if args.boot is not None:
        from tests.hil.guest import MUST_FAIL, SCENARIOS

        names = args.boot or list(SCENARIOS)
        env = dict(item.partition("=")[::2] for item in args.env)
        result = boot(names, ingredients=ing, timeout=args.timeout, env=env)
        log.info(
            "boot took %.1f s (exit %s); console in %s", result.seconds, result.returncode, result.log_path
        )
        sys.stdout.write(json.dumps(result.results, indent=2, ensure_ascii=False) + "\n")
        good = [r["ok"] != (r["name"] in MUST_FAIL) for r in result.results]
        return 0 if len(good) == len(names) and all(good) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
