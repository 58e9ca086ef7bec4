"""The speaker's simulated twin: keeps what it was told to say, for tests and the demo."""

from __future__ import annotations

from typing import Any


class SimSpeaker:
    """`said` holds (language, text) in order; nothing is played."""

    def __init__(self, *, name: str = "sim-speaker") -> None:
        self.name = name
        self.said: list[tuple[str, str]] = []

    def say(self, text: str, lang: str) -> None:
        # Never logged: a message may name the customer (masked, but still theirs).
        self.said.append((lang, text))

    def status(self) -> dict[str, Any]:
        return {"kind": "sim", "said": len(self.said)}

    def close(self) -> None:
        pass
