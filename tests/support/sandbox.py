"""A process under pvz.service's kernel-level restrictions, on a machine whose PID 1 is not systemd.

Where `systemd-run --property=…` cannot be used (a container without systemd), this applies what
systemd 252 itself applies with seccomp and prctl for the unit's settings, then execs the
command:

- ``SystemCallFilter=`` lines: the groups expanded by the machine's own ``systemd-analyze
  syscall-filter``, allow-list first, then the ``~`` lists taken out; everything else fails with
  ``SystemCallErrorNumber=`` (EPERM), as systemd does;
- ``RestrictAddressFamilies=``: ``socket()`` of any other family fails with EAFNOSUPPORT;
- ``MemoryDenyWriteExecute=yes``: mmap() writable and executable, mprotect() to executable and
  shmat() executable refused, as systemd 252 does it (253 and later use the kernel's PR_SET_MDWE);
- ``NoNewPrivileges=yes``.

It does not reproduce the namespaces (ProtectSystem=, PrivateTmp=, DeviceAllow=): those are
files and devices, which the HIL guest and the unit's own tests look at.

    python -m tests.support.sandbox UNIT -- COMMAND [ARG…]

libseccomp's Python binding is Debian's python3-seccomp (the tests install it when missing).
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import socket
import subprocess
import sys
from pathlib import Path

DEBIAN_PYTHON = "/usr/lib/python3/dist-packages"
PR_SET_NO_NEW_PRIVS = 38
SHM_EXEC = 0o100000  # <linux/shm.h>
AF_MAX = 46  # <linux/socket.h>: one past the highest address family


def unit_values(unit: Path, key: str) -> list[str]:
    return [
        line.split("=", 1)[1].strip()
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{key}=")
    ]


def syscall_groups() -> dict[str, list[str]]:
    """Every @group of `systemd-analyze syscall-filter` with its members (names and @groups)."""
    out = subprocess.run(
        ["systemd-analyze", "syscall-filter", "--no-pager"], capture_output=True, text=True, check=True
    ).stdout
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.strip())
        elif not line.strip():
            current = None
    return groups


def expand(items: list[str], groups: dict[str, list[str]]) -> set[str]:
    names: set[str] = set()
    for item in items:
        if item.startswith("@"):
            names |= expand(groups[item], groups)
        else:
            names.add(item)
    return names


def allowed_syscalls(unit: Path) -> set[str]:
    """The unit's SystemCallFilter= lines in order, as systemd combines them."""
    groups = syscall_groups()
    allowed: set[str] = set()
    for value in unit_values(unit, "SystemCallFilter"):
        if value.startswith("~"):
            allowed -= expand(value[1:].split(), groups)
        else:
            allowed |= expand(value.split(), groups)
    return allowed


def apply(unit: Path) -> None:
    """Load the filters into this process (inherited by what it execs), as systemd 252 does:
    one filter per setting, stacked, so the strictest answer of any of them wins."""
    sys.path.append(DEBIAN_PYTHON)
    import seccomp  # type: ignore[import-not-found]  # Debian's python3-seccomp

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) refused")

    # RestrictAddressFamilies=: socket() of any other family.
    families = {getattr(socket, n) for v in unit_values(unit, "RestrictAddressFamilies") for n in v.split()}
    sockets = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for family in sorted(set(range(AF_MAX)) - families):
        sockets.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    sockets.load()

    # MemoryDenyWriteExecute=yes, as systemd 252's seccomp_memory_deny_write_execute(): no
    # mapping both writable and executable, no mprotect() to executable, no executable shmat().
    if unit_values(unit, "MemoryDenyWriteExecute") == ["yes"]:
        wx = mmap.PROT_WRITE | mmap.PROT_EXEC
        mdwe = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        eperm = seccomp.ERRNO(errno.EPERM)
        mdwe.add_rule(eperm, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, wx))
        for name in ("mprotect", "pkey_mprotect"):
            mdwe.add_rule(eperm, name, seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, mmap.PROT_EXEC))
        mdwe.add_rule(eperm, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, SHM_EXEC))
        mdwe.load()

    # SystemCallFilter= last: it may refuse seccomp() itself, as systemd also loads it last.
    allow = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    for name in sorted(allowed_syscalls(unit)):
        try:
            allow.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):  # a name this architecture or libseccomp lacks
            continue
    allow.load()


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m tests.support.sandbox UNIT -- COMMAND [ARG…]", file=sys.stderr)
        return 2
    apply(Path(argv[0]))
    os.execvp(argv[2], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
