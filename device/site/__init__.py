"""One site, several devices (docs/site.md): the main device's side and the remote station's side."""
