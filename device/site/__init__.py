"""The site main device's side of one site, several devices (docs/site.md): remote stations'
inputs decided here, their printers and the kiosk's doors reached over the site broker."""
