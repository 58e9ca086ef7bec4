"""The local screen: each station's page, served by the daemon from its own loop."""
