"""The test's copy of the image, changed without mounting it: mtools for the FAT boot partition,
debugfs for the ext4 root (the test hook), sfdisk for where the partitions are."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

SECTOR = 512


def partitions(image: Path) -> list[int]:
    """Byte offsets of the image's partitions, in table order."""
    table = json.loads(
        subprocess.run(["sfdisk", "-J", str(image)], check=True, capture_output=True, text=True).stdout
    )
    return [int(p["start"]) * SECTOR for p in table["partitiontable"]["partitions"]]


def fat_names(image: Path, offset: int) -> list[str]:
    out = subprocess.run(
        ["mdir", "-b", "-i", f"{image}@@{offset}", "::"], check=True, capture_output=True, text=True
    ).stdout
    return [line.strip().removeprefix("::/") for line in out.splitlines() if line.strip()]


def fat_get(image: Path, offset: int, name: str, dest: Path) -> Path:
    subprocess.run(["mcopy", "-n", "-i", f"{image}@@{offset}", f"::{name}", str(dest)], check=True)
    return dest


def fat_put(image: Path, offset: int, *files: Path) -> None:
    subprocess.run(["mcopy", "-o", "-i", f"{image}@@{offset}", *map(str, files), "::"], check=True)


def ext4_put(image: Path, offset: int, files: dict[str, Path]) -> None:
    """Write host files into the ext4 file system at `offset` (destination path -> host file)."""
    commands = []
    for dest, src in files.items():
        parent, _, name = dest.rpartition("/")
        commands += [f"cd {parent}", f"rm {name}", f"write {src} {name}", f"sif {name} mode 0100644", "cd /"]
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as script:
        script.write("\n".join(commands) + "\n")
        script.flush()
        subprocess.run(
            ["debugfs", "-w", "-f", script.name, f"{image}?offset={offset}"],
            check=True,
            capture_output=True,
        )
