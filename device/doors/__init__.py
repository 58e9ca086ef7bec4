"""The device's door controller: door commands fired once from the store, doors watched, start reconciled."""
