"""A send's QR: made by central, checked offline by the point; forged, malformed and odd fields refused."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from workflows.identify import masked
from workflows.inputs import clean_code
from workflows.parcel import Size
from workflows.send_qr import BadSendQr, Shipment, load_public_key, make, public_key_text, verify

KEY = Ed25519PrivateKey.generate()
PUBLIC = load_public_key(public_key_text(KEY))
SHIPMENT = Shipment("SND-000123", "PVZ-7", Size.M, "Анна П.")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(payload: dict[str, object], prefix: str = "PVZS1") -> str:
    body = f"{prefix}.{b64(json.dumps(payload).encode())}"
    return f"{body}.{b64(KEY.sign(body.encode()))}"


def reason(text: str) -> tuple[str, str]:
    with pytest.raises(BadSendQr) as caught:
        verify(text, PUBLIC)
    return caught.value.reason, caught.value.path


def test_a_code_central_made_is_read_back_and_fits_a_scanned_code() -> None:
    text = make(SHIPMENT, KEY)
    assert clean_code(text) == text
    assert verify(text, PUBLIC) == SHIPMENT


def test_another_key_is_a_bad_signature() -> None:
    assert reason(make(SHIPMENT, Ed25519PrivateKey.generate())) == ("send_qr_bad_signature", "")


def test_a_payload_changed_after_signing_is_a_bad_signature() -> None:
    prefix, _payload, sig = make(SHIPMENT, KEY).split(".")
    forged = b64(json.dumps({"id": "SND-999999", "to": "PVZ-7", "size": "S", "sender": "X"}).encode())
    assert reason(f"{prefix}.{forged}.{sig}") == ("send_qr_bad_signature", "")


@pytest.mark.parametrize("text", ["PVZS1", "PVZS1.abc", "PVZS1.a.b.c", "PVZS1.@@@.abc", "PVZS1.abc.%%"])
def test_malformed(text: str) -> None:
    assert reason(text)[0] == "send_qr_malformed"


def test_another_version_is_refused() -> None:
    assert reason(signed({"id": "SND-000123"}, prefix="PVZS2")) == ("send_qr_version", "")


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"to": "PVZ-7", "size": "M", "sender": "A"}, "$.id"),
        ({"id": "snd 1", "to": "PVZ-7", "size": "M", "sender": "A"}, "$.id"),
        ({"id": "SND-000123", "to": "", "size": "M", "sender": "A"}, "$.to"),
        ({"id": "SND-000123", "to": "PVZ-7", "size": "XXL", "sender": "A"}, "$.size"),
        ({"id": "SND-000123", "to": "PVZ-7", "size": "M", "sender": ""}, "$.sender"),
        ({"id": "SND-000123", "to": "PVZ-7", "size": "M", "sender": "A", "phone": "+7"}, "$.phone"),
    ],
)
def test_a_signed_payload_with_a_bad_field_names_it(payload: dict[str, object], path: str) -> None:
    assert reason(signed(payload)) == ("send_qr_field", path)


def test_a_signed_payload_that_is_not_an_object() -> None:
    assert reason(signed([1, 2])) == ("send_qr_malformed", "")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_a_public_key_that_is_not_one(bad: str) -> None:
    with pytest.raises(ValueError):
        load_public_key(bad)


@given(st.text(max_size=200))
def test_any_text_is_a_shipment_or_a_reason(text: str) -> None:
    try:
        verify("PVZS1." + text, PUBLIC)
    except BadSendQr as exc:
        assert exc.reason.startswith("send_qr_")


def test_a_log_shows_a_send_qr_masked() -> None:
    assert masked(make(SHIPMENT, KEY)) == "PVZS1.***"
