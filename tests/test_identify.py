"""Code shapes: EAN-13 check digits, parcel-like labels, issue codes and QR payloads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflows.identify import IssueCode, ean13_ok, issue_code, looks_like_parcel, qr_token
from workflows.inputs import BadCode, Cmd, Code, Command, clean_code, parse_input


def ean13(digits12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_ean13_accepts_the_right_check_digit_only(digits: str, delta: int) -> None:
    good = ean13(digits)
    assert ean13_ok(good) and looks_like_parcel(good)
    bad = good[:12] + str((int(good[12]) + delta) % 10)
    assert not ean13_ok(bad) and not looks_like_parcel(bad)


def test_parcel_shapes() -> None:
    assert looks_like_parcel("12345678-0001-1")
    assert looks_like_parcel("RU123456789CN")
    assert not looks_like_parcel("NOBODY-KNOWS-THIS")  # no serial number
    assert not looks_like_parcel("hello")
    assert not looks_like_parcel("https://example.org/x")


def test_issue_codes_and_qr_payloads() -> None:
    assert issue_code("12345678*1234") == IssueCode("12345678", "1234")
    assert issue_code("12345678*") is None and issue_code("12345678*12ab") is None
    # order ids come in every shape a manifest allows (docs/manifest.md): the last star splits
    assert issue_code("ORD-77120*482915") == IssueCode("ORD-77120", "482915")
    assert issue_code("A*B*123") == IssueCode("A*B", "123")
    assert issue_code("ORD 1*123") is None and issue_code("x" * 65 + "*123") is None
    assert issue_code("PVZQR:abc*123") is None  # a QR payload is never an issue code
    assert qr_token("PVZQR:abc") == "abc" and qr_token("pvzqr:abc") == "abc"
    assert qr_token("PVZQR:") is None and qr_token("12345678") is None


@given(st.text(max_size=60))
def test_clean_code_returns_stripped_printable_text_or_a_reason(text: str) -> None:
    try:
        cleaned = clean_code(text)
    except BadCode as exc:
        assert exc.reason in {"code_empty", "code_control_char", "code_too_long"}
        return
    assert cleaned == cleaned.strip() and cleaned
    assert cleaned.isprintable()


def test_command_barcodes_parse_case_insensitively_and_unknown_ones_are_refused() -> None:
    for command in Command:
        assert parse_input(command.barcode) == Cmd(command)
        assert parse_input(command.barcode.lower()) == Cmd(command)
    assert parse_input("12345678", keyed=True) == Code("12345678", keyed=True)
    try:
        parse_input("PVZC-NOPE")
    except BadCode as exc:
        assert exc.reason == "unknown_command"
    else:
        raise AssertionError("an unknown command parsed")
