"""Hypothesis over the barcode classifier: any bytes a scanner may type are refused with a reason or classified consistently."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from workflows.identify import (
    MASK,
    QR_PREFIX,
    ean13_ok,
    issue_code,
    looks_like_parcel,
    masked,
    pickup_code,
    qr_token,
)
from workflows.inputs import MAX_CODE_LENGTH, BadCode, Cmd, Code, Command, clean_code, parse_input

REASONS = {"code_not_utf8", "code_empty", "code_too_long", "code_control_char", "unknown_command"}
SHAPES = st.sampled_from(
    ["12345678*1234", "ORD-77120*482915", "PVZQR:tok", "pvzqr:", "4006381333931", "123456-1-1", "PVZC-DONE"]
)
texts = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789*-ABCZ:pvzqrPVZQR ", max_size=40),
    st.builds(lambda a, b: a + b, SHAPES, st.text(max_size=8)),
    st.builds(lambda c: f"PVZC-{c.value.lower()}", st.sampled_from(Command)),
)
codes = st.binary(max_size=80) | texts


@example(raw=b"\xff", keyed=False)
@example(raw=" \t", keyed=False)
@example(raw="PVZC-NOPE", keyed=True)
@given(raw=codes, keyed=st.booleans())
def test_any_code_is_refused_with_a_reason_or_parsed(raw: bytes | str, keyed: bool) -> None:
    try:
        text = clean_code(raw)
        inp = parse_input(text, keyed=keyed)
    except BadCode as exc:
        assert exc.reason in REASONS
        return
    assert text == text.strip() and 0 < len(text) <= MAX_CODE_LENGTH and text.isprintable()
    if isinstance(inp, Cmd):
        assert text.upper().startswith("PVZC-")
    else:
        assert isinstance(inp, Code) and inp.text == text and inp.keyed == keyed


@given(text=texts)
def test_the_shapes_never_overlap_and_a_log_never_shows_a_customers_code(text: str) -> None:
    qr, found, alone = qr_token(text), issue_code(text), pickup_code(text)
    assert qr is None or found is None  # a QR payload is never an order*code
    if found is not None:
        assert f"{found.order}*{found.code}" == text
        assert masked(text) == f"{found.order}*{MASK}"
    if qr is not None:  # the token never shows, whatever it is
        assert text.upper().startswith(QR_PREFIX) and masked(text) == text[: len(QR_PREFIX)] + MASK
    if alone is not None:
        assert masked(text) == MASK
    if qr is None and found is None and alone is None:
        assert masked(text) == text


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_an_ean13_is_a_parcel_exactly_when_its_check_digit_is_right(text: str) -> None:
    assert looks_like_parcel(text) == ean13_ok(text)
    fixed = text[:12] + str(next(d for d in range(10) if ean13_ok(text[:12] + str(d))))
    assert looks_like_parcel(fixed)
