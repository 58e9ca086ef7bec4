"""What a signed-in operator may do from the dashboard: send a fleet command to one device (the
very request `pvz-central fleet cmd` sends, central/fleet_cli.py) and answer a ticket (kept in the
store; the hub's loop sends it to the device, as after `pvz-central tickets resolve`).

The device's answer to a command goes to a reply topic the hub's group already reads
(central/hub_state.py), so it lands in the store and reaches the page through the live feed.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from central import hub_tickets
from central.dashboard import auth
from central.dashboard.requests import OPERATOR_PROPERTY
from central.fleet_cli import request as command_request
from central.store_api import CentralStore
from sync.topics import Topics, reply_topic
from sync.transport import MqttLink, PublishError, PublishProps

COMMANDS = ("ping", "print-test", "lights-test", "sync-now", "reload-config")  # what the page offers
EXPIRES_S = 60.0  # a command that has not reached its device within a minute is not run
MAX_ANSWER = 500
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


def bad(reason: str, status: int = 400) -> web.Response:
    return auth.refusal(status, reason)


async def body_of(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, web.HTTPRequestEntityTooLarge):
        return None
    return body if isinstance(body, dict) else None


class Actions:
    def __init__(self, store: CentralStore, link: MqttLink, auth_: auth.Authenticator) -> None:
        self.store = store
        self.link = link
        self.auth = auth_

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/command", self.command),
            web.post("/api/tickets/{ticket}/resolve", self.resolve),
        ]

    async def command(self, request: web.Request) -> web.Response:
        """{"site", "device", "name", "args"?}: published at QoS 1 to the device's command topic,
        where the hub's group reads it back into the list (central/dashboard/requests.py)."""
        who = auth.acting(self.auth, request)
        body = await body_of(request)
        if body is None or set(body) - {"site", "device", "name", "args"}:
            return bad("bad_input")
        name, args = body.get("name"), body.get("args", {})
        try:
            topics = Topics(str(body.get("site")), str(body.get("device")))
        except ValueError:
            return bad("bad_target")
        if not isinstance(name, str) or not _NAME.match(name) or not isinstance(args, dict):
            return bad("bad_input")
        nonce = uuid.uuid4().hex
        req = command_request(name, args, expires_s=EXPIRES_S, now=datetime.now(UTC))
        props = PublishProps(
            response_topic=reply_topic(topics.site, topics.device, nonce),
            correlation_data=f"{nonce}:{topics.site}/{topics.device}".encode(),
            message_expiry=math.ceil(EXPIRES_S),
            content_type="application/json",
            utf8=True,
            user=((OPERATOR_PROPERTY, who.name),),  # the hub's group lists it as this operator's
        )
        try:
            await self.link.publish(topics.cmd, json.dumps(req).encode(), 1, False, props)
        except PublishError:
            return bad("broker_unavailable", 503)
        return web.json_response({"id": req["id"]}, status=202)

    async def resolve(self, request: web.Request) -> web.Response:
        """{"text"}: the operator's answer to an open ticket."""
        auth.acting(self.auth, request)
        body = await body_of(request)
        text = body.get("text") if body is not None else None
        if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_ANSWER or not text.isprintable():
            return bad("bad_input")
        try:
            self.store.resolve_ticket(request.match_info["ticket"], text.strip())
        except hub_tickets.UnknownTicket:
            return bad("unknown_ticket", 404)
        except hub_tickets.AlreadyResolved:
            return bad("already_resolved", 409)
        return web.json_response({"answered": True}, status=202)
