"""print_raw: a remote station prints the bytes its main device rendered, through its own printer."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.base import RawPrinter
from drivers.exc import PrinterError, PrinterNotReady
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.sim_printer import SimPrinter

JOB = b"\x1b@receipt \xff\x00 bytes\n\x1dV\x00"


def test_the_sim_printer_keeps_the_bytes_and_writes_one_file_per_job(tmp_path: Path) -> None:
    printer = SimPrinter(out_dir=tmp_path / "out", name="p1")
    assert isinstance(printer, RawPrinter)
    printer.print_raw(JOB, "receipt")
    printer.print_raw(b"second", "label/x")
    assert [(j.number, j.kind, j.data) for j in printer.raw] == [
        (1, "receipt", JOB),
        (2, "label/x", b"second"),
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0001-receipt.bin", "0002-label_x.bin"]
    assert (tmp_path / "out" / "0001-receipt.bin").read_bytes() == JOB
    assert printer.status()["printed"] == 2


def test_a_sim_printer_fault_refuses_the_job_with_its_reason_code() -> None:
    printer = SimPrinter(name="p1")
    printer.set_fault("paper out")
    with pytest.raises(PrinterNotReady) as refused:
        printer.print_raw(JOB)
    assert refused.value.reason == "printer_not_ready"
    assert printer.raw == []


def test_the_file_backend_sends_the_bytes_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    out.write_bytes(b"")
    printer = EscposPrinter(name="p1", backend="file", path=str(out))
    assert isinstance(printer, RawPrinter)
    printer.print_raw(JOB)
    printer.print_raw(JOB)
    assert out.read_bytes() == JOB + JOB
    assert printer.status()["printed"] == 2


def test_the_file_backend_without_its_device_is_not_ready(tmp_path: Path) -> None:
    printer = EscposPrinter(name="p1", backend="file", path=str(tmp_path / "usb" / "lp0"))
    with pytest.raises(PrinterError) as failed:
        printer.print_raw(JOB)
    assert failed.value.reason == "printer_not_ready"
