"""`pvz site broker-config`: the site broker's listener and ACL, made where the site's stations are listed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from device.cli.common import Add

DEFAULT_ACL_DIR = "/etc/mosquitto/pvz-site"  # where the site broker reads the ACL


def _broker_config(args: argparse.Namespace) -> int:
    from device.config import load_config
    from device.site.broker_acl import ACL_NAME, render, write

    config = load_config(args.config)
    acl_path = f"{args.acl_dir.rstrip('/')}/{ACL_NAME}"
    files = render(config, listen=args.listen, tls_dir=args.tls_dir, acl_path=acl_path)
    written = write(files, Path(args.out))
    print(f"wrote {', '.join(str(p) for p in written)}")
    print(f"on the site broker: {written[0].name} into /etc/mosquitto/conf.d/", end="")
    if files.acl is not None:
        print(f", {ACL_NAME} into {args.acl_dir}/; then `systemctl reload mosquitto`")
    else:
        print("; no TLS, so no ACL: a laptop test only; then `systemctl restart mosquitto`")
    return 0


def register(add: Add) -> None:
    p = add("site", "a site of several devices: the site broker's listener and ACL", _help)
    p.set_defaults(site_parser=p)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    q = sub.add_parser(
        "broker-config",
        help="the site broker's LAN listener and ACL, from the main device's config",
        description="Write the site broker's conf.d snippet and ACL from the main device's config.",
    )
    q.set_defaults(func=_broker_config)
    q.add_argument("--config", default="/etc/pvz/pvz.toml", help="the main device's config file")
    q.add_argument("--out", required=True, help="the folder to write pvz-site.conf and pvz-site.acl into")
    q.add_argument("--listen", default="0.0.0.0:8883", help="ADDRESS:PORT the site's devices dial")
    q.add_argument(
        "--tls-dir",
        help="turns TLS on: where the broker reads ca.crt, server.*, crl.pem (pki init's DIR/broker/)",
    )
    q.add_argument("--acl-dir", default=DEFAULT_ACL_DIR, help="where the broker reads pvz-site.acl")


def _help(args: argparse.Namespace) -> int:
    args.site_parser.print_help(sys.stderr)
    return 2
