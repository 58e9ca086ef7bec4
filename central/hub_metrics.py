"""The hub's figures for Prometheus (`pvz-central hub --metrics HOST:PORT`), through its maintained
client library, so an operator's Grafana charts the fleet: events stored, duplicates, batches,
acks, devices online, open alerts by rule, and the outbox depth of the deepest devices.

The hub's loop takes a snapshot (the store is the loop's); the exporter's HTTP thread only reads
the latest snapshot, swapped whole. Per-device series are capped at MAX_DEVICE_SERIES (the
deepest outboxes) so a thousand counters cannot blow up Prometheus; the fleet's total is separate.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from central.health import derive
from central.store_api import EVERY, CentralStore
from device.exc import PvzError

MAX_DEVICE_SERIES = 100
# The hub's counters exported as Prometheus counters: (counter key, metric name, help).
COUNTERS = (
    ("events_new", "pvz_hub_events_stored", "Events stored for the first time"),
    ("duplicates", "pvz_hub_duplicates", "Events received again and not stored twice"),
    ("batches", "pvz_hub_batches", "Event batches received"),
    ("acks", "pvz_hub_acks", "Acks sent to devices"),
)


class MetricsUnavailable(PvzError, OSError):
    """The metrics endpoint cannot listen where it was told to; the hub does not start."""


@dataclass(frozen=True)
class Snapshot:
    counters: Mapping[str, int] = field(default_factory=dict)
    devices_online: int = 0
    devices_known: int = 0
    alerts_open: Mapping[str, int] = field(default_factory=dict)
    outbox: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (site, device) → depth
    outbox_total: int = 0


class HubMetrics(Collector):
    """A collector over the latest snapshot; `rules` names every rule so each has a series at 0."""

    def __init__(self, rules: list[str] | None = None) -> None:
        self.rules = list(rules or ())
        self.snapshot = Snapshot()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def refresh(self, counters: Mapping[str, int], store: CentralStore) -> None:
        """On the hub's loop: read the store and swap the snapshot in."""
        online = 0
        depths: dict[tuple[str, str], int] = {}
        statuses = store.statuses()
        for device, status in statuses.items():
            health = derive(status)
            online += health["online"]
            depths[(str(status.get("site") or ""), device)] = health["outbox_depth"]
        deepest = sorted((kv for kv in depths.items() if kv[1] > 0), key=lambda kv: -kv[1])
        alerts = Counter(a["rule"] for a in store.alerts(open_only=True, limit=EVERY))
        self.snapshot = Snapshot(
            counters=dict(counters),
            devices_online=online,
            devices_known=len(statuses),
            alerts_open={rule: alerts.get(rule, 0) for rule in {*self.rules, *alerts}},
            outbox=dict(deepest[:MAX_DEVICE_SERIES]),
            outbox_total=sum(depths.values()),
        )

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        for key, name, text in COUNTERS:
            yield CounterMetricFamily(name, text, value=s.counters.get(key, 0))
        yield GaugeMetricFamily(
            "pvz_hub_devices_online", "Devices whose latest status says online", s.devices_online
        )
        yield GaugeMetricFamily("pvz_hub_devices_known", "Devices with a status at the hub", s.devices_known)
        alerts = GaugeMetricFamily("pvz_hub_alerts_open", "Open alerts by rule", labels=["rule"])
        for rule, n in sorted(s.alerts_open.items()):
            alerts.add_metric([rule], n)
        yield alerts
        yield GaugeMetricFamily(
            "pvz_hub_outbox_depth_total", "Events waiting in all devices' outboxes", s.outbox_total
        )
        depth = GaugeMetricFamily(
            "pvz_device_outbox_depth",
            f"Events waiting in a device's outbox (the {MAX_DEVICE_SERIES} deepest non-empty ones)",
            labels=["site", "device"],
        )
        for (site, device), n in sorted(s.outbox.items()):
            depth.add_metric([site, device], n)
        yield depth

    def serve(self, host: str, port: int) -> tuple[WSGIServer, threading.Thread]:
        """The exporter's HTTP server on its own thread: (server, thread); server.shutdown() stops it."""
        try:
            return start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:  # a port in use, an address not of this machine: one line at the CLI
            raise MetricsUnavailable(f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}") from exc
