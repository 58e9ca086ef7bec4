"""Spoken prompts through Debian's espeak-ng and aplay (both in ./dev's TEST_APT_PACKAGES): a real
synthesis of Russian and English to WAV, a real aplay on ALSA's null device from the speaker's
worker thread, and a missing device that is counted, never raised into the caller."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import pytest

from drivers.speech.base import Speaker, SpeechError
from drivers.speech.espeak import EspeakSpeaker, synthesize
from drivers.speech.sim_speech import SimSpeaker


@pytest.mark.parametrize(("lang", "text"), [("ru", "Дверца 14 открыта"), ("en", "Door 14 is open")])
def test_espeak_ng_synthesises_a_wav(tmp_path: Path, lang: str, text: str) -> None:
    path = tmp_path / f"{lang}.wav"
    synthesize(text, lang, path)
    head = path.read_bytes()[:12]
    assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    with wave.open(str(path)) as wav:
        duration = wav.getnframes() / wav.getframerate()
    assert duration > 0.5  # a sentence was said, not an empty file


def test_an_unknown_language_or_a_missing_synthesiser_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        synthesize("hello", "de", tmp_path / "x.wav")
    with pytest.raises(SpeechError):
        synthesize("hello", "en", tmp_path / "x.wav", espeak=str(tmp_path / "no-espeak"))


class Watched(EspeakSpeaker):
    """The real speaker, telling the test when its worker finished a sentence."""

    def __init__(self, **kwargs: str) -> None:
        self.finished = threading.Event()
        super().__init__(**kwargs)

    def _play(self, wav: Path) -> None:
        try:
            super()._play(wav)
        finally:
            self.finished.set()


def test_the_speaker_says_a_sentence_on_an_alsa_device_from_its_own_thread() -> None:
    speaker = Watched(device="null")
    assert isinstance(speaker, Speaker)
    try:
        speaker.say("Дверца 14 открыта", "ru")  # returns at once: the worker says it
        assert speaker.finished.wait(60), speaker.status()
        speaker.close()
        assert speaker.status()["said"] == 1 and speaker.failures == 0
    finally:
        speaker.close()


def test_a_missing_sound_device_is_counted_and_never_raised() -> None:
    speaker = Watched(device="pvz-no-such-device")
    try:
        speaker.say("Door 14 is open", "en")
        assert speaker.finished.wait(60)
        speaker.close()
        status = speaker.status()
        assert status["failures"] == 1 and status["said"] == 0
    finally:
        speaker.close()


def test_the_simulated_twin_keeps_what_it_was_told() -> None:
    twin = SimSpeaker()
    assert isinstance(twin, Speaker)
    twin.say("Door 14 is open", "en")
    assert twin.said == [("en", "Door 14 is open")] and twin.status()["said"] == 1
