"""A real `pvz run` killed by SIGKILL between a door command committed as sent and its lock firing.

After the restart the command is interrupted and never fired again: its row says so, no
`door_result` but `interrupted` exists for it, the fleet command that asked for it is
answered "outcome unknown" (sent again, it does not run), and the next open works.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import IO, Any

from sync.topics import Topics, reply_topic
from tests.support.broker import Broker
from tests.support.config import write_config
from tests.support.factory import DEVICE, SITE, new_store, standard_manifest
from tests.support.locker import rack
from tests.support.process import ROOT
from tests.support.sim_device import Central, command

WAIT_S = 60.0


def start(config: Path, log: IO[str], crash: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PVZ_CRASH": crash}
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,  # the stdin scanner stays open: the daemon runs until told
        stdout=log,
        stderr=log,
        text=True,
    )


async def until_answered(central: Central, topic: str) -> None:
    """Ping until the daemon answers: its uplink is subscribed, commands reach it."""
    for _ in range(int(WAIT_S / 0.5)):
        correlation = await central.send(topic, command("ping"))
        try:
            await asyncio.wait_for(asyncio.shield(central.replies[correlation]), 0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError("the daemon never answered a ping")


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_daemon_killed_at_door_sent_never_fires_that_door_again(tmp_path: Path, broker: Broker) -> None:
    new_store(tmp_path / "pvz.db", standard_manifest(), rack=rack()).close()
    config = write_config(tmp_path, mqtt_port=broker.port, extra='[doors]\nbackend = "sim"\ncount = 4\n')
    topic = Topics(SITE, DEVICE).cmd
    db = tmp_path / "pvz.db"
    asked = command("door-open", {"cell": "L-02"})

    async def scenario(log: IO[str]) -> None:
        central = Central(broker.port)
        central.reply_topic = reply_topic(SITE, DEVICE, uuid.uuid4().hex)
        await central.start()
        try:
            daemon = start(config, log, crash="door_sent:1")
            await until_answered(central, topic)
            await central.send(topic, asked)
            code = await asyncio.to_thread(daemon.wait, WAIT_S)
            assert code == -signal.SIGKILL
            assert rows(db, "SELECT door, state FROM door_commands") == [(1, "sent")]

            daemon = start(config, log)
            try:
                await until_answered(central, topic)
                assert rows(db, "SELECT door, state FROM door_commands") == [(1, "interrupted")]
                again = await central.ask(topic, asked)
                assert (again["ok"], again["error"]) == (False, "outcome unknown")
                results = rows(
                    db, "SELECT json_extract(data, '$.result') FROM journal WHERE kind = 'door_result'"
                )
                assert results == [("interrupted",)]
                fresh = await central.ask(topic, command("door-open", {"cell": "L-03"}))
                assert fresh["ok"] is True and fresh["result"]["result"] == "opened", fresh
                assert rows(db, "SELECT door, state FROM door_commands ORDER BY id") == [
                    (1, "interrupted"),
                    (2, "opened"),
                ]
            finally:
                daemon.terminate()
                await asyncio.to_thread(daemon.wait, WAIT_S)
        finally:
            central.link.stop()

    with (tmp_path / "daemon.log").open("w", encoding="utf-8") as log:
        asyncio.run(scenario(log))
