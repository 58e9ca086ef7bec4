"""The built image boots under qemu-system-aarch64 (virt, the image's own Debian kernel), is
provisioned from its boot partition, runs pvz.service to READY, publishes its retained status to
a Mosquitto on this machine, and is restarted by systemd's watchdog after SIGSTOP.

Run through `./dev image-test` (PVZ_IMAGE_TEST=1) after `./dev image`; it takes minutes under
software emulation, so the default run skips it. The times are printed and written to
``.hil-cache/image/boot-times.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from central import pki
from tests.image import disk
from tests.support.broker import free_port
from tests.support.provisioning import SITE_CONFIG, make_pki, write_boot

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
IMAGE = Path(os.environ.get("PVZ_IMAGE", REPO / "dist" / "pvz-rpi-arm64.img"))
SITE, DEVICE = "site-img", "pi-1"
BOOT_TIMEOUT_S = 1500.0  # TCG on a shared machine: the first boot of Python code is slow
WATCHDOG_TIMEOUT_S = 300.0
APPEND = (
    "console=ttyAMA0 root=LABEL=pvzroot ro rootwait net.ifnames=0 "
    "systemd.wants=pvz-image-test.service systemd.journald.forward_to_console=0"
)
# The site config the test provisions: a serial scanner that is not plugged in (the daemon waits
# for it, as on a Pi before the scanner is connected) and a simulated printer.
IMAGE_SITE_CONFIG = SITE_CONFIG.replace(
    'backend = "stdin"', 'backend = "serial"\npath = "/dev/pvz/scanner-test"'
)

# What the hook says when the boot went wrong: nothing after it is worth waiting for.
FAILURES = ("PVZ-TEST FAILED", "PVZ-TEST PROVISION-FAILED")

pytestmark = pytest.mark.skipif(
    os.environ.get("PVZ_IMAGE_TEST") != "1", reason="boots the Pi image under QEMU: run `./dev image-test`"
)


class Console:
    """The guest's serial console, read in a thread; each line with the host's time of arrival."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.lines: list[tuple[float, str]] = []
        self.lock = threading.Condition()
        self.log = log.open("w", encoding="utf-8")
        self.proc = proc
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.log.write(line + "\n")
            self.log.flush()
            with self.lock:
                self.lines.append((time.monotonic(), line))
                self.lock.notify_all()

    def wait_for(
        self, marker: str, timeout: float, *, failures: tuple[str, ...] = FAILURES
    ) -> tuple[float, str]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for at, line in self.lines:
                    if marker in line:
                        return at, line
                    if any(bad in line for bad in failures):
                        raise AssertionError(f"waiting for {marker!r}:\n{self.tail()}")
                if self.proc.poll() is not None:
                    raise AssertionError(f"the guest stopped before {marker!r}:\n{self.tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {marker!r} within {timeout:.0f} s:\n{self.tail()}")
                self.lock.wait(min(left, 1.0))

    def tail(self, n: int = 60) -> str:
        return "\n".join(line for _, line in self.lines[-n:])


class Subscriber:
    """mosquitto_sub as the site's hub: every status message with the host's time of arrival."""

    def __init__(self, port: int, creds: Path, topic: str) -> None:
        self.messages: list[tuple[float, dict[str, object], bool]] = []
        args = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-q", "1", "-F", "%r %p"]
        args += ["--cafile", str(creds / "ca.crt"), "--cert", str(creds / "client.crt")]
        args += ["--key", str(creds / "client.key"), "-i", "hub-imagetest"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            retained, _, payload = raw.decode().strip().partition(" ")
            self.messages.append((time.monotonic(), json.loads(payload), retained == "1"))

    def first(self, after: float, timeout: float, **match: object) -> tuple[float, dict[str, object]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, msg, _ in list(self.messages):
                if at >= after and all(msg.get(k) == v for k, v in match.items()):
                    return at, msg
            time.sleep(0.2)
        raise AssertionError(f"no status {match} after {after}: {self.messages}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        subprocess.run(
            ["apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "--no-install-recommends", package],
            check=True,
        )


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The site's Mosquitto over TLS (the config `pvz-central pki` renders), reachable from the
    guest as 10.0.2.2 (QEMU's user networking forwards that to this machine's loopback)."""
    pki_dir = tmp_path / "pki"
    make_pki(pki_dir, site=SITE, device=DEVICE, hosts=("10.0.2.2", "127.0.0.1"))
    hub = pki.hub(pki_dir, "imagetest")
    port = free_port()
    conf = pki.render_broker_conf(
        pki_dir / "broker",
        listener=f"{port} 127.0.0.1",
        data=str(tmp_path),
        log=f"file {tmp_path / 'mosquitto.log'}",
    )
    if os.geteuid() == 0:
        conf += "user root\n"
    (tmp_path / "mosquitto.conf").write_text(conf, encoding="utf-8")
    proc = subprocess.Popen(["mosquitto", "-c", str(tmp_path / "mosquitto.conf")])
    time.sleep(1)
    assert proc.poll() is None, (tmp_path / "mosquitto.log").read_text()
    try:
        yield port, hub
    finally:
        proc.terminate()
        proc.wait(10)


def prepare(tmp_path: Path, port: int, *, corrupt: bool = False) -> tuple[Path, Path, Path]:
    """A copy of the image with the provisioning file (cut short if `corrupt`, as a card pulled
    in the middle of copying leaves it) and the test hook; its kernel and initrd."""
    image = tmp_path / "pi.img"
    subprocess.run(["cp", "--sparse=always", str(IMAGE), str(image)], check=True)
    boot_off, root_off, _ = disk.partitions(image)
    names = disk.fat_names(image, boot_off)
    kernel = disk.fat_get(
        image, boot_off, max(n for n in names if n.startswith("vmlinuz-")), tmp_path / "vmlinuz"
    )
    initrd = disk.fat_get(
        image, boot_off, max(n for n in names if n.startswith("initrd.img-")), tmp_path / "initrd"
    )
    boot = write_boot(
        tmp_path / "boot",
        tmp_path / "pki" / "devices" / DEVICE,
        site=SITE,
        device=DEVICE,
        host="10.0.2.2",
        port=port,
        wifi=False,
        site_config=IMAGE_SITE_CONFIG,
    ).parent
    if corrupt:
        provision = boot / "pvz-provision.toml"
        provision.write_bytes(provision.read_bytes()[:60])
    disk.fat_put(image, boot_off, *sorted(boot.iterdir()))
    disk.ext4_put(
        image,
        root_off,
        {
            "/usr/local/sbin/pvz-image-test-hook": HERE / "hook.sh",
            "/etc/systemd/system/pvz-image-test.service": HERE / "pvz-image-test.service",
        },
    )
    return image, kernel, initrd


def qemu(image: Path, kernel: Path, initrd: Path) -> list[str]:
    return [
        "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "1024",
        "-accel", "tcg", "-nographic", "-no-reboot", "-kernel", str(kernel), "-initrd", str(initrd),
        "-append", APPEND,
        "-drive", f"file={image},if=none,format=raw,id=disk", "-device", "virtio-blk-pci,drive=disk",
        "-netdev", "user,id=net", "-device", "virtio-net-pci,netdev=net",
        "-device", "virtio-rng-pci",
    ]  # fmt: skip


def test_the_image_boots_provisions_runs_and_is_restarted_by_the_watchdog(
    tmp_path: Path, broker: tuple[int, Path]
) -> None:
    assert IMAGE.is_file(), f"{IMAGE}: build it first with `./dev image`"
    for tool, package in (
        ("qemu-system-aarch64", "qemu-system-arm"),
        ("mcopy", "mtools"),
        ("debugfs", "e2fsprogs"),
    ):
        need(tool, package)
    port, hub = broker
    image, kernel, initrd = prepare(tmp_path, port)
    status = Subscriber(port, hub, f"pvz/v1/{SITE}/{DEVICE}/status")
    power_on = time.monotonic()
    proc = subprocess.Popen(qemu(image, kernel, initrd), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    console = Console(proc, tmp_path / "console.log")
    try:
        _, hook = console.wait_for("PVZ-TEST HOOK", BOOT_TIMEOUT_S)
        assert "type=notify" in hook, f"the installed pvz.service is not Type=notify: {hook}"
        ready_at, ready = console.wait_for("PVZ-TEST READY", BOOT_TIMEOUT_S)
        online_at, online = status.first(power_on, 120, online=True)
        assert (online["device"], online["site"]) == (DEVICE, SITE)
        stop_at, _ = console.wait_for("PVZ-TEST STOPPING", 60)
        restart_at, restarted = console.wait_for("PVZ-TEST RESTARTED", WATCHDOG_TIMEOUT_S)
        again_at, _ = status.first(restart_at - 30, 180, online=True)
        assert again_at > stop_at
        assert "after=watchdog" in restarted, restarted  # systemd's Result: the watchdog killed it
        console.wait_for("PVZ-TEST DONE", 120)
        # A new subscriber gets the status retained.
        retained = subprocess.run(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", f"pvz/v1/{SITE}/{DEVICE}/status", "-C", "1",
             "-W", "10", "-F", "%r", "--cafile", str(hub / "ca.crt"), "--cert", str(hub / "client.crt"),
             "--key", str(hub / "client.key"), "-i", "hub-imagetest2"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        assert retained == "1"
        times = {
            "image_bytes": IMAGE.stat().st_size,
            "power_on_to_ready_s": round(ready_at - power_on, 1),
            "power_on_to_first_status_s": round(online_at - power_on, 1),
            "sigstop_to_ready_again_s": round(restart_at - stop_at, 1),
            "ready": ready,
            "restarted": restarted,
        }
        print(json.dumps(times, indent=2))
        out = REPO / ".hil-cache" / "image" / "boot-times.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(times, indent=2) + "\n", encoding="utf-8")
        proc.wait(120)
    finally:
        status.stop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_provisioning_file_cut_short_leaves_the_device_unprovisioned_and_says_why(
    tmp_path: Path, broker: tuple[int, Path]
) -> None:
    assert IMAGE.is_file(), f"{IMAGE}: build it first with `./dev image`"
    port, _ = broker
    image, kernel, initrd = prepare(tmp_path, port, corrupt=True)
    proc = subprocess.Popen(qemu(image, kernel, initrd), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    console = Console(proc, tmp_path / "console.log")
    try:
        expected = ("PVZ-TEST FAILED",)  # the provisioning failure is what this test wants to see
        _, failed = console.wait_for("PVZ-TEST PROVISION-FAILED", BOOT_TIMEOUT_S, failures=expected)
        # pvz.service never ran: not active, and no main process was ever started.
        assert "pvz=inactive pvz_started_us=0" in failed, failed
        console.wait_for("PVZ-TEST DONE", 60, failures=expected)
        journal = [line for _, line in console.lines if "PVZ-TEST JOURNAL" in line]
        # Cut after [device]: whole tables up to there, so it parses, and the broker is missing.
        assert any("REJECTED missing_field at $.broker" in line for line in journal), console.tail()
        proc.wait(300)  # a clean poweroff: the boot partition's report is on the disk
        boot_off = disk.partitions(image)[0]
        names = disk.fat_names(image, boot_off)
        assert "pvz-provision.toml" in names  # kept, so the next boot reports it again
        report = disk.fat_get(image, boot_off, "pvz-provision.error.txt", tmp_path / "error.txt").read_text()
        assert "reason: missing_field\npath: $.broker\n" in report
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
