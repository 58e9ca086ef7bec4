"""The adapter from msgspec's exceptions: every reason code from a real payload, and always a path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device.decode import REASONS, convert, decode, field_path
from device.exc import ConfigError, InputError, ManifestError

DOCS = Path(__file__).resolve().parents[1] / "docs"


class Item(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=8, pattern=r"\A[a-z]+\Z")]
    kind: Literal["box", "bag"] = "box"
    count: Annotated[int, msgspec.Meta(ge=0, le=10)] = 0
    step: Annotated[int, msgspec.Meta(multiple_of=5)] = 0


class A(msgspec.Struct, tag="a"):
    pass


class B(msgspec.Struct, tag="b"):
    pass


class Doc(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    items: Annotated[list[Item], msgspec.Meta(min_length=1, max_length=2)]
    extra: Any = None
    tagged: A | B | None = None


def doc(**change: Any) -> dict[str, Any]:
    return {"version": 1, "items": [{"name": "a"}, {"name": "b"}]} | change


def enc(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def item(**fields: Any) -> bytes:
    return enc(doc(items=[{"name": "a"}, {"name": "b", **fields}]))


LIMIT = 300_000
CASES: dict[str, tuple[bytes, str, str]] = {
    # name: (payload, reason, path)
    "too large": (b" " * (LIMIT + 1), "too_large", "$"),
    "not utf-8 inside a string": (b'{"version": 1, "extra": "caf\xe9"}', "not_utf8", "$"),
    "not utf-8 outside a string": (b"\xff\xfe{}", "not_utf8", "$"),
    "not utf-8 after a schema error": (b'{"version": "1", "extra": "\xff"}', "not_utf8", "$"),
    "utf-16": ("{}".encode("utf-16"), "not_utf8", "$"),
    "not json": (b"{version: 1}", "not_json", "$"),
    "NaN": (b'{"version": 1, "extra": NaN, "items": [{"name": "a"}]}', "not_json", "$"),
    "Infinity": (b'{"version": 1, "extra": -Infinity, "items": [{"name": "a"}]}', "not_json", "$"),
    "empty": (b"", "not_json", "$"),
    "cut short": (b'{"version": 1, "items": [', "not_json", "$"),
    "trailing bytes": (enc(doc()) + b" x", "not_json", "$"),
    "deep nesting": (b'{"version": 1, "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep", "$"),
    "a key twice": (b'{"version": 1, "version": 2, "items": [{"name": "a"}]}', "duplicate_key", "$"),
    "a key twice inside": (
        b'{"version": 1, "items": [{"name": "a"}, {"name": "b", "count": 1, "count": 2}]}',
        "duplicate_key",
        "$.items[1]",
    ),
    "a key twice deeper than a schema error": (
        b'{"version": "1", "items": [{"name": "a", "name": "b"}]}',
        "duplicate_key",
        "$.items[0]",
    ),
    "an array": (b"[1, 2]", "wrong_type", "$"),
    "a string for an int": (enc(doc(version="1")), "wrong_type", "$.version"),
    "a float for an int": (item(count=1.5), "wrong_type", "$.items[1].count"),
    "null for a list": (enc(doc(items=None)), "wrong_type", "$.items"),
    "a list for a tag": (enc(doc(tagged={"type": ["a"]})), "wrong_type", "$.tagged.type"),
    "missing at the top": (b'{"items": [{"name": "a"}]}', "missing_field", "$.version"),
    "missing inside": (enc(doc(items=[{"kind": "bag"}])), "missing_field", "$.items[0].name"),
    "unknown at the top": (enc(doc(colour="red")), "unknown_field", "$.colour"),
    "unknown inside": (item(colour="red"), "unknown_field", "$.items[1].colour"),
    "unknown, not an identifier": (item(**{"a b": 1}), "unknown_field", '$.items[1]["a b"]'),
    "not one of the choices": (item(kind="crate"), "bad_value", "$.items[1].kind"),
    "an unknown tag": (enc(doc(tagged={"type": "c"})), "bad_value", "$.tagged.type"),
    "pattern": (item(name="B"), "bad_format", "$.items[1].name"),
    "below": (item(count=-1), "out_of_range", "$.items[1].count"),
    "above": (item(count=11), "out_of_range", "$.items[1].count"),
    "huge": (item(count=2**70), "out_of_range", "$.items[1].count"),
    "empty string": (item(name=""), "too_short", "$.items[1].name"),
    "long string": (item(name="abcdefghi"), "too_long", "$.items[1].name"),
    "empty list": (enc(doc(items=[])), "too_short", "$.items"),
    "long list": (enc(doc(items=[{"name": "a"}] * 3)), "too_long", "$.items"),
    "anything else": (item(step=3), "invalid", "$.items[1].step"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_failure_has_its_reason_and_path(name: str) -> None:
    payload, reason, path = CASES[name]
    with pytest.raises(InputError) as info:
        decode(payload, Doc, max_bytes=LIMIT)
    assert (info.value.reason, info.value.path) == (reason, path)
    assert reason in REASONS
    assert str(info.value) == f"{path}: {info.value.detail} ({reason})"


def test_every_decoding_reason_has_a_case() -> None:
    decoding = list(REASONS)[: list(REASONS).index("invalid") + 1]
    assert sorted(decoding) == sorted({reason for _, reason, _ in CASES.values()})


def test_the_size_is_checked_before_parsing() -> None:
    assert decode(b"[1]" + b" " * 7, list[int], max_bytes=10) == [1]
    with pytest.raises(InputError) as info:
        decode(b"[1]" + b" " * 8, list[int], max_bytes=10)
    assert info.value.reason == "too_large"
    with pytest.raises(InputError) as info:
        decode(b"not json at all", list[int], max_bytes=10)  # never parsed: not "not_json"
    assert info.value.reason == "too_large"


def test_the_callers_class_and_words_open_the_message() -> None:
    with pytest.raises(ManifestError) as info:
        decode(item(kind="crate"), Doc, max_bytes=1000, error=ManifestError, what="invalid thing")
    exc = info.value
    assert str(exc).startswith("invalid thing: $.items[1].kind: ") and str(exc).endswith(" (bad_value)")
    inside = exc.within("bad.json")
    assert type(inside) is ManifestError and (inside.reason, inside.path) == ("bad_value", "$.items[1].kind")
    assert str(inside) == f"bad.json: {exc}" and inside.detail == exc.detail


def test_convert_checks_a_mapping_the_same_way() -> None:
    assert convert(doc(), Doc).version == 1
    for data, reason, path in [
        (doc(version="1"), "wrong_type", "$.version"),
        (doc(items=[{"name": "a", "count": 99}]), "out_of_range", "$.items[0].count"),
        (doc(surprise=1), "unknown_field", "$.surprise"),
        ({"items": [{"name": "a"}]}, "missing_field", "$.version"),
    ]:
        with pytest.raises(ConfigError) as info:
            convert(data, Doc, error=ConfigError, what="pvz.toml")
        assert (info.value.reason, info.value.path) == (reason, path)
        assert str(info.value).startswith(f"pvz.toml: {path}: ")


def test_a_long_field_name_is_cut_in_the_path() -> None:
    with pytest.raises(InputError) as info:
        decode(enc(doc(**{"x" * 10_000: 1})), Doc, max_bytes=100_000)
    assert info.value.reason == "unknown_field"
    assert info.value.path == f'$["{"x" * 64}…"]' and len(str(info.value)) < 300
    assert field_path("$.a", "b") == "$.a.b" and field_path("$", "1st") == '$["1st"]'
    assert field_path("$", "я\x7f\x1b[2J") == '$["я\\u007f\\u001b[2J"]'  # printable, nothing for a terminal


@settings(max_examples=300)
@given(st.binary(max_size=200) | st.sampled_from([p for p, _, _ in CASES.values()]))
def test_any_bytes_give_a_value_or_a_known_reason_with_a_path(raw: bytes) -> None:
    try:
        decode(raw, Doc, max_bytes=LIMIT)
    except InputError as exc:
        assert exc.reason in REASONS and exc.path.startswith("$")


def test_the_docs_list_every_reason() -> None:
    table = (DOCS / "manifest.md").read_text(encoding="utf-8").split("## Reason codes", 1)[1]
    documented = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert documented == set(REASONS)


ROOT = Path(__file__).resolve().parents[1]


def _schema_patterns() -> set[str]:
    """Every `pattern=` of a msgspec.Meta in pvz's own modules (a literal or sync.topics.ID_PATTERN)."""
    import ast

    from sync.topics import ID_PATTERN

    found: set[str] = set()
    for folder in ("device", "sync", "workflows", "central"):
        for file in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg == "pattern":
                    if isinstance(node.value, ast.Constant):
                        found.add(str(node.value.value))
                    else:
                        assert ast.unparse(node.value) == "ID_PATTERN", f"{file}: {ast.unparse(node.value)}"
                        found.add(ID_PATTERN)
    return found


def test_every_schema_pattern_has_a_human_form() -> None:
    from device.decode import PATTERN_FORMS

    patterns = _schema_patterns()
    assert len(patterns) >= 10
    assert patterns <= set(PATTERN_FORMS), patterns - set(PATTERN_FORMS)


def test_a_bad_format_reads_as_an_example_never_as_a_regex() -> None:
    from device.config_schema import ScannerConfig

    with pytest.raises(ConfigError) as caught:
        convert({"backend": "evdev", "device": "05e0-1200"}, ScannerConfig, error=ConfigError)
    assert (caught.value.reason, caught.value.path) == ("bad_format", "$.device")
    assert caught.value.detail == "expected vvvv:pppp (USB vendor and product id in hex), e.g. 05e0:1200"
    with pytest.raises(ConfigError) as caught:
        convert({"name": "BAD"}, Item, error=ConfigError)
    # A pattern of no schema of pvz's (this test's own) still never shows its regex.
    assert caught.value.reason == "bad_format"
    assert "regex" not in caught.value.detail and "\\A" not in caught.value.detail


def test_an_unknown_field_names_the_closest_known_one() -> None:
    from device.config_schema import Config

    data = {"stations": [{"name": "c", "scanners": [{"backend": "stdin", "keypda": True}]}]}
    with pytest.raises(ConfigError) as caught:
        convert(data, Config, error=ConfigError)
    assert (caught.value.reason, caught.value.path) == ("unknown_field", "$.stations[0].scanners[0].keypda")
    assert caught.value.detail == "unknown field `keypda` — did you mean `keypad`?"
    with pytest.raises(ManifestError) as json_caught:
        decode(b'{"version": 1, "items": [{"nmae": "a"}]}', Doc, max_bytes=LIMIT, error=ManifestError)
    assert json_caught.value.path == "$.items[0].nmae"
    assert json_caught.value.detail == "unknown field `nmae` — did you mean `name`?"
    with pytest.raises(InputError) as far:
        decode(b'{"version": 1, "items": [{"name": "a"}], "zzzz": 1}', Doc, max_bytes=LIMIT)
    assert far.value.detail == "unknown field `zzzz`"


class _Kept(msgspec.Struct):
    data: msgspec.Raw


def test_a_part_kept_raw_is_utf8_too() -> None:
    """A raw part (an event's data at the hub) is not checked by msgspec: a byte that is not UTF-8
    in it is refused at the gate, not found mid-commit (found by tests/test_mqtt_fuzz.py)."""
    with pytest.raises(InputError) as caught:
        decode(b'{"data": {"\x80n": 1}}', _Kept, max_bytes=100)
    assert (caught.value.reason, caught.value.path) == ("not_utf8", "$")
    assert bytes(decode(b'{"data": {"n": 1}}', _Kept, max_bytes=100).data) == b'{"n": 1}'
