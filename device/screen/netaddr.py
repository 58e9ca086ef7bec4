"""This machine's IPv4 addresses, for the pairing URL when the screen listens on every address.

A tablet needs an address it can reach: "0.0.0.0" or "127.0.0.1" in the printed URL would
send it nowhere. The standard library has no call that lists interface addresses, and
resolving the host name gives 127.0.1.1 on Debian, so each interface is asked with the
SIOCGIFADDR ioctl, the way ifconfig does.
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

SIOCGIFADDR = 0x8915  # linux/sockios.h
_IFREQ_SIZE = 40  # struct ifreq: a 16-byte name and a 24-byte union
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def local_addresses() -> list[str]:
    """Every interface's IPv4 address in interface order, loopback ones included.

    An interface without an IPv4 address (down, or IPv6 only) is skipped.
    """
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])[:_IFREQ_SIZE]
            try:
                answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, request)
            except OSError:
                continue
            found.append(socket.inet_ntoa(answer[20:24]))
    return found


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_wildcard(host: str) -> bool:
    """Whether a listen host means every address of the machine ("", 0.0.0.0, ::)."""
    if host in ("", "*"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def reachable_address() -> str | None:
    """The first non-loopback IPv4 address of this machine: what a tablet on the LAN can reach."""
    return next((a for a in local_addresses() if not is_loopback(a)), None)
