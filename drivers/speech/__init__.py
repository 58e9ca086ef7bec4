"""Spoken prompts: an interface, espeak-ng through aplay, and a simulated twin."""
