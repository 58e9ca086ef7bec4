"""One site, several devices (docs/site.md): the main device's side (remote stations' inputs decided
here, their printers and the kiosk's doors reached over the site broker) and the remote station's
own daemon (device/site/station_*.py)."""
