"""Checks for `pvz update adopt`: the package kept to go back to must be the one dpkg has installed.

A rollback installs the kept package without another signature check, so adopting the wrong
file (another version, another package, a file that is not a package) would make a failed
update go back to something that never ran here. The name and version are read from the file
itself and compared with dpkg's database, so the technician names only the file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from device.exc import PvzError

QUERY_TIMEOUT_S = 60.0


class NotAdoptable(PvzError, ValueError):
    """The file cannot be kept as the running version's package; `reason` says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{message} ({reason})")
        self.reason = reason


def deb_fields(deb: Path) -> tuple[str, str]:
    """(Package, Version) of a .deb, as dpkg-deb reads its control file."""
    try:
        done = subprocess.run(
            ["dpkg-deb", "--field", str(deb), "Package", "Version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=QUERY_TIMEOUT_S,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise NotAdoptable("not_a_package", f"{deb}: not a Debian package") from exc
    fields = dict(line.partition(": ")[::2] for line in done.stdout.splitlines())
    if not fields.get("Package") or not fields.get("Version"):
        raise NotAdoptable("not_a_package", f"{deb}: no Package or Version field")
    return fields["Package"].strip(), fields["Version"].strip()


def installed_version(package: str, *, root: Path | None = None) -> str | None:
    """The version of `package` that dpkg has installed and configured (in `root`), or None."""
    argv = ["dpkg-query", *([f"--root={root}"] if root else []), "-W", "-f=${Status}\t${Version}", package]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=QUERY_TIMEOUT_S)
    status, _, version = done.stdout.partition("\t")
    return version if done.returncode == 0 and status == "install ok installed" else None


def check_adoptable(
    deb: Path, *, package: str | None, version: str | None, root: Path | None
) -> tuple[str, str]:
    """The file's (package, version) once it is the installed one; `package` and `version`, when
    given, must agree with the file. Raises NotAdoptable: not_a_package, not_installed."""
    found = deb_fields(deb)
    wanted = (package or found[0], version or found[1])
    if wanted != found:
        raise NotAdoptable("not_installed", f"{deb} is {found[0]} {found[1]}, not {wanted[0]} {wanted[1]}")
    running = installed_version(found[0], root=root)
    if running != found[1]:
        where = "" if root is None else f" in {root}"
        raise NotAdoptable(
            "not_installed", f"{deb} is {found[0]} {found[1]}; dpkg has {running or 'none'} installed{where}"
        )
    return found
