"""A remote station's screen server from its config (device/site/station_screen.py); the station
daemon (device/site_station/daemon.py) builds it and feeds its link."""

from __future__ import annotations

from device.config import screen_listen
from device.config_schema import Config
from device.site.station_screen import StationScreenServer, Submit
from device.site.station_screen_link import StationLink


def build_station_screen(config: Config, link: StationLink, submit: Submit) -> StationScreenServer | None:
    """The station's screen server, when `[screen] listen` is not "off" and `[site] main_screen` is
    set; its first station is the one shown (a remote station device serves one station)."""
    listen = screen_listen(config)
    if listen is None or config.site.main_screen is None or not config.stations:
        return None
    station = config.stations[0]
    lang = station.language or config.device.language
    link.kiosk = station.kind == "kiosk"
    link.lang = lambda: lang
    host, port = listen
    return StationScreenServer(
        link,
        station=station.name,
        kiosk=station.kind == "kiosk",
        lang=lambda: lang,
        upstream=config.site.main_screen,
        token=config.site.main_screen_token or "",
        submit=submit,
        host=host,
        port=port,
    )
