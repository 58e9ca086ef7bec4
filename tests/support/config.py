"""pvz.toml files for tests: one device, its stations and clerks; the docs' example day for the daemon."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.broker import free_port
from tests.support.factory import DEVICE, SITE

ROOT = Path(__file__).resolve().parents[2]
PICKUP_KEY = "ab" * 32
STDIN = 'backend = "stdin"'
SCRIPT = 'backend = "script"\npath = "codes.txt"'  # the codes of codes.txt beside the config


def station(name: str, scanner: str = STDIN, *, prints: str | None = None) -> str:
    """One [[stations]] table: its scanner, and a sim printer writing into the folder `prints` if given."""
    text = f'[[stations]]\nname = "{name}"\n[[stations.scanners]]\n{scanner}\n'
    if prints is not None:
        text += f'[stations.printer]\nbackend = "sim"\nout_dir = "{prints}"\n'
    return text


def write_config(
    directory: Path,
    *,
    device: str = DEVICE,
    site: str = SITE,
    stations: str | None = None,
    mqtt_port: int | None = None,
    clerks: dict[str, str] | None = None,
    key: str = PICKUP_KEY,
    extra: str = "",
    screen: str | None = None,
) -> Path:
    """DIRECTORY/pvz.toml for the store DIRECTORY/pvz.db, with one station s1 unless `stations` (TOML)
    says otherwise; `extra` holds further tables, as TOML. The screen listens on `screen`, by
    default a free port of its own, so every daemon a test starts serves its pages too."""
    directory.mkdir(parents=True, exist_ok=True)
    text = f'[device]\nid = "{device}"\nsite = "{site}"\n[store]\npath = "pvz.db"\n'
    text += f'[security]\npickup_key = "{key}"\n'
    if mqtt_port is not None:
        text += f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port}\n'
    text += f'[screen]\nlisten = "{screen or f"127.0.0.1:{free_port()}"}"\n'
    text += (station("s1") if stations is None else stations) + extra
    for badge, name in (clerks or {}).items():
        text += f'[[clerks]]\nbadge = "{badge}"\nname = "{name}"\n'
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path


def example_daemon(
    directory: Path, *, device: str, site: str, mqtt_port: int | None = None, prints: str | None = None
) -> Path:
    """The docs' example rack and manifest imported by the CLI, and the config of a daemon whose
    script scanner signs clerk BADGE-0009 in, accepts the manifest's first package and closes the
    supply (DONE, and DONE again to confirm that its parcels are missing)."""
    from device.cli.main import main  # the CLI only where it runs, not for every config written

    db = directory / "pvz.db"
    assert main(["cells", "import", str(ROOT / "docs/examples/cells.json"), "--store", str(db)]) == 0
    assert main(["manifest", "import", str(ROOT / "docs/examples/manifest.json"), "--store", str(db)]) == 0
    conn = sqlite3.connect(db)
    package = conn.execute("SELECT barcode FROM packages LIMIT 1").fetchone()[0]
    conn.close()
    (directory / "codes.txt").write_text(f"BADGE-0009\n{package}\nPVZC-DONE\nPVZC-DONE\n", encoding="utf-8")
    return write_config(
        directory,
        device=device,
        site=site,
        stations=station("counter-1", SCRIPT, prints=prints),
        mqtt_port=mqtt_port,
        clerks={"BADGE-0009": "Ива Н."},
    )


def example_copy(directory: Path) -> Path:
    """docs/config.example.toml as a technician fills it in: a real key, the store in DIRECTORY,
    the rack file (docs/examples/cells.json) beside it."""
    from device.config import KEY_PLACEHOLDER

    directory.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "docs/config.example.toml").read_text(encoding="utf-8")
    assert KEY_PLACEHOLDER in text and '"/var/lib/pvz/pvz.db"' in text
    text = text.replace(KEY_PLACEHOLDER, PICKUP_KEY).replace('"/var/lib/pvz/pvz.db"', '"pvz.db"')
    assert '\nlisten = "127.0.0.1:8080"\n' in text
    text = text.replace('\nlisten = "127.0.0.1:8080"\n', f'\nlisten = "127.0.0.1:{free_port()}"\n')
    (directory / "cells.json").write_bytes((ROOT / "docs/examples/cells.json").read_bytes())
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path
