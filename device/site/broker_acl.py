"""The site broker's own LAN listener and ACL, rendered from the main device's config (docs/site.md, "The site broker's ACL").

The main device's config is the only place that lists the site's stations, so the ACL is made
where it lives (`pvz site broker-config`) and reloaded on the site broker whenever a station is
added or removed. Each identity is a certificate's CN (use_identity_as_username): the main
device reads every station's input, printed and door topics and writes their reply, print and
doors; a station writes only its own input, printed and door, and reads only its own reply,
print and doors and the main device's status. Each device also keeps its own pvz/v1 topics
exactly as the central ACL gives them (central/broker/acl.pattern, #@device), so what the bridge
carries to and from central still flows; the bridge itself is the broker's own client, which
Mosquitto does not check against the ACL. A device runs nothing of central/, hence the copy of
those lines here; tests/test_site_acl.py holds the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from device.config_schema import Config
from device.exc import PvzError
from sync.site import SITE_ROOT

# A device's own topics, as central/broker/acl.pattern's #@device block grants them.
OWN = (
    "write pvz/v1/{site}/{device}/status",
    "write pvz/v1/{site}/{device}/events",
    "write pvz/v1/{site}/{device}/telemetry",
    "write pvz/v1/{site}/{device}/outcome",
    "write pvz/v1/replies/{site}/{device}/#",
    "read pvz/v1/{site}/{device}/ack",
    "read pvz/v1/{site}/{device}/manifest",
    "read pvz/v1/{site}/{device}/config",
    "read pvz/v1/{site}/{device}/cmd",
    "read pvz/v1/{site}/{device}/release",
)
STATION_SENDS = ("input", "printed", "door")  # station → main (sync/site.py)
MAIN_SENDS = ("reply", "print", "doors")  # main → station
DEFAULT_LISTEN = "0.0.0.0:8883"
ACL_NAME = "pvz-site.acl"
CONF_NAME = "pvz-site.conf"
_LISTEN = re.compile(r"\A(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})\Z")


class SiteBrokerError(PvzError, ValueError):
    """The site broker's files cannot be made from this config as asked."""


@dataclass(frozen=True, slots=True)
class SiteBrokerFiles:
    conf: str  # the conf.d snippet
    acl: str | None  # the ACL file; None without TLS, where no client has an identity to check


def station_devices(config: Config) -> list[str]:
    """The site's remote station devices (config_site checks that no two stations share one)."""
    if config.device.role == "station":
        raise SiteBrokerError("this is a station's config: run it with the main device's config")
    if config.site is None or not config.site.stations:
        raise SiteBrokerError("the config lists no [[site.stations]]: there is no site to serve")
    return [s.device for s in config.site.stations]


def render_acl(site: str, main: str, stations: list[str]) -> str:
    """One block per identity: the main device, then each station device."""
    header = [
        "# ACL of a pvz site broker, rendered by `pvz site broker-config` from the main device's",
        "# config (docs/site.md). A client's identity is the CN of its certificate. Anything not",
        "# granted is denied. Regenerate and reload (systemctl reload mosquitto) after a station",
        "# is added to or removed from [[site.stations]].",
    ]
    blocks = ["\n".join(header)]
    lines = [f"user {main}", *(f"topic {t.format(site=site, device=main)}" for t in OWN)]
    for device in stations:
        lines += [f"topic read {SITE_ROOT}/{site}/{device}/{kind}" for kind in STATION_SENDS]
        lines += [f"topic write {SITE_ROOT}/{site}/{device}/{kind}" for kind in MAIN_SENDS]
        lines.append(f"topic read pvz/v1/{site}/{device}/status")
    blocks.append("\n".join(lines))
    for device in stations:
        lines = [f"user {device}", *(f"topic {t.format(site=site, device=device)}" for t in OWN)]
        lines += [f"topic write {SITE_ROOT}/{site}/{device}/{kind}" for kind in STATION_SENDS]
        lines += [f"topic read {SITE_ROOT}/{site}/{device}/{kind}" for kind in MAIN_SENDS]
        lines.append(f"topic read pvz/v1/{site}/{main}/status")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def listener_line(listen: str) -> str:
    found = _LISTEN.match(listen)
    if found is None or not 0 < int(found.group(3)) < 65536:
        raise SiteBrokerError(f"--listen {listen!r}: give ADDRESS:PORT, e.g. 10.0.0.2:8883")
    address = found.group(1) or found.group(2)
    every = address in ("0.0.0.0", "::")  # noqa: S104 - read from --listen, not bound here
    return f"listener {found.group(3)}" + ("" if every else f" {address}")


def render(
    config: Config, *, listen: str = DEFAULT_LISTEN, tls_dir: str | None = None, acl_path: str
) -> SiteBrokerFiles:
    """The conf.d snippet and the ACL of the site broker for the site of `config` (a main device's).

    `tls_dir` turns TLS on: where the site broker reads the files of `pvz-central pki init`'s
    DIR/broker/ (ca.crt, server.crt, server.key, crl.pem); `acl_path` is where it reads the ACL.
    """
    stations = station_devices(config)
    site, main = config.device.site, config.device.id
    lines = [
        f"# The site broker's LAN listener for the devices of site {site},",
        "# rendered by `pvz site broker-config` from the main device's config (docs/site.md).",
        "# The site's traffic is small and answered at once: no delayed-ACK waits on either hop.",
        "set_tcp_nodelay true",
    ]
    if tls_dir is None:
        lines += [
            "# No TLS: no client has an identity, so there is no ACL and any machine on the LAN may",
            "# write any station's input. For a laptop test only; a site runs with --tls-dir.",
            listener_line(listen),
            "allow_anonymous true",
        ]
        return SiteBrokerFiles("\n".join(lines) + "\n", None)
    tls = tls_dir.rstrip("/")
    lines += [
        "# Every device presents a certificate of the site CA; its CN is its identity, for the ACL",
        "# and as its client id, so no device can take over another one's session.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"acl_file {acl_path}",
        listener_line(listen),
        "protocol mqtt",
        f"cafile {tls}/ca.crt",
        f"certfile {tls}/server.crt",
        f"keyfile {tls}/server.key",
        f"crlfile {tls}/crl.pem",
        "tls_version tlsv1.2",
        "require_certificate true",
        "use_identity_as_username true",
        "use_username_as_clientid true",
    ]
    return SiteBrokerFiles("\n".join(lines) + "\n", render_acl(site, main, stations))


def write(files: SiteBrokerFiles, out: Path) -> list[Path]:
    """OUT/pvz-site.conf and, with TLS, OUT/pvz-site.acl; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / CONF_NAME]
    written[0].write_text(files.conf, encoding="utf-8")
    if files.acl is not None:
        written.append(out / ACL_NAME)
        written[1].write_text(files.acl, encoding="utf-8")
    return written
