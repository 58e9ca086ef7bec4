"""The `pvz-central` command: what runs beside the central system, never on a device: hub, fleet, PKI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from device import __version__
from device.cli.common import run_command, subcommands


def _hub(args: argparse.Namespace) -> int:
    from central.alert_rules import load_rules
    from central.hub import run_hub
    from central.hub_config import load_config
    from sync.transport import TlsSettings

    rules = (
        None if args.alerts is None else load_rules(args.alerts)
    )  # a bad file stops here, before the broker
    config = None if args.config is None else load_config(args.config)

    manifests = None if args.manifests is None else Path(args.manifests)
    tls = TlsSettings(args.ca, args.cert, args.key) if args.ca or args.cert else None
    options = {"group": args.group, "site": args.site, "client_id": args.client_id}
    return run_hub(
        args.broker,
        args.db,
        manifests=manifests,
        tls=tls,
        rules=rules,
        metrics=args.metrics,
        config=config,
        **options,
    )


def _alerts(args: argparse.Namespace) -> int:
    """The alerts the hub's rules raised, the latest first; open ones only with --open."""
    from central.hub_store import open_store

    store = open_store(args.db)
    try:
        rows = store.alerts(open_only=args.open, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        until = r["cleared_at"] or "open"
        print(
            f"{r['raised_at']}  {until:25}  {r['site']}/{r['device']}  {r['rule']}  {r['detail'].get('value')}"
        )
    return 0


def _outcomes(args: argparse.Namespace) -> int:
    """What the devices reported about each manifest-topic message, newest first."""
    from central.hub_store import open_store

    store = open_store(args.db)
    try:
        rows = store.outcomes(args.device, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        what = f"{r['code']} {r['path']}" if r["outcome"] == "rejected" else (r["reason"] or "")
        counts = ", ".join(f"{k} {v}" for k, v in dict(r["counts"]).items() if v)
        line = f"{r['ts']}  {r['site']}/{r['device']}  {r['message_id'] or '-'}  {r['outcome']}  {what}"
        print(line.rstrip() + (f"  ({counts})" if counts else ""))
    return 0


def _tickets(args: argparse.Namespace) -> int:
    """The fleet's tickets (`ls`), or an operator's answer to one (`resolve`), sent by the running hub."""
    from central import hub_tickets
    from central.hub_store import open_store

    store = open_store(args.db)
    try:
        if args.action == "resolve":
            text = args.text or ""
            if not args.ticket or not 0 < len(text) <= 500 or not text.isprintable():
                print(
                    "resolve wants a ticket id and --text of 1 to 500 printable characters", file=sys.stderr
                )
                return 2
            try:
                store.resolve_ticket(args.ticket, text)
            except hub_tickets.UnknownTicket:
                print(f"no ticket {args.ticket} at this hub", file=sys.stderr)
                return 2
            except hub_tickets.AlreadyResolved:
                print(f"ticket {args.ticket} is already resolved on its device", file=sys.stderr)
                return 2
            print(f"{args.ticket}: answer kept; the hub sends it to the device")
            return 0
        rows = store.tickets(args.state)
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        video = f"{r['camera'] or '-'} {r['evidence_from']}..{r['evidence_to']}"
        what = r["parcel"] or r["order_id"] or "-"
        line = f"{r['ticket_id']}  {r['site']}/{r['device']}  {r['kind']}  {what}  {r['state']}  {video}"
        print(line + (f"  {r['resolution']}" if r["resolution"] else ""))
    return 0


def _fleet(args: argparse.Namespace) -> int:
    from central.fleet_cli import run

    return run(args)


def _pki(args: argparse.Namespace) -> int:
    from central.pki_cli import run

    print(run(args))
    return 0


def _site_bridge(args: argparse.Namespace) -> int:
    from central.site_bridge import run

    print(run(args))
    return 0


def _send_key(args: argparse.Namespace) -> int:
    from central.send_qr_cli import run_key

    print(run_key(args))
    return 0


def _send_qr(args: argparse.Namespace) -> int:
    from central.send_qr_cli import run_qr

    print(run_qr(args))
    return 0


def _demo_sync(args: argparse.Namespace) -> int:
    """The demo day on a fresh store, then every event of it through a local Mosquitto to a hub."""
    from central.demo_sync import sync_day
    from device.demo.day import run_demo

    out = Path(args.out)
    (out / "hub.db").unlink(missing_ok=True)
    result = run_demo(out, seed=args.seed, lang=args.lang, quiet=True)
    result["sync"] = sync_day(out)
    (out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(result["sync"], ensure_ascii=False, indent=2))
    return 0


def _hub_arguments(p: argparse.ArgumentParser) -> None:
    """`pvz-central hub`'s options, apart so the parser's builder stays readable."""
    p.add_argument("--broker", required=True, help="MQTT broker as HOST:PORT")
    p.add_argument(
        "--db",
        required=True,
        help="the hub's SQLite file, or postgresql://… (hubs of one group may share either)",
    )
    p.add_argument("--group", default="hub", help="shared-subscription group of hubs (default: hub)")
    p.add_argument("--manifests", help="publish DIR/<site>/<device>/*.json to each device's manifest topic")
    p.add_argument("--client-id", help="MQTT client id (default: pvz-hub-<group>-<hostname>)")
    p.add_argument("--site", default="+", help="only this site's devices (what a hub certificate may read)")
    p.add_argument("--ca", help="CA bundle that signs the broker's certificate (turns TLS on)")
    p.add_argument("--cert", help="the hub's client certificate (PEM), from `pvz-central pki hub`")
    p.add_argument("--key", help="the hub's client key (PEM)")
    p.add_argument("--alerts", help="alert rules (TOML, docs/examples/alerts.toml), checked at start")
    p.add_argument("--metrics", help="serve Prometheus metrics on HOST:PORT (e.g. 127.0.0.1:9464)")
    p.add_argument("--config", help="hub.toml: the dashboard and release files over HTTP(S) (docs/fleet.md)")


def build_parser() -> argparse.ArgumentParser:
    from central.fleet_cli import add_arguments as fleet_arguments
    from central.hub_tickets import STATES
    from central.pki_cli import add_arguments as pki_arguments

    parser = argparse.ArgumentParser(prog="pvz-central", description="Central side of a pvz fleet.")
    parser.add_argument("--version", action="version", version=f"pvz-central {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    add = subcommands(parser)

    _hub_arguments(add("hub", "reference central system: acks events, sends manifests", _hub))

    p = add("alerts", "alerts raised and cleared by the hub's rules (--alerts)", _alerts)
    p.add_argument("--db", required=True, help="the hub's SQLite file, or postgresql://…")
    p.add_argument("--open", action="store_true", help="only the alerts still open")
    p.add_argument("--limit", type=int, default=50, help="latest N alerts (default: 50)")
    p.add_argument("--json", action="store_true", help="as JSON")

    p = add("outcomes", "what devices did with each manifest message", _outcomes)
    p.add_argument("--db", required=True, help="the hub's SQLite file, or postgresql://…")
    p.add_argument("--device", help="only this device")
    p.add_argument("--limit", type=int, default=50, help="newest N reports (default: 50)")
    p.add_argument("--json", action="store_true", help="as JSON")

    p = add("tickets", "the fleet's exception queue: list tickets, answer one", _tickets)
    p.add_argument("action", choices=["ls", "resolve"], help="ls: list; resolve: answer one ticket")
    p.add_argument("ticket", nargs="?", help="the ticket's id (resolve)")
    p.add_argument("--db", required=True, help="the hub's SQLite file, or postgresql://…")
    p.add_argument("--text", help="the answer the device shows (resolve)")
    p.add_argument("--state", choices=list(STATES), help="only tickets in this state (ls)")
    p.add_argument("--json", action="store_true", help="as JSON (ls)")

    p = add("fleet", "fleet over MQTT: list devices, commands, config", _fleet)
    fleet_arguments(p)

    p = add("pki", "site certificates: CA, broker, devices, hubs; revocation", _pki)
    pki_arguments(p)

    from central.site_bridge import add_arguments as bridge_arguments

    p = add("site-bridge", "the site broker's Mosquitto bridge to the central broker", _site_bridge)
    bridge_arguments(p)

    from central.send_qr_cli import add_key_arguments, add_qr_arguments

    p = add("send-key", "new key signing send QR codes (prints its public key)", _send_key)
    add_key_arguments(p)
    p = add("send-qr", "a shipment's signed send QR, as the app shows it", _send_qr)
    add_qr_arguments(p)

    p = add("demo-sync", "the demo day, its events sent to a hub through Mosquitto", _demo_sync)
    p.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the day (default: 1)")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of messages and receipts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
