"""`pvz screen`: pair a tablet with a station's screen, list the tokens, revoke one.

These open the store without the daemon's owner lock, so they work while the daemon runs:
the pairing slip is queued in the store, and the running daemon prints it on the station's
printer within a few seconds (with no daemon running, at its next start).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from device.cli.common import Add
from device.exc import PvzError

if TYPE_CHECKING:
    from device.config_schema import Config, RemoteStation, Station

DEFAULT_LABEL = "tablet"


class ScreenOff(PvzError, RuntimeError):
    """`[screen] listen = "off"`: there is no server a tablet could be paired with."""


class PairingError(PvzError, ValueError):
    """A pairing the config cannot serve: an unknown station, no address a tablet can reach."""


def _config(path: str) -> tuple[Config, Path]:
    from device.config import load_config

    return load_config(path), Path(path)


def _pair(args: argparse.Namespace) -> int:
    from device.apply import queue_document
    from device.config import resolve_path, screen_listen
    from device.config_schema import RemoteStation
    from device.documents.registry import Documents
    from device.screen.netaddr import is_loopback
    from device.screen.tokens import new_token
    from device.store.db import Store
    from device.store.journal import Stamp

    config, config_file = _config(args.config)
    listen = screen_listen(config, str(config_file))
    if listen is None:
        raise ScreenOff(
            f'{config_file}: [screen] listen is "off", so no tablet can reach a screen; set it to '
            f'listen on the network, e.g. [screen] listen = "0.0.0.0:8080", restart the daemon '
            f"(systemctl restart pvz) and pair again"
        )
    host, port = listen
    if is_loopback(host):
        print(
            f"note: [screen] listen is {config.screen.listen}: only this machine reaches the screen; "
            f'a tablet needs e.g. [screen] listen = "0.0.0.0:{port}" and a daemon restart',
            file=sys.stderr,
        )
    station = _station(config, args.station)
    url_host = _url_host(host, args.host)  # before anything is written: it may fail
    zone = ZoneInfo(config.device.timezone)
    lang = station.language or config.device.language
    docs = Documents(
        site=config.device.site, device_id=config.device.id, lang=lang, tz=zone, address=config.device.address
    )
    now = datetime.now(zone)
    with Store.open(resolve_path(config_file, config.store.path)) as store, store.transaction() as conn:
        token_id, token = new_token(conn, station.name, args.label, now)
        url = pairing_url(url_host, port, token)
        stamp = Stamp(config.device.id, now.isoformat(timespec="seconds"), station.name)
        data = {"station": station.name, "label": args.label, "url": url, "token": token_id}
        job = queue_document(conn, docs, "screen_pair", data, stamp)
    print(f"token {token_id} made for station {station.name} ({args.label})")
    print(
        f"pairing slip queued as print job {job} for {station.name}'s printer: the running daemon "
        f"prints it within a few seconds; with no daemon running, it prints at the next start"
    )
    print(f"URL: {url}")
    if isinstance(station, RemoteStation):
        shown = f"[{url_host}]" if ":" in url_host else url_host
        print(f"{station.name} is a remote station (device {station.device}): in its config, put")
        print(f'[site]\nmain_screen = "http://{shown}:{port}"\nmain_screen_token = "{token}"')
    return 0


def pairing_url(host: str, port: int, token: str) -> str:
    """The address a tablet opens; an IPv6 address goes in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/pair?token={token}"


def _url_host(listen_host: str, given: str | None) -> str:
    """The host a tablet can reach: --host, else the listen address unless it is a wildcard or
    loopback, else this machine's first network address."""
    from device.screen.netaddr import is_loopback, is_wildcard, reachable_address

    if given:
        return given
    if not (is_wildcard(listen_host) or is_loopback(listen_host)):
        return listen_host
    found = reachable_address()
    if found is None:
        raise PairingError(
            "this machine has no network address a tablet could reach (only loopback): connect it "
            "to the network, or give the address tablets use with --host"
        )
    return found


def _station(config: Config, name: str | None) -> Station | RemoteStation:
    """The named station of the config (a remote station's too: its own screen shows this
    device's page for it, with the token), or its first."""
    if name is None:
        return config.stations[0]
    candidates: list[Station | RemoteStation] = [*config.stations, *config.site.stations]
    for station in candidates:
        if station.name == name:
            return station
    known = ", ".join(s.name for s in candidates)
    raise PairingError(f"no station {name!r} in the config (stations: {known})")


def _tokens(args: argparse.Namespace) -> int:
    from device.config import resolve_path
    from device.screen.tokens import tokens
    from device.store.db import Store

    config, config_file = _config(args.config)
    with Store.open(resolve_path(config_file, config.store.path)) as store:
        rows = tokens(store.conn)
    if not rows:
        print("no screen tokens: pair a tablet with `pvz screen pair`")
        return 0
    print(
        f"{'id':>4}  {'station':<14} {'label':<18} {'created (UTC)':<20} {'last used (UTC)':<20} revoked (UTC)"
    )
    for r in rows:
        print(
            f"{r.id:>4}  {r.station:<14} {r.label:<18} {r.created_at[:19]:<20} "
            f"{(r.last_used_at or '-')[:19]:<20} {(r.revoked_at or '-')[:19]}"
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from datetime import UTC

    from device.config import resolve_path
    from device.screen.tokens import revoke
    from device.store.db import Store

    config, config_file = _config(args.config)
    with Store.open(resolve_path(config_file, config.store.path)) as store, store.transaction() as conn:
        done = revoke(conn, args.id, datetime.now(UTC))
    if not done:
        raise PairingError(f"no active screen token {args.id} (see `pvz screen tokens`)")
    print(f"token {args.id} revoked: its tablet is cut off within a few seconds")
    return 0


def register(add: Add) -> None:
    p = add("screen", "pair a tablet with a station's screen; list, revoke tokens", _help)
    p.set_defaults(screen_parser=p)
    sub = p.add_subparsers(dest="action", metavar="ACTION")

    pair = sub.add_parser(
        "pair", help="make a station token and print its pairing code on the station's printer"
    )
    pair.set_defaults(func=_pair)
    pair.add_argument("--config", required=True, help="device config file (TOML)")
    pair.add_argument("--station", help="the station the tablet shows (default: the first)")
    pair.add_argument("--label", default=DEFAULT_LABEL, help="a name for the tablet, e.g. 'counter tablet'")
    pair.add_argument(
        "--host",
        help="the address tablets reach this machine at (default: the listen address, or this machine's first network address)",
    )

    listing = sub.add_parser(
        "tokens", help="list every station token: station, label, created, last used, revoked"
    )
    listing.set_defaults(func=_tokens)
    listing.add_argument("--config", required=True, help="device config file (TOML)")

    rev = sub.add_parser("revoke", help="revoke a station token: its tablet is cut off")
    rev.set_defaults(func=_revoke)
    rev.add_argument("id", type=int, help="the token's id (from `pvz screen tokens`)")
    rev.add_argument("--config", required=True, help="device config file (TOML)")


def _help(args: argparse.Namespace) -> int:
    args.screen_parser.print_help(sys.stderr)
    return 2
