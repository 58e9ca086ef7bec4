"""`pvz-central pki ACTION`: the command line of central/pki.py, and what it tells the operator to copy where."""

from __future__ import annotations

import argparse
from pathlib import Path

from central.pki import (
    BRIDGE_PREFIX,
    BROKER_PATH,
    DEFAULT_HOSTS,
    HUB_PREFIX,
    PkiError,
    bridge,
    ca_site,
    device,
    hub,
    init,
    revoke,
    server,
)
from central.release import new_release_key


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["init", "server", "device", "hub", "bridge", "revoke", "release-key"])
    p.add_argument("--dir", required=True, help="the site's PKI directory (it holds the CA key)")
    p.add_argument("--site", help="init: the site the CA is for; device, bridge: must be the CA's site")
    p.add_argument("--device", help="device, revoke: the device id (the certificate's CN)")
    p.add_argument("--name", help="hub, revoke: the hub's name (the certificate's CN is hub-NAME)")
    p.add_argument("--bridge", action="store_true", help="revoke: the site broker's bridge certificates")
    p.add_argument("--host", action="append", help="init, server: a DNS name or IP of the broker (repeat)")
    p.add_argument("--broker-path", default=BROKER_PATH, help="init: where the broker reads DIR/broker/")
    p.add_argument("--force", action="store_true", help="replace what exists (init: archive the old CA)")


def run(args: argparse.Namespace) -> str:
    """Carry out `pvz-central pki ACTION`; the text says what was written and where to copy it."""
    pki, hosts = Path(args.dir), tuple(args.host or DEFAULT_HOSTS)
    needed = {"init": "site", "device": "device", "hub": "name"}.get(args.action)
    if needed is not None and not getattr(args, needed):
        raise PkiError(f"pki {args.action}: give --{needed}")
    reload = f"copy {pki / 'broker'}/acl and crl.pem to the broker and reload it (systemctl reload mosquitto)"
    if args.action == "init":
        init(pki, args.site, hosts=hosts, broker_path=args.broker_path, force=args.force)
        return (
            f"site CA for {args.site} in {pki}; copy {pki / 'broker'}/* to {args.broker_path} on the broker"
        )
    if args.action == "server":
        server(pki, hosts=hosts, force=args.force)
        return f"broker certificate for {', '.join(hosts)}: copy {pki / 'broker'}/server.* to the broker"
    if args.action == "device":
        out = device(pki, args.site, args.device, force=args.force)
        return f"device {args.device}: copy {out}/ to the device; {reload}"
    if args.action == "hub":
        out = hub(pki, args.name, force=args.force)
        return f"hub {HUB_PREFIX}{out.name}: copy {out}/ to the central system; {reload}"
    if args.action == "bridge":
        out = bridge(pki, args.site, force=args.force)
        where = "copy it to the site broker; its snippet: `pvz-central site-bridge`"
        return f"site bridge {BRIDGE_PREFIX}{out.name}: {out}/; {where}; {reload}"
    if args.action == "release-key":
        public = new_release_key(pki)
        return f'release key in {pki / "release"}; set [update] public_key = "{public}" on each device'
    bridge_site = ca_site(pki) if args.bridge else None
    out = revoke(pki, device_id=args.device, hub_name=args.name, bridge_site=bridge_site)
    return f"revoked {out.parent.name}/{out.name}; {reload}"
