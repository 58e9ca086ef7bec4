"""Scan latency benchmark: a large store, then Engine.handle timed per counter operation."""
