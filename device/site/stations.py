"""The main device's remote stations ([[site.stations]]) as the runtime's StationIO: each with its
language and its printer reached over the site broker, and no light, buzzer or scanner of its own
here (those are on the station's Pi)."""

from __future__ import annotations

from device.config_schema import Config
from device.site.remote_printer import RemotePrinter
from device.station_io import StationIO


def remote_stations(config: Config) -> list[StationIO]:
    return [
        StationIO(
            st.name,
            printer=RemotePrinter(
                station=st.name,
                device=st.device,
                site=config.device.site,
                profile=st.printer_profile,
                width=config.print.width,
                timeout_s=config.site.print_timeout_s,
            ),
            lang=st.language,
        )
        for st in config.site.stations
    ]
