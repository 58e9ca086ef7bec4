"""The fleet commands' MQTT connection to the broker, and the retained statuses that tell them which devices exist."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from typing import Any

from device.exc import PvzError
from sync.topics import all_devices, parse
from sync.transport import Inbound, MqttLink, TlsSettings

CONNECT_TIMEOUT_S = 10.0


class FleetError(PvzError):
    """A fleet command that cannot be carried out (no broker, a bad target, a bad document)."""


async def connect(args: argparse.Namespace) -> MqttLink:
    host, _, port = str(args.broker).rpartition(":")
    if not host or not port.isdigit():
        raise FleetError(f"--broker must be HOST:PORT, not {args.broker!r}")
    tls = None
    if args.ca or args.cert:
        tls = TlsSettings(ca_file=args.ca, cert_file=args.cert, key_file=args.key)
    client_id = f"pvz-fleet-{uuid.uuid4().hex[:12]}"
    link = MqttLink(client_id=client_id, host=host, port=int(port), tls=tls, session_expiry=0)
    link.start(asyncio.get_running_loop())
    try:
        await link.wait_connected(CONNECT_TIMEOUT_S)
    except TimeoutError:
        link.stop()
        raise FleetError(f"cannot connect to {args.broker}: {link.last_error or 'no answer'}") from None
    return link


async def statuses(link: MqttLink, site: str, window: float) -> dict[tuple[str, str], dict[str, Any]]:
    """The retained status of every device (of a site), collected for `window` seconds."""
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def on_status(msg: Inbound) -> None:
        where = parse(msg.topic)
        if where is None or not msg.payload:
            return
        try:
            body = json.loads(msg.payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = {"error": "status is not JSON"}
        found[(where[0], where[1])] = body if isinstance(body, dict) else {"error": "status is not an object"}

    link.subscribe(all_devices("status", site), on_status)
    await asyncio.sleep(window)
    return found
