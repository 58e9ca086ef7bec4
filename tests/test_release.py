"""A release's signature and checks (device/update/release.py), central's building and choosing (central/release.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from central.release import (
    RolloutError,
    build,
    check_failures,
    choose,
    load_release_key,
    new_release_key,
    public_text,
)
from device.update.release import (
    FORMAT,
    MAX_PACKAGE_BYTES,
    REASONS,
    Release,
    UpdateRefused,
    decode,
    encode,
    load_public_key,
    sign,
    verify,
)
from tests.support.debs import make_deb

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
KEY = Ed25519PrivateKey.generate()


def release(**fields: object) -> Release:
    base: dict[str, object] = {
        "format": FORMAT,
        "package": "pvz",
        "version": "0.2.0",
        "size": 1234,
        "sha256": "ab" * 32,
        "url": "https://hub.example/releases/pvz_0.2.0.deb",
        "expires_at": int(NOW.timestamp()) + 3600,
    }
    return Release(**{**base, **fields})  # type: ignore[arg-type]


@contextmanager
def refused(reason: str) -> Iterator[None]:
    """The block raises UpdateRefused with this reason code (the code, never the message, is asserted)."""
    assert reason in REASONS
    with pytest.raises(UpdateRefused) as exc:
        yield
    assert exc.value.reason == reason


def test_a_signed_release_checks_out_and_survives_its_encoding() -> None:
    signed = sign(release(), KEY)
    assert verify(decode(encode(signed)), KEY.public_key(), now=NOW) == signed


@pytest.mark.parametrize(
    "change",
    [
        {"package": "pvz-evil"},
        {"version": "0.2.1"},
        {"size": 1235},
        {"sha256": "cd" * 32},
        {"url": "https://elsewhere.example/pvz_0.2.0.deb"},
        {"expires_at": 2_000_000_000},
    ],
)
def test_every_field_a_device_acts_on_is_signed(change: dict[str, object]) -> None:
    altered = msgspec.structs.replace(sign(release(), KEY), **change)
    with refused("bad_signature"):
        verify(altered, KEY.public_key(), now=NOW)


def test_another_key_or_a_garbled_signature_is_refused() -> None:
    with refused("bad_signature"):
        verify(sign(release(), Ed25519PrivateKey.generate()), KEY.public_key(), now=NOW)
    with refused("bad_signature"):
        verify(msgspec.structs.replace(release(), signature="not base64!"), KEY.public_key(), now=NOW)
    with refused("bad_signature"):
        verify(release(), KEY.public_key(), now=NOW)  # unsigned


def test_an_expired_or_oversized_release_is_refused() -> None:
    with refused("expired"):
        verify(sign(release(expires_at=int(NOW.timestamp())), KEY), KEY.public_key(), now=NOW)
    with refused("too_large"):
        verify(sign(release(size=MAX_PACKAGE_BYTES + 1), KEY), KEY.public_key(), now=NOW)


@pytest.mark.parametrize(
    "raw",
    [
        b"{}",
        b"not json",
        b"x" * 5000,
        encode(release(format=2)),
        encode(release()).replace(b'"url":"https', b'"url":"ftp'),
        encode(release()).replace(b"pvz_0.2.0.deb", b"pvz 0.2.0.deb"),
        encode(release()).replace(b'"size":1234', b'"size":1234,"extra":1'),
    ],
)
def test_anything_but_a_release_document_is_malformed(raw: bytes) -> None:
    with refused("malformed"):
        decode(raw)


@given(st.binary(max_size=300))
def test_decode_refuses_any_bytes_only_with_its_own_reason(raw: bytes) -> None:
    try:
        decode(raw)
    except UpdateRefused as exc:
        assert exc.reason == "malformed"


def test_choose_is_deterministic_widens_monotonically_and_refuses_unknown_sites() -> None:
    known = {"msk": [f"c-{i:02}" for i in range(10)], "spb": [f"c-{i:02}" for i in range(10)]}
    ten = choose(known, ["msk", "spb"], 10, salt="pvz=0.2.0")
    assert len(ten) == 2 and ten == choose(known, ["spb", "msk"], 10, salt="pvz=0.2.0")
    fifty = choose(known, ["msk", "spb"], 50, salt="pvz=0.2.0")
    assert set(ten) <= set(fifty) and len(fifty) == 10
    assert len(choose(known, ["msk", "spb"], 100, salt="x")) == 20
    assert choose(known, ["msk"], 0.1, salt="x") != [] and all(
        s == "msk" for s, _ in choose(known, ["msk"], 100, salt="x")
    )
    with pytest.raises(RolloutError) as exc:
        choose(known, ["msk", "kzn"], 10, salt="x")
    assert exc.value.reason == "unknown_site"
    with pytest.raises(RolloutError) as exc:
        choose(known, ["msk"], 0, salt="x")
    assert exc.value.reason == "bad_percent"


def test_central_builds_a_release_a_device_accepts(tmp_path: Path) -> None:
    deb = make_deb(tmp_path, "pvzt", "1.2.3")
    built = build(deb, key=KEY, url_base="https://hub.example/r/", now=NOW, expiry_h=1)
    assert (built.package, built.version, built.size) == ("pvzt", "1.2.3", deb.stat().st_size)
    assert built.url == "https://hub.example/r/pvzt_1.2.3.deb"
    assert verify(decode(encode(built)), KEY.public_key(), now=NOW) == built
    with pytest.raises(RolloutError) as exc:
        build(tmp_path / ".trees/pvzt-1.2.3/usr/lib/pvzt/VERSION", key=KEY, url_base="x", now=NOW, expiry_h=1)
    assert exc.value.reason == "not_a_package"


def test_the_release_key_is_made_once_and_its_public_half_is_what_a_device_loads(tmp_path: Path) -> None:
    text = new_release_key(tmp_path)
    assert (tmp_path / "release/release.key").stat().st_mode & 0o777 == 0o600
    assert load_public_key(text) is not None and public_text(load_release_key(tmp_path)) == text
    with pytest.raises(RolloutError) as exc:
        new_release_key(tmp_path)
    assert exc.value.reason == "key_exists"
    with pytest.raises(RolloutError) as exc:
        load_release_key(tmp_path / "nowhere")
    assert exc.value.reason == "no_release_key"


def test_a_rollout_stops_widening_once_failures_pass_the_threshold() -> None:
    sha = "ab" * 32

    def report(result: str, of: str = sha) -> dict[str, object]:
        return {"package": "pvz", "version": "0.2.0", "result": result, "sha256": of}

    reports = [report("installed")] * 9 + [
        report("rolled_back"),
        report("pending"),
        report("failed", "cd" * 32),
        None,
    ]
    assert check_failures(reports, sha, 10) == {"installed": 9, "failed": 1, "pending": 1}
    with pytest.raises(RolloutError) as exc:
        check_failures([*reports, report("failed")], sha, 10)
    assert exc.value.reason == "failure_threshold"
    assert check_failures([], sha, 0) == {"installed": 0, "failed": 0, "pending": 0}
