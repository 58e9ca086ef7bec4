"""The pvz daemon: config, store, runtime loop, wiring of drivers, workflows and sync, CLI."""

__version__ = "0.1.0"
