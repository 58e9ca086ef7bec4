"""Applying a checked provisioning file: the config directory replaced in one rename, then the
file removed from the boot partition; a refusal written next to it for the technician.

The config directory (on the image /var/lib/pvz/etc, which /etc/pvz links to) is built whole in
a sibling `etc.new` and swapped in, so a power cut leaves the old config or the new one, never a
mix; the provisioning file is removed only after the swap, so an interrupted run is redone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import grp
import hashlib
import json
import os
import shutil
from pathlib import Path

from device.config import parse_config
from device.provision import toml_out
from device.provision.check import FILE_NAME, TLS_FILES, Checked, ProvisionError, check

ERROR_NAME = "pvz-provision.error.txt"
DONE_NAME = "pvz-provision.done.txt"
MARKER = "provisioned.json"
WPA_NAME = "wpa_supplicant-wlan0.conf"
GROUP = "pvz"


@dataclasses.dataclass(frozen=True)
class ProvisionResult:
    """What one run did: `state` is provisioned, already, unprovisioned or rejected."""

    state: str
    reason: str | None = None
    path: str | None = None
    message: str = ""


def _group_id() -> int | None:
    try:
        return grp.getgrnam(GROUP).gr_gid
    except KeyError:
        return None


def _write(path: Path, text: str, mode: int, gid: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    path.chmod(mode)
    if gid is not None and os.geteuid() == 0:
        os.chown(path, 0, gid)


def _wpa(checked: Checked) -> str:
    assert checked.wifi is not None
    wifi = checked.wifi
    psk = wifi.psk if len(wifi.psk) == 64 else json.dumps(wifi.psk)
    return (
        "# Written by `pvz provision`; replaced by the next provisioning file.\n"
        f"ctrl_interface=DIR=/run/wpa_supplicant\ncountry={wifi.country}\n"
        f"network={{\n\tssid={json.dumps(wifi.ssid)}\n\tpsk={psk}\n\tkey_mgmt=WPA-PSK\n}}\n"
    )


def apply(checked: Checked, etc: Path, *, digest: str) -> None:
    """Write the checked provisioning into `etc`, replacing what is there in one rename."""
    gid = _group_id()
    new, old = etc.with_name(etc.name + ".new"), etc.with_name(etc.name + ".old")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    text = "# Written by `pvz provision` from the boot partition's pvz-provision.toml.\n"
    text += toml_out.dumps(checked.config_data)
    # What is written must read back as the very config that was checked.
    if parse_config(text, source=str(etc / "pvz.toml")) != checked.config:
        raise ProvisionError("the written config does not read back the same", reason="internal")
    _write(new / "pvz.toml", text, 0o640, gid)
    for name, rel in TLS_FILES.items():
        _write(new / rel, checked.pems[name], 0o640 if name == "key" else 0o644, gid)
    if checked.wifi is not None:
        _write(new / WPA_NAME, _wpa(checked), 0o600, None)
    stamp = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "sha256": digest}
    _write(new / MARKER, json.dumps(stamp) + "\n", 0o644, gid)
    for directory in (new, new / "tls"):
        directory.chmod(0o750)  # group pvz reads its config, others nothing
        if gid is not None and os.geteuid() == 0:
            os.chown(directory, 0, gid)
    shutil.rmtree(old, ignore_errors=True)
    if etc.exists():
        etc.rename(old)
    new.rename(etc)
    fd = os.open(etc.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    shutil.rmtree(old, ignore_errors=True)


def _report(boot: Path, name: str, text: str) -> None:
    # A read-only or full boot partition: the journal still has it.
    with contextlib.suppress(OSError):
        _write(boot / name, text, 0o644, None)


def provision(boot: Path, etc: Path) -> ProvisionResult:
    """One first-boot run: check the boot partition's file whole, apply it, or say why not."""
    source = boot / FILE_NAME
    if not source.exists():
        state = "already" if (etc / MARKER).exists() else "unprovisioned"
        return ProvisionResult(state, message=f"no {FILE_NAME} on {boot}")
    try:
        checked = check(boot)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        apply(checked, etc, digest=digest)
    except ProvisionError as exc:
        _report(
            boot,
            ERROR_NAME,
            f"{FILE_NAME} was NOT applied; the device stays as it was.\n"
            f"reason: {exc.reason}\npath: {exc.path}\n{exc}\n",
        )
        return ProvisionResult("rejected", exc.reason, exc.path, str(exc))
    # The file, the site config and the PEM files hold secrets (the pickup key, the device's
    # private key, the Wi-Fi passphrase): they do not stay on the FAT partition.
    for path in checked.used_files:
        path.unlink(missing_ok=True)
    (boot / ERROR_NAME).unlink(missing_ok=True)
    _report(
        boot, DONE_NAME, f"provisioned device {checked.config.device.id} at {checked.config.device.site}\n"
    )
    return ProvisionResult("provisioned", message=f"device {checked.config.device.id} provisioned")
