"""The kiosk speaks (device/kiosk_speech.py, with the simulated speaker): each input's message in
the kiosk's language, and a door that opened by its number, once per opening; a counter is silent;
the wiring attaches it only where `[kiosk] speaker` is set."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from device.config import load_config
from device.engine import Result
from device.kiosk_speech import KioskSpeech
from device.runtime import Runtime
from device.wiring import build_runtime, open_store
from drivers.speech.sim_speech import SimSpeaker
from workflows.inputs import DoorEvent
from workflows.kiosk_model import DoorStep, KioskData, KioskDoor
from workflows.messages import Msg
from workflows.outcome import Feedback, Level


class Kiosk:
    """What the watcher reads from a runtime: a station's language, and its order's doors."""

    def __init__(self) -> None:
        self.langs = {"k1": "ru", "c1": "ru"}
        self.data: KioskData | None = None
        self.watchers: list[object] = []

    def lang_of(self, station: str) -> str:
        return self.langs[station]


def order(*steps: DoorStep) -> KioskData:
    doors = tuple(
        KioskDoor(f"A-{14 + n}", str(14 + n), 13 + n, step, (f"p{n}",)) for n, step in enumerate(steps)
    )
    return KioskData("12345678", "Иван П.", tuple(d.parcels[0] for d in doors), doors)


def said_for(station: str, msg: Msg) -> Result:
    return Result(station, None, Feedback(Level.OK, msg), None)


def setup() -> tuple[Kiosk, SimSpeaker, KioskSpeech]:
    rt = Kiosk()
    speaker = SimSpeaker()
    speech = KioskSpeech(speaker, kiosks=frozenset({"k1"}), source=lambda _rt, _st: rt.data)
    speech.attach(cast(Runtime, rt))
    return rt, speaker, speech


def test_a_door_report_says_the_message_and_the_door_that_opened() -> None:
    rt, speaker, speech = setup()
    assert rt.watchers == [speech]
    rt.data = order(DoorStep.COMMANDED, DoorStep.COMMANDED)
    speech.scanned(said_for("k1", Msg("kp_prompt_idle")))
    assert speaker.said == [("ru", "Отсканируйте QR-код из приложения или введите код получения.")]

    # The controller reports door 14 open (DoorEvent.OPENED): the kiosk says which door.
    assert DoorEvent.OPENED.value == "opened"
    rt.data = order(DoorStep.OPEN, DoorStep.COMMANDED)
    speaker.said.clear()
    speech.scanned(said_for("k1", Msg("kp_step_open")))
    assert speaker.said == [
        ("ru", "Открыта: заберите отправления и закройте дверцу."),
        ("ru", "Дверца 14 открыта"),
    ]

    # The customer switched to English; door 15 opens: said once, in English.
    rt.langs["k1"] = "en"
    rt.data = order(DoorStep.OPEN, DoorStep.OPEN)
    speaker.said.clear()
    speech.scanned(said_for("k1", Msg("kp_step_open")))
    speech.scanned(said_for("k1", Msg("kp_step_open")))
    assert [text for _, text in speaker.said].count("Door 15 is open") == 1
    assert "Door 14 is open" not in [text for _, text in speaker.said]
    assert {lang for lang, _ in speaker.said} == {"en"}


def test_a_door_opened_again_is_said_again_and_a_shelf_cell_by_its_name() -> None:
    rt, speaker, speech = setup()
    rt.data = order(DoorStep.OPEN)
    speech.scanned(said_for("k1", Msg("kp_step_open")))
    rt.data = order(DoorStep.UNVERIFIED)
    speech.scanned(said_for("k1", Msg("kp_step_unverified")))
    rt.data = order(DoorStep.OPEN)  # "open again"
    speaker.said.clear()
    speech.scanned(said_for("k1", Msg("kp_step_open")))
    assert speaker.said[-1] == ("ru", "Дверца 14 открыта")

    shelf = KioskDoor("B-01", "B-01", None, DoorStep.LIT, ("p9",))
    rt.data = KioskData("87654321", "Анна С.", ("p9",), (shelf,))
    speech.scanned(said_for("k1", Msg("kp_step_lit")))
    assert speaker.said[-1] == ("ru", "Ячейка B-01 подсвечена")


def test_a_counter_station_is_silent() -> None:
    _, speaker, speech = setup()
    speech.scanned(said_for("c1", Msg("kp_prompt_idle")))
    assert speaker.said == []


def sim_config(tmp_path: Path, speaker: str) -> Path:
    tmp_path.mkdir(parents=True)
    path = tmp_path / "pvz.toml"
    sample = Path(__file__).resolve().parent.parent / "docs" / "examples" / "sim.toml"
    text = sample.read_text().replace("../../pvz-sim/", "")  # the store and prints beside the config
    path.write_text(text + f'\n[kiosk]\nspeaker = "{speaker}"\n')
    return path


def test_the_wiring_attaches_speech_only_to_a_kiosk_with_a_speaker(tmp_path: Path) -> None:
    for kind, speaker, expected in (("kiosk", "sim", True), ("kiosk", "", False), ("counter", "sim", False)):
        path = sim_config(tmp_path / f"{kind}-{speaker or 'none'}", speaker)
        text = path.read_text().replace("[[stations]]", f'[[stations]]\nkind = "{kind}"', 1)
        path.write_text(text)
        config = load_config(path)
        store = open_store(config, path, owner=True)
        try:
            runtime = build_runtime(config, path, store)
            speeches = [w for w in runtime.watchers if isinstance(w, KioskSpeech)]
            assert bool(speeches) is expected, (kind, speaker)
        finally:
            store.close()


def test_a_tick_that_changed_nothing_is_not_said_again() -> None:
    rt, speaker, speech = setup()
    rt.data = order(DoorStep.OPEN)
    take = Msg("kp_step_open")
    speech.scanned(Result("k1", None, Feedback(Level.INFO, take), None, changed=True))
    for _ in range(3):  # the kiosk's ticks every few seconds: the same words, nothing changed
        speech.scanned(Result("k1", None, Feedback(Level.INFO, take), None, event="tick"))
    assert [text for _, text in speaker.said].count("Открыта: заберите отправления и закройте дверцу.") == 1
    speech.scanned(Result("k1", "00011", Feedback(Level.INFO, take), None))  # the customer asks again
    assert [text for _, text in speaker.said].count("Открыта: заберите отправления и закройте дверцу.") == 2
