"""The remote station daemon (`pvz run` with `[device] role = "station"`, docs/site.md): a package of
its own beside device/site/, which the main device's wiring and drivers import (no import cycle)."""
