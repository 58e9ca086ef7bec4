"""The outbox's age at the hub: the device's status carries when its oldest unacked event was
written (a moment, so an unchanged outbox does not republish the status), the hub derives the age
against its own clock (moved by the device's measured skew), and the example rule "outbox older
than an hour" is raised and cleared by a real hub on a real Mosquitto from a simulated device."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from central.alert_rules import load_rules
from central.health import derive
from sync.outbox import Outbox
from tests.support.alerting import Clock, alerting_hub
from tests.support.broker import Broker
from tests.support.sim_device import SimDevice
from tests.support.sync import wait_until

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "alerts.toml"
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _status(depth: int, oldest: str | None) -> dict[str, object]:
    return {"online": True, "counts": {"outbox_depth": depth, "outbox_oldest": oldest}}


def test_the_age_is_counted_on_the_hubs_clock() -> None:
    written = "2026-12-07T11:00:00+00:00"
    assert derive(_status(3, written), now=NOON)["outbox_age_s"] == 3600
    # The device's clock runs 10 minutes behind the hub's: its moment is 10 minutes later in hub time.
    assert derive(_status(3, written), {}, 600.0, now=NOON)["outbox_age_s"] == 3000
    # A moment in the hub's future (a device clock ahead, no skew measured yet) is not a negative age.
    assert derive(_status(3, "2026-12-07T13:00:00+00:00"), now=NOON)["outbox_age_s"] == 0


def test_an_empty_outbox_an_old_device_and_an_unreadable_moment_read_as_age_0() -> None:
    assert derive(_status(0, None), now=NOON)["outbox_age_s"] == 0
    assert derive({"online": True, "counts": {"outbox_depth": 5}}, now=NOON)["outbox_age_s"] == 0
    assert derive(_status(5, "yesterday"), now=NOON)["outbox_age_s"] == 0
    assert derive(_status(5, "2026-12-07T11:00:00"), now=NOON)["outbox_age_s"] == 0  # no offset
    assert derive(_status(5, "2026-12-07T11:00:00+00:00"))["outbox_age_s"] == 0  # no hub clock


def test_an_unchanged_outbox_does_not_republish_the_status(tmp_path: Path, broker: Broker) -> None:
    async def main() -> None:
        device = SimDevice(tmp_path / "device", broker.port)
        await device.start()
        counts = device.status()["counts"]
        oldest = Outbox(device.store).oldest_ts()
        assert counts["outbox_depth"] == 1 and counts["outbox_oldest"] == oldest is not None
        assert not await device.reporter.publish_status()  # a second later: the same moment
        Outbox(device.store).ack(Outbox(device.store).last_seq())
        assert device.status()["counts"]["outbox_oldest"] is None
        assert await device.reporter.publish_status()  # the depth and the moment changed together
        await device.close()

    asyncio.run(main())


def test_a_real_hub_raises_outbox_stuck_after_an_hour_and_clears_it_on_the_ack(
    tmp_path: Path, broker: Broker
) -> None:
    async def main() -> None:
        rules = [r for r in load_rules(EXAMPLE) if r.name == "outbox_stuck"]
        clock = Clock(datetime.now(UTC))
        async with alerting_hub(tmp_path, broker.port, rules, clock) as at:
            store, engine, device, name = at.store, at.engine, at.device, at.name
            written = datetime.fromisoformat(str(Outbox(device.store).oldest_ts()))
            clock.now = written + timedelta(minutes=59)
            engine.check()
            assert engine.health()[name]["outbox_age_s"] == 59 * 60 and store.alerts() == []
            clock.now = written + timedelta(minutes=61)
            engine.check()
            [alert] = store.alerts(open_only=True)
            assert alert["rule"] == "outbox_stuck" and alert["detail"]["value"] == 61 * 60

            Outbox(device.store).ack(Outbox(device.store).last_seq())
            await device.reporter.publish_status()
            await wait_until(lambda: engine.health()[name]["outbox_depth"] == 0, what="the ack seen")
            engine.check()
            assert store.alerts(open_only=True) == []
            await device.close()

    asyncio.run(main())
