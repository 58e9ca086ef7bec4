"""The image's partitions as image/build.py writes them, from a small stand-in root (no Debian
base, no QEMU): the MBR table, the labels the fstab and the kernel command line name, the boot
files on FAT, the root and data file systems with their owners. ./dev image-test boots the real one."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from image import build
from tests.image import disk

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="writes files owned by another user into ext4")


def stand_in_root(root: Path) -> None:
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "boot" / "firmware" / "config.txt").write_text("arm_64bit=1\n")
    (root / "boot" / "firmware" / "cmdline.txt").write_text("root=LABEL=pvzroot ro rootwait\n")
    (root / "etc").mkdir()
    (root / "etc" / "passwd").write_text(
        "root:x:0:0::/root:/bin/sh\npvz:x:998:997::/var/lib/pvz:/usr/sbin/nologin\n"
    )
    (root / "var" / "lib" / "pvz").mkdir(parents=True)
    (root / "var" / "lib" / "pvz" / "prints").mkdir()


def blkid(image: Path, offset: int) -> dict[str, str]:
    out = subprocess.run(
        ["blkid", "-p", "-O", str(offset), "-o", "export", str(image)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_three_partitions_by_label_without_a_loop_device(tmp_path: Path) -> None:
    build.need_tools()
    root, work, out = tmp_path / "root", tmp_path / "work", tmp_path / "pi.img"
    stand_in_root(root)
    work.mkdir()
    data = build.data_tree(root, work)
    build.make_image(root, data, work, out)

    offsets = disk.partitions(out)
    assert offsets[0] == build.FIRST_MIB * build.MIB
    table = subprocess.run(["sfdisk", "-d", str(out)], capture_output=True, text=True, check=True).stdout
    assert "label: dos" in table  # the Pi's firmware reads MBR
    assert re.findall(r"type=(\w+)", table) == ["c", "83", "83"]
    labels = [blkid(out, o) for o in offsets]
    assert [(p["TYPE"], p["LABEL"]) for p in labels] == [
        ("vfat", build.BOOT_LABEL),
        ("ext4", build.ROOT_LABEL),
        ("ext4", build.DATA_LABEL),
    ]
    fstab = (build.ROOTFS_OVERLAY / "etc" / "fstab").read_text()
    for label in (build.BOOT_LABEL, build.ROOT_LABEL, build.DATA_LABEL):
        assert f"LABEL={label} " in fstab
    assert sorted(disk.fat_names(out, offsets[0])) == ["cmdline.txt", "config.txt"]

    def ls(offset: int, path: str) -> str:
        return subprocess.run(
            ["debugfs", "-R", f"ls -l {path}", f"{out}?offset={offset}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    # The root's mount points are empty: the boot files and the store live on their partitions.
    assert "config.txt" not in ls(offsets[1], "/boot/firmware")
    assert "prints" not in ls(offsets[1], "/var/lib/pvz")
    # The data partition: the package's state directory, owned by pvz; etc/ for the config, root's.
    listing = ls(offsets[2], "/")
    assert re.search(r"40750 \(2\)\s+998\s+997 .* \.\n", listing), listing
    assert re.search(r"40750 \(2\)\s+0\s+997 .* etc", listing), listing
