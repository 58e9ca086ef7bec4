"""The hub's group commits in their worker thread (central/hub_commits.py) keep Hub._commit's
promises: the batches are acked only after the worker's transaction returned, each device once;
a commit that fails acks nothing and hands its error to every batch (not acked: sent again)."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from central.hub import Hub
from central.hub_commits import CommitWorker
from central.hub_store import open_store
from central.store_api import HubStoreUnavailable, Stored
from sync.publisher import WireBatch
from sync.topics import Topics
from sync.transport import MqttLink, PublishProps
from tests.support.factory import DEVICE, SITE
from tests.test_sync_hub import batch

Queued = list[tuple[str, WireBatch, "asyncio.Future[None]"]]


class Acks:
    """Stands in for the link's publish: what the hub acked, and whether the store had it then."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.sent: list[tuple[str, dict[str, Any], int]] = []

    async def publish(
        self,
        topic: str,
        payload: bytes | str,
        qos: int = 1,
        retain: bool = False,
        properties: PublishProps | None = None,
    ) -> None:
        reader = open_store(self.db)  # a third connection: what is committed, not what is under way
        try:
            self.sent.append((topic, json.loads(payload), reader.count(DEVICE)))
        finally:
            reader.close()


def _hub(db: Path, worker: CommitWorker, acks: Acks) -> Hub:
    link = MqttLink(client_id="hub-commits", host="127.0.0.1", port=1)  # never started
    link.publish = acks.publish  # type: ignore[method-assign]
    return Hub(open_store(db), link, commits=worker)


async def _commit(hub: Hub, batches: list[WireBatch]) -> Queued:
    loop = asyncio.get_running_loop()
    queued: Queued = [(SITE, b, loop.create_future()) for b in batches]
    await hub._commit(queued)
    await asyncio.gather(*hub._tasks)
    return queued


def test_a_commit_in_the_worker_is_acked_once_per_device_after_it_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    worker, acks = CommitWorker(db), Acks(db)
    hub = _hub(db, worker, acks)
    queued = asyncio.run(_commit(hub, [batch(1, 10), batch(11, 20)]))
    assert [f.exception() for *_, f in queued] == [None, None]
    assert acks.sent == [(Topics(SITE, DEVICE).ack, {"device": DEVICE, "acked_seq": 20}, 20)]
    assert (worker.commits, hub.counters["commits"], hub.counters["events_new"]) == (1, 1, 20)
    worker.close()
    hub.store.close()


def test_a_failed_commit_in_the_worker_acks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "hub.db"
    worker, acks = CommitWorker(db), Acks(db)
    hub = _hub(db, worker, acks)
    threads: list[str] = []

    def away(_batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        threads.append(threading.current_thread().name)
        raise HubStoreUnavailable("the hub's database cannot be reached")

    monkeypatch.setattr(worker._store, "store_batches", away)
    queued = asyncio.run(_commit(hub, [batch(1, 10)]))
    assert [type(f.exception()) for *_, f in queued] == [HubStoreUnavailable]
    assert acks.sent == [] and hub.counters["acks"] == 0 and hub.store.count() == 0
    assert threads and threads[0].startswith("pvz-hub-commit")  # not the loop's thread
    worker.close()
    hub.store.close()
