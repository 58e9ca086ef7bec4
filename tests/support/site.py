"""pvz.toml files for one site of several devices (docs/site.md): a main device and its remote stations."""

from __future__ import annotations

from pathlib import Path

from tests.support.broker import free_port
from tests.support.config import PICKUP_KEY, STDIN, station
from tests.support.factory import SITE

MAIN = "pvz-main"


def remote(name: str, device: str, *, kind: str | None = None, extra: str = "") -> str:
    """One [[site.stations]] table of the main device's config."""
    text = f'[[site.stations]]\nname = "{name}"\ndevice = "{device}"\n'
    if kind is not None:
        text += f'kind = "{kind}"\n'
    return text + extra


def main_config(
    directory: Path,
    *,
    mqtt_port: int,
    remotes: str,
    local: str = "",
    device: str = MAIN,
    site: str = SITE,
    extra: str = "",
    clerks: dict[str, str] | None = None,
    key: str = PICKUP_KEY,
    mqtt: str = "",
) -> Path:
    """DIRECTORY/pvz.toml of the site's main device: the store DIRECTORY/pvz.db, the site broker on
    `mqtt_port`, its remote stations (`remotes`: [[site.stations]] tables, see remote()) and any
    local [[stations]] (`local`); `extra` holds further tables, `mqtt` further [mqtt] keys, `key` the
    pickup key (hex: tests.support.factory.KEY.hex() for a store made by new_store)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = f'[device]\nid = "{device}"\nsite = "{site}"\n[store]\npath = "pvz.db"\n'
    text += f'[security]\npickup_key = "{key}"\n'
    text += f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port}\n{mqtt}'
    text += f'[screen]\nlisten = "127.0.0.1:{free_port()}"\n'
    text += local + remotes + extra
    for badge, name in (clerks or {}).items():
        text += f'[[clerks]]\nbadge = "{badge}"\nname = "{name}"\n'
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path


def station_config(
    directory: Path,
    *,
    device: str,
    name: str,
    mqtt_port: int,
    main: str = MAIN,
    site: str = SITE,
    scanner: str = STDIN,
    prints: str | None = None,
    extra: str = "",
    site_keys: str = "",
    mqtt_keys: str = "",
) -> Path:
    """DIRECTORY/pvz.toml of a remote station (role "station"): no store, no key, one station `name`
    with its scanner and a sim printer writing into `prints`, working for `main` over the site broker.
    `site_keys` and `mqtt_keys` are further keys of [site] and [mqtt] (TOML lines). Its small state
    files (the printed job ids) go into DIRECTORY, the folder of its [store] path."""
    directory.mkdir(parents=True, exist_ok=True)
    text = f'[device]\nid = "{device}"\nsite = "{site}"\nrole = "station"\n'
    text += '[store]\npath = "pvz.db"\n'
    text += f'[site]\nmain = "{main}"\n{site_keys}'
    text += f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port}\n{mqtt_keys}'
    text += f'[screen]\nlisten = "127.0.0.1:{free_port()}"\n'
    text += station(name, scanner, prints=prints) + extra
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path
