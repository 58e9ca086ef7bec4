"""Build dist/pvz-rpi-arm64.img: Debian 12 arm64 for a Raspberry Pi 3/4 with the pvz package.

Why this way (docs/image.md has the whole recipe):
- The base is Debian's own packages (image/packages.txt) bootstrapped with mmdebstrap under
  qemu-user (binfmt), from the machine's configured Debian mirror; it is cached under
  ``.hil-cache/image/`` keyed by the package list and the mirrors, so a rebuild only installs
  the .deb and writes the partitions.
- No loop device and no mount of the image: ``mkfs.vfat`` + ``mcopy`` fill the boot partition,
  ``mke2fs -d`` the root and data partitions, ``sfdisk`` writes the MBR table (the Pi's
  firmware reads MBR only), and the partitions are copied into place.
- Partitions: 1 FAT ``PVZBOOT`` (firmware, kernel, initrd, config.txt, cmdline.txt, and the
  provisioning file), 2 ext4 ``pvzroot`` (mounted read-only), 3 ext4 ``pvzdata`` mounted at
  /var/lib/pvz (the store and the provisioned config, /etc/pvz links there).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("pvz.image")

IMAGE_DIR = Path(__file__).resolve().parent
REPO = IMAGE_DIR.parent
ROOTFS_OVERLAY = IMAGE_DIR / "rootfs"
PACKAGES = IMAGE_DIR / "packages.txt"
FORMAT_VERSION = "1"  # bump to rebuild the cached base
SUITES = ("bookworm", "bookworm-updates", "bookworm-security")
COMPONENTS = "main non-free-firmware"  # raspi-firmware and the Wi-Fi firmware are non-free-firmware
HOST_TOOLS = {
    "mmdebstrap": "mmdebstrap",
    "qemu-aarch64-static": "qemu-user-static",
    "mkfs.vfat": "dosfstools",
    "mcopy": "mtools",
    "sfdisk": "fdisk",
    "mke2fs": "e2fsprogs",
    "arch-test": "arch-test",
}
BOOT_LABEL, ROOT_LABEL, DATA_LABEL = "PVZBOOT", "pvzroot", "pvzdata"
MIB = 1024 * 1024
FIRST_MIB = 4  # the table, and alignment for SD cards' erase blocks
BOOT_MIB = 256
DATA_MIB = 256  # room for a busy store; docs/image.md says how to grow it on a bigger card
ROOT_SPARE = 1.25  # the root is read-only: little more than its files
CONFIG_LINK = "/var/lib/pvz/etc"  # /etc/pvz on the image (the root is read-only)
ENABLE = (
    "pvz-provision.service",
    "systemd-networkd.service",
    "systemd-resolved.service",
    "systemd-timesyncd.service",
)
MASK = ("apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service")


def run(*cmd: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    log.debug("$ %s", " ".join(map(str, cmd)))
    return subprocess.run([str(c) for c in cmd], check=True, text=True, **kw)  # type: ignore[call-overload, no-any-return]


def need_tools() -> None:
    missing = sorted({pkg for tool, pkg in HOST_TOOLS.items() if shutil.which(tool) is None})
    if missing:
        log.info("installing Debian packages: %s", " ".join(missing))
        run("apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "--no-install-recommends", *missing)


def need_binfmt() -> None:
    """qemu-user for arm64 through binfmt_misc, registered from Debian's own entry when missing."""
    misc = Path("/proc/sys/fs/binfmt_misc")
    if not (misc / "register").exists():
        run("mount", "-t", "binfmt_misc", "binfmt_misc", misc)
    if not (misc / "qemu-aarch64").exists():
        entry = Path("/usr/lib/binfmt.d/qemu-aarch64.conf").read_text().strip().splitlines()[-1]
        (misc / "register").write_text(entry)


def mirrors() -> list[str]:
    """The sources lines for the image, from the mirrors this machine's apt is configured with."""
    lines = []
    for suite in SUITES:
        out = run(
            "apt-get",
            "indextargets",
            "--format",
            "$(REPO_URI)",
            "Created-By: Packages",
            f"Release: {suite}",
            capture_output=True,
        ).stdout.split()
        if not out:
            raise SystemExit(f"image: apt on this machine has no {suite} source")
        lines.append(f"deb {out[0]} {suite} {COMPONENTS}")
    return lines


def packages() -> list[str]:
    text = PACKAGES.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def cache_dir() -> Path:
    return Path(os.environ.get("PVZ_HIL_CACHE", REPO / ".hil-cache")) / "image"


def base(sources: list[str]) -> Path:
    """The debootstrapped arm64 root (a directory), built once per package list and mirror set."""
    key = hashlib.sha256("\n".join([FORMAT_VERSION, *packages(), *sources]).encode()).hexdigest()[:16]
    out = cache_dir() / f"base-{key}"
    if (out / ".complete").exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log.info("bootstrapping the arm64 base under qemu-user (slow the first time)")
    run(
        "mmdebstrap",
        "--arch=arm64",
        "--variant=minbase",
        "--mode=root",
        "--include=" + ",".join(packages()),
        "--dpkgopt=path-exclude=/usr/share/doc/*",
        "--dpkgopt=path-include=/usr/share/doc/*/copyright",
        "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*",
        "bookworm",
        tmp,
        *sources,
    )
    (tmp / ".complete").write_text(f"{time.monotonic() - started:.0f} s\n")
    tmp.rename(out)
    return out


@contextlib.contextmanager
def chroot_mounts(root: Path) -> Iterator[None]:
    """/proc and /dev inside the root for maintainer scripts (bind mounts, not the image)."""
    done: list[Path] = []
    try:
        for src, dst, args in (("proc", root / "proc", ("-t", "proc")), ("/dev", root / "dev", ("--bind",))):
            run("mount", *args, src, dst)
            done.append(dst)
        yield
    finally:
        for dst in reversed(done):
            run("umount", "-l", dst)


def chroot(root: Path, *cmd: str, **env: str) -> None:
    base = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C.UTF-8"}
    run("chroot", root, *cmd, env=base | env)


def install_deb(root: Path, deb: Path) -> None:
    target = root / "tmp" / deb.name
    shutil.copyfile(deb, target)
    resolv = root / "etc" / "resolv.conf"
    resolv.unlink(missing_ok=True)
    shutil.copyfile("/etc/resolv.conf", resolv)  # only if apt must fetch a dependency after all
    try:
        with chroot_mounts(root):
            chroot(
                root,
                "apt-get",
                "-o",
                "Dpkg::Options::=--force-confold",
                "install",
                "-y",
                "--no-install-recommends",
                f"/tmp/{deb.name}",  # noqa: S108 (inside the image root, not this machine's /tmp),
            )
            chroot(root, "apt-get", "clean")
    finally:
        target.unlink(missing_ok=True)


def configure(root: Path) -> None:
    """The read-only layout: the overlay's files, /etc/pvz on the data partition, units enabled."""
    shutil.copytree(ROOTFS_OVERLAY, root, dirs_exist_ok=True, symlinks=True)
    etc_pvz = root / "etc" / "pvz"
    if etc_pvz.is_dir() and not etc_pvz.is_symlink():
        shutil.rmtree(etc_pvz)  # the package's placeholder config: provisioning writes the real one
    etc_pvz.unlink(missing_ok=True)
    etc_pvz.symlink_to(CONFIG_LINK)
    wpa = root / "etc" / "wpa_supplicant" / "wpa_supplicant-wlan0.conf"
    wpa.parent.mkdir(parents=True, exist_ok=True)
    wpa.unlink(missing_ok=True)
    wpa.symlink_to("/etc/pvz/wpa_supplicant-wlan0.conf")
    resolv = root / "etc" / "resolv.conf"
    resolv.unlink(missing_ok=True)
    resolv.symlink_to("/run/systemd/resolve/stub-resolv.conf")
    (root / "etc" / "machine-id").write_text("")  # systemd makes a transient one on a read-only root
    run("systemctl", f"--root={root}", "enable", *ENABLE)
    run("systemctl", f"--root={root}", "mask", *MASK)
    # The Pi's boot files for the installed kernel, with `ro` (raspi-extra-cmdline) and the labels.
    defaults = root / "etc" / "default" / "raspi-firmware"
    text = defaults.read_text()
    # The UART of a Pi 3/4 is ttyS1; the last console (HDMI) gets the boot messages.
    if "\nROOTPART=" not in text:
        defaults.write_text(text + f'\nROOTPART="LABEL={ROOT_LABEL}"\nCONSOLES="ttyS1,115200 tty0"\n')
    kernels = sorted((root / "boot").glob("vmlinuz-*"))
    with chroot_mounts(root):
        # The hook acts only when told it runs from a package's configure step.
        version = kernels[-1].name.removeprefix("vmlinuz-")
        chroot(root, "/etc/kernel/postinst.d/z50-raspi-firmware", version, DEB_MAINT_PARAMS="configure")
    cmdline = (root / "boot" / "firmware" / "cmdline.txt").read_text()
    if f"root=LABEL={ROOT_LABEL} " not in cmdline or not cmdline.rstrip().endswith(" ro"):
        raise SystemExit(f"image: raspi-firmware wrote an unexpected cmdline.txt: {cmdline!r}")
    for pattern in ("var/cache/apt/*.bin", "var/lib/apt/lists/*_Packages", "var/log/*.log", "tmp/*"):
        for p in root.glob(pattern):
            if p.is_file():
                p.unlink()


def owner_of(root: Path, user: str) -> tuple[int, int]:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise SystemExit(f"image: the package did not create the user {user!r}")


def data_tree(root: Path, work: Path) -> Path:
    """The data partition's files: /var/lib/pvz as the package left it, and etc/ for the config."""
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    src = root / "var" / "lib" / "pvz"
    if src.exists():
        shutil.copytree(src, data, symlinks=True)
        shutil.rmtree(src)
    else:
        data.mkdir()
    src.mkdir(parents=True)
    uid, gid = owner_of(root, "pvz")
    os.chown(data, uid, gid)
    data.chmod(0o750)
    (data / "etc").mkdir(exist_ok=True)
    os.chown(data / "etc", 0, gid)
    (data / "etc").chmod(0o750)
    return data


def du_mib(path: Path) -> int:
    out = run("du", "-s", "--block-size=1M", path, capture_output=True).stdout
    return int(out.split()[0])


def make_image(root: Path, data: Path, work: Path, out: Path) -> None:
    firmware = root / "boot" / "firmware"
    boot_img, root_img, data_img = work / "boot.img", work / "root.img", work / "data.img"
    for p in (boot_img, root_img, data_img):
        p.unlink(missing_ok=True)
    run("mkfs.vfat", "-F", "32", "-n", BOOT_LABEL, "-C", boot_img, str(BOOT_MIB * 1024))
    run("mcopy", "-s", "-i", boot_img, *sorted(firmware.iterdir()), "::")
    # The root without the boot files: they live on partition 1, mounted over /boot/firmware.
    held = work / "firmware"
    shutil.rmtree(held, ignore_errors=True)
    firmware.rename(held)
    firmware.mkdir()
    try:
        root_mib = int(du_mib(root) * ROOT_SPARE) + 64
        run("mke2fs", "-q", "-t", "ext4", "-L", ROOT_LABEL, "-d", root, "-m", "0", root_img, f"{root_mib}M")
    finally:
        firmware.rmdir()
        held.rename(firmware)
    # mke2fs -d fills the file system but leaves its top directory root's 0755: it is /var/lib/pvz.
    st = data.stat()
    run(
        "mke2fs",
        "-q",
        "-t",
        "ext4",
        "-L",
        DATA_LABEL,
        "-d",
        data,
        "-m",
        "1",
        "-E",
        f"root_owner={st.st_uid}:{st.st_gid}",
        data_img,
        f"{DATA_MIB}M",
    )
    run("debugfs", "-w", "-R", f"sif / mode 0{st.st_mode:o}", data_img, capture_output=True)
    sizes = [BOOT_MIB, root_mib, DATA_MIB]
    total = FIRST_MIB + sum(sizes) + 1
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with tmp.open("wb") as f:
        f.truncate(total * MIB)
    start, table = FIRST_MIB, ["label: dos"]
    for size, kind in zip(sizes, ("c", "83", "83"), strict=True):
        table.append(f"start={start * 2048}, size={size * 2048}, type={kind}")
        start += size
    run("sfdisk", "-q", tmp, input="\n".join(table) + "\n")
    start = FIRST_MIB
    for img, size in zip((boot_img, root_img, data_img), sizes, strict=True):
        run("dd", f"if={img}", f"of={tmp}", "bs=1M", f"seek={start}", "conv=notrunc,sparse", "status=none")
        start += size
    tmp.rename(out)


def newest_deb() -> Path | None:
    debs = sorted((REPO / "dist").glob("pvz_*_arm64.deb"), key=lambda p: p.stat().st_mtime)
    return debs[-1] if debs else None


def build(deb: Path, out: Path) -> None:
    need_tools()
    need_binfmt()
    started = time.monotonic()
    sources = mirrors()
    base_root = base(sources)
    work = cache_dir() / "work"
    root = work / "root"
    if root.exists():
        run("rm", "-rf", "--one-file-system", root)
    work.mkdir(parents=True, exist_ok=True)
    run("cp", "-a", base_root, root)
    (root / ".complete").unlink()
    install_deb(root, deb)
    configure(root)
    data = data_tree(root, work)
    out.parent.mkdir(parents=True, exist_ok=True)
    make_image(root, data, work, out)
    log.info(
        "%s: %d MiB (%d MiB written), %.0f s",
        out,
        out.stat().st_size // MIB,
        du_mib(out),
        time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./dev image", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument(
        "--deb", type=Path, help="the arm64 pvz package (default: the newest dist/pvz_*_arm64.deb)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "pvz-rpi-arm64.img")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="image: %(message)s")
    deb = args.deb or newest_deb()
    if deb is None or not deb.is_file():
        log.error("no arm64 package: run `./dev deb --arch arm64` or give --deb PATH")
        return 2
    if os.geteuid() != 0:
        log.error("run as root (chroot, and files owned by the pvz user in the partitions)")
        return 2
    build(deb.resolve(), args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
