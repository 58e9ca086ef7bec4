"""The device's store across a rollback, with real dpkg into a root of its own (`dpkg --root`) and a
real pvz store in it: a new version whose postinst migrates the store and which then fails its
health check. The previous version's postinst refuses a store newer than it knows, as pvz's own
does (deb/release.py), so without a backup the rollback itself would fail; the installer puts back
the store from just before the install and sets the newer one aside, counting what it alone holds."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.release import build
from device.cli.main import main
from device.store.db import SCHEMA_VERSION, Store
from device.store.journal import Stamp, append
from device.update.install import Installer, LineProbe, Outcome, RealDpkg
from device.update.release import Release, encode
from device.update.store_guard import StoreGuard
from tests.support.config import write_config
from tests.support.debs import DPKG_ARGS, dpkg_root, installed, make_deb, serve

KEY = Ed25519PrivateKey.generate()
PKG = "pvzt"
NEWER = SCHEMA_VERSION + 1  # the schema the new version's migration brings


def _record(store: Path, n: int, what: str) -> None:
    """`n` events recorded by whichever version runs now (a scan each)."""
    with Store.open(store, migrate=False) as s, s.transaction() as conn:
        for _ in range(n):
            append(conn, Stamp("pvz-test-0001", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")), what)


class ScanningProbe(LineProbe):
    """The new version takes `scans` scans, then its health script says how it is."""

    def __init__(self, root: Path, store: Path, scans: int) -> None:
        super().__init__([sys.executable, str(root / "usr/lib" / PKG / "health.py")])
        self.store, self.scans = store, scans

    def healthy(self, release: Release, deadline_s: float) -> bool:
        _record(self.store, self.scans, "scan_by_new_version")
        return super().healthy(release, deadline_s)


@dataclass
class Site:
    root: Path
    www: Path
    url: str
    keep: Path
    store: Path

    def release(self, version: str, *, health: str = "ok", schema: int | None = None) -> Release:
        path = make_deb(self.www, PKG, version, health=health, schema=schema)
        return build(path, key=KEY, url_base=self.url, now=dt.datetime.now(dt.UTC), expiry_h=1)

    def installer(self, *, guard: bool, scans: int = 2) -> Installer:
        return Installer(
            key=KEY.public_key(),
            keep_dir=self.keep,
            report_dir=self.keep.parent / "handoff",
            dpkg=RealDpkg(root=self.root, options=DPKG_ARGS),
            probe=ScanningProbe(self.root, self.store, scans),
            store=StoreGuard(store=self.store, keep_dir=self.keep) if guard else None,
        )

    def schema(self) -> int:
        conn = sqlite3.connect(self.store)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()


@contextmanager
def new_site(tmp_path: Path, *, postinst: bool) -> Iterator[Site]:
    """Version 1.0 installed over a store with three scans; with `postinst`, its packages' postinst
    migrates the store or refuses a newer one, else they have no maintainer scripts."""
    root, www = dpkg_root(tmp_path / "root"), tmp_path / "www"
    www.mkdir()
    store = root / "var/lib/pvz/pvz.db"
    Store.open(store).close()  # the device's store, at this pvz's schema
    _record(store, 3, "scan_by_old_version")
    first = make_deb(tmp_path, PKG, "1.0", schema=SCHEMA_VERSION if postinst else None)
    RealDpkg(root=root, options=DPKG_ARGS).install(first)
    with serve(www) as url:
        s = Site(root, www, url, tmp_path / "keep", store)
        s.installer(guard=False).adopt(first, PKG, "1.0")
        yield s


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with new_site(tmp_path, postinst=True) as s:
        yield s


def apply(installer: Installer, release: Release) -> Outcome:
    return installer.apply(release, now=dt.datetime.now(dt.UTC))


def test_without_the_guard_a_migrating_release_cannot_be_rolled_back(site: Site) -> None:
    """What happened before the store guard: the previous package refuses the migrated store,
    so dpkg refuses it and the device is left on the failing version's store."""
    outcome = apply(site.installer(guard=False), site.release("2.0", health="degraded", schema=NEWER))
    assert (outcome.result, outcome.reason) == ("failed", "rollback_failed")
    assert installed(site.root, PKG) is None  # the previous package unpacked, its postinst failed
    assert site.schema() == NEWER


def test_a_rollback_puts_the_store_back_and_sets_the_newer_one_aside(site: Site) -> None:
    outcome = apply(site.installer(guard=True, scans=2), site.release("2.0", health="degraded", schema=NEWER))
    assert (outcome.result, outcome.reason, outcome.running) == ("rolled_back", "unhealthy", "1.0")
    assert installed(site.root, PKG) == "1.0" and site.schema() == SCHEMA_VERSION
    assert outcome.store_set_aside is not None and outcome.events_set_aside == 2
    aside = site.keep / outcome.store_set_aside
    conn = sqlite3.connect(aside)
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == NEWER
    conn.close()
    assert kinds == ["scan_by_old_version"] * 3 + ["scan_by_new_version"] * 2  # nothing deleted
    with Store.open(site.store) as back:  # the previous version opens the store put back
        assert back.scalar("SELECT count(*) FROM journal") == 3
    assert not list(site.keep.glob("store-before-*"))  # the backup was used up, the set-aside stays


def test_a_rollback_of_a_release_that_did_not_migrate_leaves_the_store(site: Site) -> None:
    outcome = apply(site.installer(guard=True), site.release("2.1", health="degraded", schema=SCHEMA_VERSION))
    assert (outcome.result, outcome.reason, outcome.store_set_aside) == ("rolled_back", "unhealthy", None)
    with Store.open(site.store) as kept:  # the scans the new version took are still there
        assert kept.scalar("SELECT count(*) FROM journal") == 5
    assert not list(site.keep.glob("store-*"))


def test_a_healthy_migrating_release_keeps_the_migrated_store(site: Site) -> None:
    outcome = apply(site.installer(guard=True), site.release("3.0", schema=NEWER))
    assert (outcome.result, outcome.running) == ("installed", "3.0")
    assert site.schema() == NEWER and not list(site.keep.glob("store-*"))


def test_no_room_for_the_backup_refuses_the_release_before_dpkg_runs(site: Site) -> None:
    (site.keep / "store-before-1.0.db").mkdir(parents=True)  # where the backup goes cannot be written
    outcome = apply(site.installer(guard=True), site.release("4.0", schema=NEWER))
    assert (outcome.result, outcome.reason, outcome.running) == ("refused", "backup_failed", "1.0")
    assert installed(site.root, PKG) == "1.0" and site.schema() == SCHEMA_VERSION


# A new version's daemon that migrates the store at its start, takes one scan and is not well.
_MIGRATING_START = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.executescript("BEGIN; CREATE TABLE added (x); PRAGMA user_version = {newer}; COMMIT;")
conn.execute("INSERT INTO journal (event_id, device_id, ts, kind, data) VALUES ('e-new', 'd', '2026-12-07T09:00:00+00:00', 'scan', '{{}}')")
print("READY")
print('STATUS {{"health": "degraded"}}')
"""


def test_pvz_update_apply_says_where_the_newer_store_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command as pvz-update.service runs it, the store named by the config; the packages have no
    maintainer scripts (`pvz update --root` runs dpkg's chrooted), the new daemon migrates at its start."""
    with new_site(tmp_path, postinst=False) as site:
        _cli_rollback(tmp_path, site, capsys)


def _cli_rollback(tmp_path: Path, site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    public = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()
    extra = f'[update]\npublic_key = "{public}"\nkeep_dir = "{site.keep}"\nhandoff_dir = "{tmp_path / "h"}"\n'
    config = write_config(tmp_path / "dev", extra=extra)
    store = tmp_path / "dev" / "pvz.db"
    Store.open(store).close()
    start = tmp_path / "start.py"
    start.write_text(_MIGRATING_START.format(newer=NEWER))
    doc = tmp_path / "release.json"
    doc.write_bytes(encode(site.release("7.0", health="degraded")))
    probe = f"{sys.executable} {start} {store}"
    common = ["--config", str(config), "--root", str(site.root), "--probe", probe, "--lang", "en"]
    assert main(["update", "apply", str(doc), *common]) == 1
    said = capsys.readouterr().out.splitlines()
    assert said[0] == "Version 7.0 failed (the new version did not report ready in time); back on version 1.0"
    assert said[1].startswith("The store went back to its copy from before the install.")
    assert said[1].endswith(": it holds 1 event the copy lacks")
    [aside] = site.keep.glob("store-7.0-*.db")
    assert aside.name in said[1]
    with Store.open(store) as back:
        assert back.version == SCHEMA_VERSION
    reported = msgspec.json.decode((tmp_path / "h" / "outcome.json").read_bytes())
    assert (reported["store_set_aside"], reported["events_set_aside"]) == (aside.name, 1)
