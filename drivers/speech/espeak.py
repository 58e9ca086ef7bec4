"""Speech through Debian's espeak-ng, played by aplay on an ALSA device, in a worker thread.

espeak-ng writes the sentence to a WAV file and `aplay -D <device>` plays it: two short
processes per sentence, run by one thread of the speaker's own, so the daemon's loop only
appends to a queue. Sentences play in order; when they come faster than they can be said, the
oldest waiting one is dropped (a customer needs the latest message, not a backlog).
"""

from __future__ import annotations

import collections
import logging
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from drivers.speech.base import LANGUAGES, SpeechError

log = logging.getLogger("pvz.speech")

VOICES = {"ru": "ru", "en": "en-gb"}
RATE_WPM = 150  # a little slower than espeak-ng's 175: a customer at a locker, not a screen reader user
WAITING = 2  # sentences kept waiting behind the one being said
SYNTH_TIMEOUT_S = 10.0
PLAY_TIMEOUT_S = 30.0


def synthesize(text: str, lang: str, path: Path, *, espeak: str = "espeak-ng") -> None:
    """Write `text` spoken in `lang` to a WAV file at `path`; raises SpeechError."""
    if lang not in LANGUAGES:
        raise ValueError(f"no voice for language {lang!r}")
    command = [espeak, "-v", VOICES[lang], "-s", str(RATE_WPM), "-w", str(path), "--stdin"]
    try:
        subprocess.run(command, input=text.encode(), check=True, capture_output=True, timeout=SYNTH_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechError(f"espeak-ng failed: {exc}") from exc


class EspeakSpeaker:
    """Says sentences on ALSA device `device` (a name `aplay -L` lists, e.g. "plughw:1,0")."""

    def __init__(
        self, *, device: str, name: str = "speaker", espeak: str = "espeak-ng", aplay: str = "aplay"
    ) -> None:
        self.name = name
        self.device = device
        self.espeak = espeak
        self.aplay = aplay
        self._waiting: collections.deque[tuple[str, str]] = collections.deque(maxlen=WAITING)
        self._wake = threading.Condition()
        self._closed = False
        self.said = 0
        self.dropped = 0
        self.failures = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._work, name=f"speech:{name}", daemon=True)
        self._thread.start()

    @staticmethod
    def available(espeak: str = "espeak-ng", aplay: str = "aplay") -> bool:
        return shutil.which(espeak) is not None and shutil.which(aplay) is not None

    def say(self, text: str, lang: str) -> None:
        with self._wake:
            if len(self._waiting) == self._waiting.maxlen:
                self.dropped += 1
            self._waiting.append((lang, text))
            self._wake.notify()

    def _work(self) -> None:
        with tempfile.TemporaryDirectory(prefix="pvz-speech-") as tmp:
            wav = Path(tmp) / "say.wav"
            while True:
                with self._wake:
                    while not self._waiting and not self._closed:
                        self._wake.wait()
                    if self._closed:
                        return
                    lang, text = self._waiting.popleft()
                try:
                    synthesize(text, lang, wav, espeak=self.espeak)
                    self._play(wav)
                    self.said += 1
                except SpeechError as exc:
                    # A speaker is an extra: its fault is logged and counted, the kiosk goes on.
                    self.failures += 1
                    self.last_error = str(exc)
                    log.warning("%s: cannot speak: %s", self.name, exc)

    def _play(self, wav: Path) -> None:
        try:
            subprocess.run(
                [self.aplay, "-q", "-D", self.device, str(wav)],
                check=True,
                capture_output=True,
                timeout=PLAY_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpeechError(f"aplay on {self.device} failed: {exc}") from exc

    def status(self) -> dict[str, Any]:
        return {
            "kind": "espeak-ng",
            "device": self.device,
            "said": self.said,
            "dropped": self.dropped,
            "failures": self.failures,
            "last_error": self.last_error,
        }

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(PLAY_TIMEOUT_S + SYNTH_TIMEOUT_S)
