"""Tests for the scanners' shared hotplug lifecycle, on the real event loop with short intervals."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

import pytest

from drivers.exc import DeviceGone, DeviceNotFound
from drivers.scanner.hotplug import Attached, Hotplug

INTERVAL = 0.05
# Sleeps end on the loop's clock, which may run them a hair early.
SLACK = 0.005
LOGGER = "pvz.test.hotplug"

Read = Callable[["Device"], AsyncGenerator[str, None]]


@dataclass
class Session:
    """One plugged-in spell of the device: what it yields, then how it ends (None: it stays)."""

    items: list[str]
    end: DeviceGone | None = None
    partial: bool = False  # a half-read item is pending when it ends


@dataclass
class Device:
    session: Session
    closed: bool = False
    reading: bool = False


@dataclass
class FakeBus:
    """What the helper is given: each open takes the next plan entry (None: nothing there)."""

    plan: collections.deque[Session | None]
    opens: list[float] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    partial: bool = False

    def open(self) -> Attached[Device]:
        self.opens.append(asyncio.get_running_loop().time())
        session = self.plan.popleft() if self.plan else None
        if session is None:
            raise DeviceNotFound("no device at /dev/fake*")
        device = Device(session)
        self.devices.append(device)
        path = f"/dev/fake{len(self.devices)}"
        return Attached(device, path, f"{path} (fake)")

    async def read(self, device: Device) -> AsyncGenerator[str, None]:
        device.reading = True
        try:
            for item in device.session.items:
                await asyncio.sleep(0)
                yield item
            self.partial = device.session.partial
            if device.session.end is not None:
                raise device.session.end
            await asyncio.Event().wait()
        finally:
            device.reading = False

    def close(self, device: Device) -> None:
        assert not device.reading, "the read must stop before the device is closed"
        device.closed = True

    def drop_partial(self) -> bool:
        dropped = self.partial
        self.partial = False
        return dropped

    def hotplug(self, read: Read | None = None) -> Hotplug[Device, str]:
        return Hotplug(
            name="counter/scanner0",
            log=logging.getLogger(LOGGER),
            open_device=self.open,
            read=read or self.read,
            close_device=self.close,
            drop_partial=self.drop_partial,
            reopen_interval_s=INTERVAL,
        )


def bus(plan: Iterable[Session | None]) -> FakeBus:
    return FakeBus(collections.deque(plan))


def gone() -> DeviceGone:
    return DeviceGone("No such device")


async def take(source: AsyncIterator[str], count: int, timeout: float = 5.0) -> list[str]:
    got: list[str] = []

    async def run() -> None:
        async for item in source:
            got.append(item)
            if len(got) == count:
                return

    await asyncio.wait_for(run(), timeout)
    return got


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def test_a_loss_drops_the_partial_item_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    fake = bus([Session(["A", "B"], end=gone(), partial=True), None, None, Session(["C"])])
    hotplug = fake.hotplug()

    async def main() -> list[str]:
        run = hotplug.run()
        got = await take(run, 2)
        assert hotplug.connected
        got += await take(run, 1)
        await run.aclose()
        return got

    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert asyncio.run(main()) == ["A", "B", "C"]
    assert messages(caplog, logging.WARNING) == [
        "counter/scanner0: /dev/fake1 went away (No such device), a partial code was dropped; "
        "looking again every 0.05 s"
    ]
    assert messages(caplog, logging.INFO) == [
        "counter/scanner0: reading /dev/fake1 (fake)",
        "counter/scanner0: reading /dev/fake2 (fake)",
    ]
    assert fake.devices[0].closed
    assert hotplug.last_error == "no device at /dev/fake*"  # the failed opens after the loss
    assert hotplug.path == "/dev/fake2"
    assert hotplug.delivered == 3
    assert hotplug.reconnects == 1


def test_the_reopen_interval_is_waited_after_a_loss_and_after_each_failed_open() -> None:
    fake = bus([Session([], end=gone()), None, None, Session(["BACK"])])

    async def main() -> None:
        await take(fake.hotplug().run(), 1)

    asyncio.run(main())
    assert len(fake.opens) == 4
    gaps = [later - earlier for earlier, later in zip(fake.opens, fake.opens[1:], strict=False)]
    assert all(gap >= INTERVAL - SLACK for gap in gaps), gaps


def test_recovery_is_logged_once_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    fake = bus([None] * 5 + [Session(["LATE"])])
    hotplug = fake.hotplug()

    async def main() -> None:
        assert not hotplug.connected
        await take(hotplug.run(), 1)

    with caplog.at_level(logging.INFO, logger=LOGGER):
        asyncio.run(main())
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert caplog.records[0].getMessage() == (
        "counter/scanner0: no device at /dev/fake*; looking again every 0.05 s"
    )
    assert hotplug.reconnects == 0  # the first connection is not a reconnection
    assert hotplug.last_error == "no device at /dev/fake*"  # stays visible after the device came


def test_every_connection_after_the_first_is_a_reconnect(caplog: pytest.LogCaptureFixture) -> None:
    plan: list[Session | None] = [Session(["1"], end=gone())]
    plan += [Session(["2"], end=gone()), None, Session(["3"], end=DeviceGone("EIO")), Session(["4"])]
    fake = bus(plan)
    hotplug = fake.hotplug()

    async def main() -> list[str]:
        run = hotplug.run()
        try:
            return await take(run, 4)
        finally:
            await run.aclose()

    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert asyncio.run(main()) == ["1", "2", "3", "4"]
    assert hotplug.reconnects == 3
    assert hotplug.delivered == 4
    assert len(messages(caplog, logging.WARNING)) == 3  # one per loss; the failed open adds none
    assert len(messages(caplog, logging.INFO)) == 4  # one per connection
    assert hotplug.connected is False  # the consumer stopped
    assert all(device.closed for device in fake.devices)


def test_a_device_that_fails_at_once_is_no_busy_loop() -> None:
    # It opens every time and is gone at once: the worst case for a reopen loop.
    fake = FakeBus(collections.deque())
    fake.plan.extend(Session([], end=gone()) for _ in range(10_000))
    window = 0.3

    async def main() -> None:
        with contextlib.suppress(TimeoutError):
            await take(fake.hotplug().run(), 1, timeout=window)

    asyncio.run(main())
    assert 2 <= len(fake.opens) <= window / INTERVAL + 1, len(fake.opens)


def test_a_missing_device_is_no_busy_loop_either() -> None:
    fake = bus([])
    window = 0.3

    async def main() -> None:
        with contextlib.suppress(TimeoutError):
            await take(fake.hotplug().run(), 1, timeout=window)

    asyncio.run(main())
    assert 2 <= len(fake.opens) <= window / INTERVAL + 1, len(fake.opens)


def test_a_read_that_just_ends_counts_as_a_loss() -> None:
    fake = bus([Session(["ONLY"]), Session(["AGAIN"])])

    async def ended(device: Device) -> AsyncGenerator[str, None]:
        for item in device.session.items:
            yield item

    hotplug = fake.hotplug(read=ended)

    async def main() -> list[str]:
        return await take(hotplug.run(), 2)

    assert asyncio.run(main()) == ["ONLY", "AGAIN"]
    assert hotplug.last_error == "/dev/fake1 went away (no more events)"
    assert hotplug.reconnects == 1


def test_a_stopped_consumer_closes_the_read_then_the_device() -> None:
    fake = bus([Session(["A", "B"])])
    hotplug = fake.hotplug()

    async def main() -> None:
        run = hotplug.run()
        assert await take(run, 1) == ["A"]
        assert hotplug.connected
        await run.aclose()

    asyncio.run(main())
    device = fake.devices[0]
    assert device.closed and not device.reading
    assert hotplug.connected is False
    assert hotplug.last_error is None  # stopping is no loss


def test_other_errors_are_not_taken_for_a_loss() -> None:
    fake = bus([Session([], end=None)])

    async def broken(device: Device) -> AsyncGenerator[str, None]:
        raise ValueError("a bug in the backend")
        yield ""

    hotplug = fake.hotplug(read=broken)

    async def main() -> None:
        await take(hotplug.run(), 1)

    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(main())
    assert fake.devices[0].closed
    assert hotplug.connected is False
