"""`pvz-central hub`: the reference central system — stores every device's events once, acks them, sends manifests."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Literal

import msgspec

from central.alert_rules import Rule
from central.alerts import AlertEngine
from central.dashboard.server import HubWeb
from central.hub_batches import BadBatch, check
from central.hub_commits import CommitWorker
from central.hub_config import HubConfig
from central.hub_metrics import HubMetrics
from central.hub_state import DeviceState
from central.hub_state_writer import StateWriter
from central.hub_store import open_store
from central.loop_probe import LoopProbe
from central.rollout_widen import Widener
from central.store_api import CentralStore, HubStoreUnavailable
from device import crash_points
from device.decode import decode
from device.exc import InputError
from sync.inbox import wrap
from sync.inbox_service import MAX_OUTCOME_BYTES, WireOutcome
from sync.publisher import WireBatch
from sync.topics import Topics, all_devices, parse, shared
from sync.transport import Inbound, MqttLink, PublishError, PublishProps, TlsSettings

log = logging.getLogger("pvz.sync.hub")

GROUP = "hub"
MAX_BATCH_BYTES = 8 * 1024 * 1024
MANIFEST_POLL_S = 2.0
FLUSH_S = 10.0  # at stop, how long the statuses still waiting may take to be written
SESSION_EXPIRY_S = 10  # under the devices' 15 s ack timeout: a dead hub's share goes on (docs/fleet.md)


class Hub:
    """Stores each batch in one transaction, then acks the device up to its unbroken run.

    Several hubs started with the same `--group` split the devices' event batches between them
    through an MQTT 5 shared subscription (`$share/<group>/pvz/v1/+/+/events`); they share one
    database: one SQLite file (each group commit one BEGIN IMMEDIATE transaction) or, for a fleet,
    one PostgreSQL database (central/hub_store_pg.py), where event ids are de-duplicated by a
    unique constraint and each device's ack is computed from the stored rows. The same
    devices, unchanged, can be pointed at an EMQX, HiveMQ or VerneMQ cluster instead of one
    Mosquitto: shared subscriptions, persistent sessions and QoS 1 are standard MQTT 5, so a bigger
    operator scales the broker and runs more hubs, with no code change on the device.

    Manifests: `--manifests DIR` publishes every `DIR/<site>/<device>/*.json` to that device's
    Topics.manifest at QoS 1 in the inbox envelope (sync.inbox.wrap): a bare manifest as type
    "supply", a bare updates batch as "updates", both with the file's own `version` and the
    id `f-<sha256 of the bytes>`; a file that already is an envelope goes as it is. MQTT 5
    properties: ContentType application/json, PayloadFormatIndicator UTF-8, user property
    `name` (the file name). New or changed files are picked up while the hub runs.
    """

    def __init__(
        self,
        store: CentralStore,
        link: MqttLink,
        *,
        group: str = GROUP,
        site: str = "+",
        manifests: Path | None = None,
        alerts: AlertEngine | None = None,
        metrics: HubMetrics | None = None,
        commits: CommitWorker | None = None,
        states: StateWriter | None = None,
        rollouts: Widener | None = None,
    ) -> None:
        self.store = store
        self.rollouts = rollouts  # staged rollouts widened or paused each round (central/rollout_widen.py)
        self.commits = commits  # the group commits off the loop (run_hub); None: on the loop, with `store`
        self.alerts = alerts
        self.metrics = metrics
        self.link = link
        self.group = group
        self.manifests = manifests
        self.counters = dict.fromkeys(("batches", "events_new", "duplicates", "rejected", "acks"), 0)
        self.counters.update(
            resolutions=0, manifests=0, stamped_other_device=0, outcomes=0, outcomes_rejected=0, commits=0
        )
        self._queued: list[tuple[str, WireBatch, asyncio.Future[None]]] = []
        self._committer: asyncio.Task[None] | None = None
        self._sent_manifests: dict[Path, str] = {}
        self._sending: set[bytes] = set()  # ticket resolutions being published
        self._tasks: set[asyncio.Task[None]] = set()
        self.probe = LoopProbe()
        # A broker's ACL grants a hub one site (see `pvz-central pki`): then subscribe to that site only.
        link.subscribe(shared(group, all_devices("events", site)), self._on_events)
        link.subscribe(shared(group, all_devices("outcome", site)), self._on_outcome)
        # statuses, command answers; with `states` written off the loop in batches (run_hub)
        self.state = DeviceState(store, link, group=group, site=site, writer=states)

    def _on_outcome(self, msg: Inbound) -> None:
        """A device's report of what one manifest-topic message did: kept for `pvz-central outcomes`."""
        where = parse(msg.topic)
        try:
            report = decode(msg.payload, WireOutcome, max_bytes=MAX_OUTCOME_BYTES, what="invalid outcome")
            if where is None or where[2] != "outcome" or report.device != where[1]:
                raise InputError.at("$.device", "wrong_device", f"report of {report.device!r} on {msg.topic}")
        except InputError as exc:
            self.counters["outcomes_rejected"] += 1
            log.warning("outcome on %s rejected: %s", msg.topic, exc)
            return
        if self.store.record_outcome(where[0], report):
            self.counters["outcomes"] += 1
        level = logging.WARNING if report.outcome == "rejected" else logging.INFO
        log.log(level, "%s: message %s %s %s", msg.topic, report.id, report.outcome, report.reason or "")

    def _on_events(self, msg: Inbound) -> asyncio.Future[None] | None:
        """Check a batch and queue it for the next group commit; the future (which the link awaits
        before it sends the PUBACK) is done once the batch is stored."""
        where = parse(msg.topic)
        try:
            if where is None or where[2] != "events":
                raise BadBatch(f"not an events topic: {msg.topic}")
            batch = decode(
                msg.payload, WireBatch, max_bytes=MAX_BATCH_BYTES, error=BadBatch, what="invalid batch"
            )
            site, device, _ = where
            check(site, device, batch)
        except BadBatch as exc:
            self.counters["rejected"] += 1
            log.warning("batch on %s rejected: %s", msg.topic, exc)
            return None
        stamped = sum(e.device_id != device for e in batch.events)
        if stamped:
            self.counters["stamped_other_device"] += stamped
            log.info(
                "%s: %d event(s) stamped with another device id, stored as %s's", msg.topic, stamped, device
            )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((site, batch, done))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_queued())
        return done

    async def _commit_queued(self) -> None:
        """Commit what is queued until nothing is, one commit at a time (a device's acks in order)."""
        try:
            await asyncio.sleep(0)  # the batches of this turn of the loop go in the first commit
            while self._queued:
                queued, self._queued = self._queued, []
                await self._commit(queued)
        finally:
            self._committer = None

    async def _commit(self, queued: list[tuple[str, WireBatch, asyncio.Future[None]]]) -> None:
        """Store the batches queued since the last commit in one transaction, then ack each device
        once, up to its unbroken run.

        Batches that arrive while a commit's fsync runs are queued by the loop meanwhile and go in
        the next one together: the fsync, not the inserts, was most of a batch's cost at the hub.
        With `commits`, in its worker thread (central/hub_commits.py); the acks wait for it.
        """
        batches = [(site, batch) for site, batch, _ in queued]
        try:
            if self.commits is None:
                stored = self.store.store_batches(batches)
            else:
                stored = await self.commits.store_batches(batches)
        except Exception as exc:  # noqa: BLE001 - handed to each batch's handler, which logs it; not acked, so sent again
            for *_, done in queued:
                done.set_exception(exc)
            return
        crash_points.reached("hub_ack")  # stored, no ack published yet
        acks: dict[tuple[str, str], int] = {}
        for (site, batch, done), result in zip(queued, stored, strict=True):
            self.counters["batches"] += 1
            self.counters["events_new"] += result.inserted
            self.counters["duplicates"] += len(batch.events) - result.inserted
            acks[site, batch.device] = result.acked_seq  # a device's acked seq only grows in the transaction
            done.set_result(None)
        self.counters["commits"] += 1
        for (site, device), acked_seq in acks.items():
            ack = msgspec.json.encode({"device": device, "acked_seq": acked_seq})
            self._spawn(self._publish(Topics(site, device).ack, ack, None))
            self.counters["acks"] += 1

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, topic: str, payload: bytes, props: PublishProps | None) -> None:
        try:
            await self.link.publish(topic, payload, 1, properties=props)
        except PublishError as exc:
            log.warning("%s: %s", topic, exc)

    def publish_manifests(self) -> int:
        """Publish every new or changed DIR/<site>/<device>/*.json; return how many."""
        if self.manifests is None:
            return 0
        count = 0
        for path in sorted(self.manifests.glob("*/*/*.json")):
            try:
                raw = path.read_bytes()
                topics = Topics(path.parent.parent.name, path.parent.name)
            except (OSError, ValueError) as exc:
                log.warning("manifest %s skipped: %s", path, exc)
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if self._sent_manifests.get(path) == digest:
                continue
            self._sent_manifests[path] = digest
            props = PublishProps(content_type="application/json", utf8=True, user=(("name", path.name),))
            self._spawn(self._publish(topics.manifest, envelope(raw, f"f-{digest[:48]}"), props))
            log.info("manifest %s → %s", path, topics.manifest)
            count += 1
        self.counters["manifests"] += count
        return count

    def publish_resolutions(self) -> int:
        """Send each operator's answer not yet sent (`pvz-central tickets resolve`) to its device's
        manifest topic; marked sent once the broker has it, so a failed publish is tried again."""
        due = [d for d in self.store.unsent_resolutions() if d[2] not in self._sending]
        for site, device, message in due:
            self._sending.add(message)
            self._spawn(self._send_resolution(Topics(site, device).manifest, message))
        return len(due)

    async def _send_resolution(self, topic: str, message: bytes) -> None:
        props = PublishProps(content_type="application/json", utf8=True)
        try:
            await self.link.publish(topic, message, 1, properties=props)
        except PublishError as exc:
            log.warning("%s: %s", topic, exc)
            return
        finally:
            self._sending.discard(message)
        self.store.mark_sent(message)
        self.counters["resolutions"] += 1
        log.info("ticket resolution → %s", topic)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish manifests (now and when files change) until `stop`; batches arrive meanwhile."""
        probe = asyncio.create_task(self.probe.run(stop))
        try:
            while not stop.is_set():
                if self.link.connected:
                    self.publish_manifests()
                    self.publish_resolutions()
                    if self.rollouts is not None:
                        await self.rollouts.round()
                self._watch()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), MANIFEST_POLL_S)
        finally:
            probe.cancel()
            if self._committer is not None:
                await self._committer  # a commit under way ends, and its acks are handed to the link
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self.state.writer is not None:
                with contextlib.suppress(TimeoutError):  # a database away: what waits is lost, sent again
                    await asyncio.wait_for(self.state.writer.flush(), FLUSH_S)

    def _watch(self) -> None:
        """Alerts and the metrics' snapshot; a database that is away now skips one round, and the
        next one catches up (a rule's duration is counted from when its condition began)."""
        try:
            if self.alerts is not None:
                self.alerts.check()
            if self.metrics is not None:
                self.metrics.refresh(self.counters, self.store)
        except HubStoreUnavailable as exc:
            log.warning("alerts and metrics not updated: %s", exc)

    def status(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "devices": self.store.devices(),
            **self.counters,
            **self.state.counters,
            **self.probe.counters,
            **({} if self.state.writer is None else self.state.writer.counters),
            **({} if self.alerts is None else self.alerts.counters),
            **({} if self.rollouts is None else self.rollouts.counters),
            "link": self.link.status(),
        }


def envelope(raw: bytes, message_id: str) -> bytes:
    """A manifest or updates file in the inbox envelope; an envelope or anything else as it is."""
    try:
        head = json.loads(raw)
    except ValueError:
        return raw  # the device rejects it with a reason and counts it
    if not isinstance(head, dict) or "body" in head or not isinstance(head.get("version"), int):
        return raw
    kind: Literal["supply", "updates"] = "supply" if "supply_id" in head else "updates"
    return wrap(kind, raw, message_id=message_id, version=head["version"])


def split_broker(text: str, *, option: str = "--broker") -> tuple[str, int]:
    """HOST:PORT of a command-line option; anything else is one clear line (reason `bad_format`),
    not a traceback."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError.at(option, "bad_format", f"wants HOST:PORT, e.g. 127.0.0.1:9464, not {text!r}")
    return host, int(port)


def run_hub(
    broker: str,
    db: str | Path,
    *,
    group: str = GROUP,
    site: str = "+",
    manifests: Path | None = None,
    client_id: str | None = None,
    tls: TlsSettings | None = None,
    rules: list[Rule] | None = None,
    metrics: str | None = None,
    config: HubConfig | None = None,
) -> int:
    """`pvz-central hub`: run until SIGTERM or SIGINT; with `rules`, raise and clear alerts; with
    `metrics` (HOST:PORT), serve Prometheus's text there; with a `config` naming [web], serve the
    dashboard and the release files (central/dashboard/)."""
    host, port = split_broker(broker)
    where = None if metrics is None else split_broker(metrics, option="--metrics")
    cid = client_id or f"pvz-hub-{group}-{socket.gethostname()}"[:64]
    store = open_store(db)
    commits = CommitWorker(db)
    states = StateWriter(db)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        reconnect = (0.5, 10.0)
        link = MqttLink(
            client_id=cid, host=host, port=port, tls=tls, session_expiry=SESSION_EXPIRY_S, reconnect=reconnect
        )
        alerts = None if rules is None else AlertEngine(rules, store)
        exporter = None if where is None else HubMetrics([r.name for r in rules or ()])
        hub = Hub(
            store,
            link,
            group=group,
            site=site,
            manifests=manifests,
            alerts=alerts,
            metrics=exporter,
            commits=commits,
            states=states,
            rollouts=Widener(store, link, site=site),
        )
        web = (
            None
            if config is None or config.web is None
            else HubWeb(config, store, link, rules=rules, group=group, site=site)
        )
        if web is not None:
            await web.start()  # before the metrics' thread: a port in use stops the hub with nothing to undo
        server = None if exporter is None or where is None else exporter.serve(*where)[0]
        link.start(loop)
        try:
            await link.wait_connected(30)
            print(f"pvz-central hub: {cid} connected to {broker}, group {group}", file=sys.stderr, flush=True)  # noqa: T201
        except TimeoutError:
            log.warning("no broker at %s yet; still trying", broker)
        try:
            await hub.run(stop)
        finally:
            if web is not None:
                log.info("hub web: %s", web.status())
                await web.stop()
            link.stop()
            if server is not None:
                server.shutdown()
                server.server_close()
            print(f"pvz-central hub: stopped; {hub.status()}", file=sys.stderr, flush=True)  # noqa: T201

    try:
        asyncio.run(main())
    finally:
        states.close()
        commits.close()
        store.close()
    return 0
