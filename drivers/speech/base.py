"""The speaker interface: say a sentence in a language, without making the caller wait.

A kiosk speaks its messages for a customer who cannot read the screen (EN 301 549 asks for
speech output on a self-service terminal). Saying is fire-and-forget: the daemon's loop hands
the text over and goes on; a newer sentence makes an older one still waiting pointless.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from drivers.exc import DriverError

LANGUAGES = ("ru", "en")


class SpeechError(DriverError, OSError):
    """The synthesiser or the sound device failed (no espeak-ng, no such ALSA device)."""


@runtime_checkable
class Speaker(Protocol):
    """Speaks sentences in order; never blocks the caller."""

    name: str

    def say(self, text: str, lang: str) -> None:
        """Queue `text` (already in `lang`); a sentence still waiting is dropped for it."""
        ...

    def status(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
