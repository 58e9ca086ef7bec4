"""`pvz-central site-bridge`: the site broker's Mosquitto bridge to the central broker (docs/site.md).

The bridge is Mosquitto's own: pvz only renders its configuration, from
central/broker/site-bridge.conf.template, so that what crosses (the site's pvz/v1/<site>/…
topics, never the site-local pvz/site/v1/…), the persistent session, the queue for a day
offline and the TLS identity are the same at every site.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from central.pki import BRIDGE_PREFIX, MAX_CN, PkiError, render_template
from sync.topics import ID_PATTERN, ID_RULE

TEMPLATE = "site-bridge.conf.template"
# A day offline at a busy site: a few thousand journal events, each first sent in a batch of
# its own, plus the publisher's resends every ack timeout; what does not fit is sent again from
# the mark when the link returns (docs/site.md, "The uplink"). 64 MiB keeps a Pi's broker small.
QUEUED_MESSAGES = 20_000
QUEUED_BYTES = 64 * 1024 * 1024
RESTART_CAP_S = 60  # an uplink back after a day is used within a minute
_SITE = re.compile(ID_PATTERN)
_ADDRESS = re.compile(r"\A(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\Z")


class BridgeError(PkiError):
    """The bridge cannot be rendered as asked (a bad site, address or TLS file set)."""


@dataclass(frozen=True, slots=True)
class BridgeTls:
    """Where the site broker reads the bridge's files: the central CA, its certificate and key."""

    cafile: str
    certfile: str
    keyfile: str


def render_bridge_conf(
    site: str,
    central: str,
    *,
    tls: BridgeTls | None = None,
    queued_messages: int = QUEUED_MESSAGES,
    queued_bytes: int = QUEUED_BYTES,
    restart_cap: int = RESTART_CAP_S,
) -> str:
    """The conf.d snippet of a site broker that bridges site `site` to the central broker at HOST:PORT."""
    if not _SITE.match(site):
        raise BridgeError(f"site {site!r}: use {ID_RULE}")
    identity = BRIDGE_PREFIX + site
    if len(identity) > MAX_CN:
        raise BridgeError(f"site {site!r}: the bridge's identity {identity!r} is over {MAX_CN} characters")
    found = _ADDRESS.match(central)
    if found is None or not 0 < int(found.group(1)) < 65536:
        raise BridgeError(f"central broker {central!r}: give HOST:PORT")
    if queued_messages < 1 or queued_bytes < 1 or restart_cap < 5:
        raise BridgeError("the queue needs room for a message, and restart_cap is 5 s at least")
    values = {
        "site": site,
        "address": central,
        "identity": identity,
        "queued_messages": str(queued_messages),
        "queued_bytes": str(queued_bytes),
        "restart_cap": str(restart_cap),
    }
    text = render_template(TEMPLATE, values, slice(0, 1))
    if tls is not None:
        files = {"cafile": tls.cafile, "certfile": tls.certfile, "keyfile": tls.keyfile}
        text += render_template(TEMPLATE, values | files, slice(1, 2))
    return text


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", required=True, help="the site whose broker this is")
    p.add_argument("--central", required=True, help="the central broker as HOST:PORT")
    p.add_argument("--cafile", help="on the site broker: the CA that signs the central broker (turns TLS on)")
    p.add_argument(
        "--certfile", help="on the site broker: the bridge's certificate (`pvz-central pki bridge`)"
    )
    p.add_argument("--keyfile", help="on the site broker: the bridge's key")
    p.add_argument("--queued-messages", type=int, default=QUEUED_MESSAGES, help="queue cap in messages")
    p.add_argument("--queued-bytes", type=int, default=QUEUED_BYTES, help="queue cap in bytes")
    p.add_argument("--out", help="write the snippet here (default: standard output)")


def run(args: argparse.Namespace) -> str:
    """Carry out `pvz-central site-bridge`; the text is the snippet, or where it was written."""
    files = (args.cafile, args.certfile, args.keyfile)
    if any(files) and not all(files):
        raise BridgeError("site-bridge: TLS wants --cafile, --certfile and --keyfile together")
    tls = BridgeTls(*files) if all(files) else None
    text = render_bridge_conf(
        args.site, args.central, tls=tls, queued_messages=args.queued_messages, queued_bytes=args.queued_bytes
    )
    if args.out is None:
        return text.rstrip("\n")
    Path(args.out).write_text(text, encoding="utf-8")
    return f"{args.out}: put it in the site broker's /etc/mosquitto/conf.d/ and restart mosquitto"
