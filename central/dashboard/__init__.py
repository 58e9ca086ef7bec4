"""The fleet dashboard served by `pvz-central hub --config hub.toml` ([dashboard], docs/fleet.md)."""
