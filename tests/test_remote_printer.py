"""RemotePrinter's answers to the print queue: which failures leave nothing on paper (the job prints
again as it is) and which may have (it prints again as a copy), each with pvz's reason code."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from device.site.calls import NoAnswer, SiteCalls
from device.site.remote_printer import RemotePrinter, RemotePrintError
from drivers.document import Document, Text
from drivers.exc import PrinterNotReady
from sync.site import PrintDone, PrintJob

DOC = Document("receipt", "Чек", (Text("Заказ 22222222"),))


class Answering(SiteCalls):
    """The calls as SiteMain makes them, the station's answer (or its silence) given by the test."""

    def __init__(self, answer: PrintDone | NoAnswer) -> None:
        super().__init__()
        self.answer_with = answer
        self.sent: list[tuple[str, bytes, str]] = []

    def request(self, topic: str, payload: bytes, key: str, timeout_s: float) -> Any:
        self.sent.append((topic, payload, key))
        if isinstance(self.answer_with, NoAnswer):
            raise self.answer_with
        return self.answer_with


def printer(calls: SiteCalls | None, online: bool | None = True) -> RemotePrinter:
    p = RemotePrinter(station="a", device="pvz-a", site="test-site", profile=None, width=42, timeout_s=1)
    if calls is not None:
        p.attach(calls, lambda: online)
    return p


def test_a_confirmed_job_goes_to_the_station_by_its_id_as_escpos_bytes() -> None:
    calls = Answering(PrintDone(7, True))
    p = printer(calls)
    p.print_job(7, DOC)
    topic, payload, key = calls.sent[0]
    assert topic == "pvz/site/v1/test-site/pvz-a/print" and key == "print:pvz-a:7"
    job = msgspec.json.decode(payload, type=PrintJob)
    assert (job.job, job.station, job.kind, job.data) == (7, "a", "receipt", p.render(DOC))
    assert p.render(DOC).startswith(b"\x1b@") and p.status()["state"] == "ready"


@pytest.mark.parametrize(
    ("calls", "online", "reason", "nothing_printed"),
    [
        (None, True, "site_link_down", True),
        (Answering(PrintDone(7, True)), False, "station_offline", True),
        (Answering(NoAnswer("not accepted", sent=False)), True, "site_link_down", True),
        (Answering(NoAnswer("no answer", sent=True)), True, "no_answer", False),
        (Answering(PrintDone(7, False, reason="printer_not_ready")), True, "station_printer", True),
        (Answering(PrintDone(7, False, reason="printer_failed")), True, "station_printer", False),
    ],
)
def test_each_failure_keeps_the_job_queued_with_its_reason(
    calls: SiteCalls | None, online: bool, reason: str, nothing_printed: bool
) -> None:
    p = printer(calls, online)
    with pytest.raises(RemotePrintError) as failed:
        p.print_job(7, DOC)
    assert failed.value.reason == reason
    assert isinstance(failed.value, PrinterNotReady) is nothing_printed
    assert p.status()["state"] == "error" and p.status()["reason"] == reason
