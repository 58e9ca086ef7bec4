"""Customer data kept minimal: the purge of what the device knows about customers (docs/protocol.md)."""
