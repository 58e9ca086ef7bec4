"""`pvz-central site-bridge`: the site broker's Mosquitto bridge to the central broker (docs/site.md).

The bridge is Mosquitto's own: pvz only renders its configuration, from
central/broker/site-bridge.conf.template, so that what crosses (the site's pvz/v1/<site>/…
topics, never the site-local pvz/site/v1/…), the persistent session, the queue for a day
offline and the TLS identity are the same at every site.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from central.pki import BRIDGE_PREFIX, CMD_SUFFIX, MAX_CN, PkiError, render_template
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


def render_bridge_conf(
    site: str,
    central: str,
    *,
    tls_dir: str | None = None,
    queued_messages: int = QUEUED_MESSAGES,
    queued_bytes: int = QUEUED_BYTES,
    restart_cap: int = RESTART_CAP_S,
) -> str:
    """The conf.d snippet of a site broker that bridges site `site` to the central broker at HOST:PORT.

    `tls_dir` turns TLS on: where the site broker reads what `pvz-central pki bridge` wrote
    (sync/ and cmd/, each with ca.crt, client.crt and client.key).
    """
    if not _SITE.match(site):
        raise BridgeError(f"site {site!r}: use {ID_RULE}")
    identity = BRIDGE_PREFIX + site
    if len(identity + CMD_SUFFIX) > MAX_CN:
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
    if tls_dir is not None:
        values["tls_dir"] = tls_dir.rstrip("/")
    parts = [0, 1, 2, 3] if tls_dir is not None else [0, 2]
    return "".join(render_template(TEMPLATE, values, slice(i, i + 1)) for i in parts)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", required=True, help="the site whose broker this is")
    p.add_argument("--central", required=True, help="the central broker as HOST:PORT")
    p.add_argument(
        "--tls-dir", help="turns TLS on: where the site broker reads the files of `pvz-central pki bridge`"
    )
    p.add_argument("--queued-messages", type=int, default=QUEUED_MESSAGES, help="queue cap in messages")
    p.add_argument("--queued-bytes", type=int, default=QUEUED_BYTES, help="queue cap in bytes")
    p.add_argument("--out", help="write the snippet here (default: standard output)")


def run(args: argparse.Namespace) -> str:
    """Carry out `pvz-central site-bridge`; the text is the snippet, or where it was written."""
    text = render_bridge_conf(
        args.site,
        args.central,
        tls_dir=args.tls_dir,
        queued_messages=args.queued_messages,
        queued_bytes=args.queued_bytes,
    )
    if args.out is None:
        return text.rstrip("\n")
    Path(args.out).write_text(text, encoding="utf-8")
    return f"{args.out}: put it in the site broker's /etc/mosquitto/conf.d/ and restart mosquitto"
