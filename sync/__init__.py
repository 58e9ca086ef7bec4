"""MQTT side of the device: outbox of journal events, inbox of manifests, commands, fleet."""
