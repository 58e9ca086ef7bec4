"""Running under systemd: the sd_notify messages (READY, STATUS, WATCHDOG, STOPPING) and the
watchdog task that pings only while the daemon's loop is healthy (docs/supervision.md)."""
