"""The fleet's `door-open` over a real Mosquitto: an empty cell's door opened, anything else refused by reason code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from device.config_schema import DoorsSection
from device.doors.controller import DoorController
from drivers.doors.sim_doors import SimDoors
from tests.support.broker import Broker
from tests.support.factory import DEVICE, new_store, standard_manifest
from tests.support.locker import place, rack
from tests.support.sim_device import Central, SimDevice, command, run


def test_door_open_opens_an_empty_cell_and_refuses_the_rest(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest(), rack=rack())
    doors = SimDoors(4)
    doors.load(2)  # something the store does not know of: the sensor says so in the reply
    section = DoorsSection(backend="sim", count=4, opened_within_s=0.2, poll_s=0.01)

    async def scenario(device: SimDevice, central: Central) -> None:
        topic = device.topics.cmd
        none = await central.ask(topic, command("door-open", {"cell": "L-01"}))
        assert (none["ok"], none["error"]) == (False, "no_doors")
        ctl = DoorController(store, doors, config=section, device_id=DEVICE, now=lambda: datetime.now(UTC))
        device.runtime.attach_doors(ctl)
        opened = await central.ask(topic, command("door-open", {"cell": "L-03"}))
        assert opened["ok"] is True, opened
        assert opened["result"] == {
            "command": 1,
            "cell": "L-03",
            "door": 2,
            "result": "opened",
            "door_state": "open",
            "occupied": True,
        }
        place(store, "11111111-0001-1", "L-02")
        full = await central.ask(topic, command("door-open", {"cell": "L-02"}))
        assert (full["ok"], full["error"]) == (False, "door_cell_occupied")
        shelf = await central.ask(topic, command("door-open", {"cell": "A-01-1"}))
        assert (shelf["ok"], shelf["error"]) == (False, "not_a_door")
        old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        late = await central.ask(topic, command("door-open", {"cell": "L-04"}, issued_at=old))
        assert (late["ok"], late["error"]) == (False, "expired")
        doors.offline = True
        silent = await central.ask(topic, command("door-open", {"cell": "L-04"}))
        assert (silent["ok"], silent["error"]) == (False, "failed")

    run(tmp_path, broker, scenario, store=store)
    assert [door for _, door in doors.pulses] == [2]
    states = [r[0] for r in store.conn.execute("SELECT state FROM door_commands ORDER BY id")]
    assert states == ["opened", "failed"]
    assert (
        store.scalar("SELECT count(*) FROM journal WHERE kind = 'door_commanded' AND station = 'fleet'") == 2
    )
