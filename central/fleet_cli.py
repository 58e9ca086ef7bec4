"""`pvz-central fleet`: list devices from their retained status, send commands, push desired config over MQTT."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from central import rollout_cli, rollouts_cli
from central.fleet_diag import save_bundle
from central.fleet_link import FleetError, connect, statuses
from central.fleet_view import row, table
from sync.desired_config import DesiredConfigError, parse_desired
from sync.topics import Topics, parse, replies_for, reply_topic
from sync.transport import Inbound, MqttLink, PublishProps

LIST_WINDOW_S = 1.5  # how long retained status messages are collected: they arrive right after SUBSCRIBE
CMD_TIMEOUT_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--broker", default="localhost:1883", help="HOST:PORT (default: localhost:1883)")
    common.add_argument("--ca", help="CA bundle that signs the broker's certificate (turns TLS on)")
    common.add_argument("--cert", help="client certificate (PEM)")
    common.add_argument("--key", help="client key (PEM)")
    common.add_argument("--window", type=float, default=LIST_WINDOW_S, help="seconds to collect statuses")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = sub.add_parser("ls", parents=[common], help="devices, online, version, outbox depth, last seen")
    p.add_argument("--site", default="+", help="only this site")
    p.add_argument("--json", action="store_true", help="one JSON object per device")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the UPDATE column")
    p = sub.add_parser("cmd", parents=[common], help="send a command to SITE/DEVICE, SITE/* or */*")
    p.add_argument("target", help="SITE/DEVICE, SITE/* for every device of the site, */* for every site")
    p.add_argument("name", help="ping, lights-test, print-test, reload-config, set-log-level, sync-now, …")
    p.add_argument("--args", default="{}", help="the command's arguments as a JSON object")
    p.add_argument("--timeout", type=float, default=CMD_TIMEOUT_S, help="seconds to wait for answers")
    p.add_argument("--expires", type=float, help="seconds the command may wait to run (default: --timeout)")
    p.add_argument(
        "--save-dir",
        type=Path,
        default=Path(),
        help="where a diagnostics bundle is saved, one zip per device (default: the current directory)",
    )
    p = sub.add_parser("config", parents=[common], help="push a desired config (retained)")
    p.add_argument("config_action", choices=["push"])
    p.add_argument("target", help="SITE/DEVICE, SITE/* for every device of the site, */* for every site")
    p.add_argument("file", help='JSON {"version": N, "config": {...}}, or TOML with --version')
    p.add_argument("--version", type=int, dest="doc_version", help="the version of a TOML file")
    p.add_argument("--timeout", type=float, default=CMD_TIMEOUT_S, help="seconds to wait for the ack (0: no)")
    rollout_cli.add_parser(sub, common)
    rollouts_cli.add_parser(sub)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    action: dict[str, Callable[[argparse.Namespace, TextIO], Any]] = {
        "ls": _ls,
        "cmd": _cmd,
        "config": _config_push,
        "rollout": rollout_cli.run,
        "rollouts": rollouts_cli.run,
    }
    return int(asyncio.run(action[args.action](args, out or sys.stdout)))


def parse_target(target: str) -> tuple[str, str | None]:
    """SITE/DEVICE → (site, device); SITE/* → (site, None); */* → ("+", None): every site.

    Checked before anything connects."""
    site, _, device = target.partition("/")
    if site == "*" and device == "*":
        return "+", None
    try:
        Topics(site, "xx" if device == "*" else device)
    except ValueError as exc:
        raise FleetError(f"target {target!r}: {exc}") from None
    return site, None if device == "*" else device


async def targets(link: MqttLink, target: tuple[str, str | None], window: float) -> list[Topics]:
    site, device = target
    if device is not None:
        return [Topics(site, device)]
    found = await statuses(link, site, window)
    if not found:
        whose = "no device" if site == "+" else f"no device of site {site!r}"
        raise FleetError(f"{whose} has a retained status on the broker")
    return [Topics(s, d) for s, d in sorted(found)]


async def _ls(args: argparse.Namespace, out: TextIO) -> int:
    link = await connect(args)
    try:
        found = await statuses(link, args.site, args.window)
    finally:
        link.stop()
    rows = [row(site, device, st, args.lang) for (site, device), st in sorted(found.items())]
    if args.json:
        for one in rows:
            print(json.dumps(one, ensure_ascii=False), file=out)
        return 0
    for line in table(rows):
        print(line, file=out)
    print(f"{len(rows)} device(s)", file=out)
    return 0


def request(name: str, args: dict[str, Any], *, expires_s: float, now: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "args": args,
        "issued_at": now.isoformat(timespec="milliseconds"),
        "expires_at": (now + timedelta(seconds=expires_s)).isoformat(timespec="milliseconds"),
    }


async def _cmd(args: argparse.Namespace, out: TextIO) -> int:
    try:
        cmd_args = json.loads(args.args)
    except json.JSONDecodeError as exc:
        raise FleetError(f"--args is not JSON: {exc}") from None
    if not isinstance(cmd_args, dict):
        raise FleetError("--args must be a JSON object")
    expires = args.timeout if args.expires is None else args.expires
    target = parse_target(args.target)
    link = await connect(args)
    try:
        devices = await targets(link, target, args.window)
        nonce = uuid.uuid4().hex
        answers: dict[str, dict[str, Any]] = {}
        sent: dict[str, str] = {}  # "site/device" → command id
        everyone = asyncio.Event()

        def on_reply(msg: Inbound) -> None:
            # pvz/v1/replies/<site>/<device>/<nonce>: the ACL lets only that device write there
            parts = msg.topic.split("/")
            who = f"{parts[3]}/{parts[4]}" if len(parts) == 6 else ""
            try:
                body = json.loads(msg.payload)
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = {"ok": False, "error": "reply is not JSON"}
            if who in sent and isinstance(body, dict) and body.get("id") in (sent[who], None):
                answers[who] = body
                if len(answers) == len(sent):
                    everyone.set()

        link.subscribe(replies_for(nonce), on_reply)
        # Every request is made before the first is sent: an early answer must not look like the last.
        bodies = {t: request(args.name, cmd_args, expires_s=expires, now=datetime.now(UTC)) for t in devices}
        sent.update({f"{t.site}/{t.device}": body["id"] for t, body in bodies.items()})
        for topics, body in bodies.items():
            props = PublishProps(
                response_topic=reply_topic(topics.site, topics.device, nonce),
                correlation_data=f"{nonce}:{topics.site}/{topics.device}".encode(),
                message_expiry=max(1, math.ceil(expires)),
                content_type="application/json",
                utf8=True,
            )
            await link.publish(topics.cmd, json.dumps(body).encode(), 1, False, props)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone.wait(), args.timeout)
    finally:
        link.stop()
    failed = 0
    for who in sent:
        body = answers.get(who, {"ok": False, "error": f"no answer within {args.timeout:g} s"})
        if args.name == "diagnostics" and body.get("ok") is True:
            body = save_bundle(body, who, args.save_dir)
        failed += body.get("ok") is not True
        print(json.dumps({"device": who, **body}, ensure_ascii=False), file=out)
    return 1 if failed else 0


def load_document(path: Path, version: int | None) -> bytes:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FleetError(f"{path}: {exc}") from None
    if path.suffix == ".toml":
        if version is None:
            raise FleetError("a TOML file needs --version N")
        return json.dumps({"version": version, "toml": text}, ensure_ascii=False).encode()
    return text.encode()


async def _config_push(args: argparse.Namespace, out: TextIO) -> int:
    payload = load_document(Path(args.file), args.doc_version)
    try:
        desired = parse_desired(payload)  # refused here, by name, before any device sees it
    except DesiredConfigError as exc:
        raise FleetError(f"{args.file}: {exc}") from None
    target = parse_target(args.target)
    link = await connect(args)
    try:
        devices = await targets(link, target, args.window)
        for topics in devices:
            await link.publish(topics.config, payload, 1, True, PublishProps(content_type="application/json"))
            print(
                f"{topics.site}/{topics.device}: pushed version {desired.version} hash {desired.hash}",
                file=out,
            )
        if args.timeout <= 0:
            return 0
        waiting = {(t.site, t.device) for t in devices}
        outcome: dict[tuple[str, str], dict[str, Any]] = {}
        done = asyncio.Event()

        def on_status(msg: Inbound) -> None:
            where = parse(msg.topic)
            try:
                report = json.loads(msg.payload).get("config") or {}
            except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
                return
            if where is None or (where[0], where[1]) not in waiting:
                return
            if isinstance(report, dict) and report.get("version") == desired.version:
                outcome[(where[0], where[1])] = report
                if len(outcome) == len(waiting):
                    done.set()

        for topics in devices:
            link.subscribe(topics.status, on_status)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), args.timeout)
    finally:
        link.stop()
    failed = 0
    for site, device in sorted(waiting):
        report = outcome.get((site, device))
        ok = report is not None and report.get("applied") is True and report.get("hash") == desired.hash
        failed += not ok
        state = "no report yet" if report is None else "applied" if ok else f"rejected: {report.get('error')}"
        print(f"{site}/{device}: {state}", file=out)
    return 1 if failed else 0
