"""Small real Debian packages for the rollout tests, and an HTTP server for them: what a hub serves."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_deb(
    directory: Path,
    package: str,
    version: str,
    *,
    health: str = "ok",
    depends: str = "",
    schema: int | None = None,
) -> Path:
    """A small real package whose health script says READY, then a status with `health`.

    With `schema`, its postinst does to the device's store (ROOT/var/lib/pvz/pvz.db) what pvz's
    own does (deb/release.py): migrates an older store to `schema` and refuses a newer one,
    failing the install."""
    tree = directory / ".trees" / f"{package}-{version}"
    (tree / "DEBIAN").mkdir(parents=True)
    control = (
        f"Package: {package}\nVersion: {version}\nArchitecture: all\nMaintainer: pvz tests <t@example.org>\n"
    )
    control += (f"Depends: {depends}\n" if depends else "") + "Description: a release for the rollout tests\n"
    (tree / "DEBIAN/control").write_text(control)
    lib = tree / "usr/lib" / package
    lib.mkdir(parents=True)
    (lib / "VERSION").write_text(version + "\n")
    (lib / "health.py").write_text(
        f'print("READY")\nprint(\'STATUS {{"health": "{health}", "version": "{version}"}}\')\n'
    )
    if schema is not None:
        postinst = tree / "DEBIAN/postinst"
        postinst.write_text(_POSTINST.format(python=sys.executable, schema=schema))
        postinst.chmod(0o755)
    deb = directory / f"{package}_{version}.deb"  # the name the hub serves it under
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-b", str(tree), str(deb)], check=True, capture_output=True
    )
    return deb


# Run by dpkg --root with --force-script-chrootless (tests.support.debs.DPKG_ARGS): DPKG_ROOT is the root.
_POSTINST = """#!{python}
import os, sqlite3, sys
if sys.argv[1] != "configure":
    sys.exit(0)
store = os.environ.get("DPKG_ROOT", "") + "/var/lib/pvz/pvz.db"
if not os.path.exists(store):
    sys.exit(0)
conn = sqlite3.connect(store, isolation_level=None)
found = conn.execute("PRAGMA user_version").fetchone()[0]
if found > {schema}:
    sys.exit(f"store at schema {{found}}, this version knows up to {schema}")
if found < {schema}:
    conn.executescript("BEGIN; CREATE TABLE added_{schema} (x); PRAGMA user_version = {schema}; COMMIT;")
"""
DPKG_ARGS = ("--force-script-chrootless",)  # maintainer scripts run on this machine, not chrooted


def dpkg_root(path: Path) -> Path:
    """An empty root with a dpkg database: `dpkg --root` installs into it without any chroot tools."""
    (path / "var/lib/dpkg/info").mkdir(parents=True)
    (path / "var/lib/dpkg/updates").mkdir()
    (path / "var/lib/dpkg/status").write_text("")
    return path


def installed(root: Path, package: str) -> str | None:
    """The version dpkg has installed and configured in `root`, or None."""
    done = subprocess.run(
        ["dpkg-query", f"--root={root}", "-W", "-f=${Status} ${Version}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    status, _, version = done.stdout.rpartition(" ")
    return version if status == "install ok installed" else None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """DIRECTORY over HTTP on a free port of 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
