"""The one adapter from msgspec's exceptions to pvz's: a reason code and a JSON path for bad input.

Everything pvz reads as JSON (manifests, updates, rack files, inbox messages, acks, event
batches, desired config documents) and the config (a TOML table converted to its schema) goes
through `decode` or `convert` here. Whatever msgspec raises becomes an InputError (or the
subclass the caller names) with a stable `reason` from REASONS and a `path` such as
`$.parcels[3].size`. msgspec's own wording is kept only as the human detail: it is classified
in this module and nowhere else, so a msgspec upgrade can change a message, never a code.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar, overload

import msgspec
import msgspec.inspect as mi

from device.exc import INVALID, InputError

T = TypeVar("T")
E = TypeVar("E", bound=InputError)
K = TypeVar("K", bound=Hashable)

# Every reason code pvz gives for input it refuses (docs/manifest.md lists them for central).
REASONS: dict[str, str] = {
    # What decoding finds (this module).
    "too_large": "more bytes than the limit; nothing of it was parsed",
    "not_utf8": "bytes that are not UTF-8, inside a string or anywhere else",
    "not_json": "not JSON: malformed, cut short, or with something after the value",
    "too_deep": "arrays or objects nested too deeply to be read",
    "duplicate_key": "an object names one key twice; the path is the object's, the detail names the key",
    "wrong_type": "a value of another JSON type than the schema's (a string for a number, …)",
    "missing_field": "a required field is absent; the path ends with its name",
    "unknown_field": "a field the schema does not have; the path ends with its name",
    "bad_value": "not one of the allowed values (a size, a kind, a message or update type, …)",
    "bad_format": "a string without the required form (a barcode, a date, a hash, an id)",
    "out_of_range": "a number below or above its bounds",
    "too_short": "a string, list or table shorter than allowed (an empty barcode or list)",
    "too_long": "a string, list or table longer than allowed",
    INVALID: "anything else the schema or a check refuses",
    # What the checks after decoding find.
    "duplicate_barcode": "a parcel or package barcode twice in the input, or already on the device",
    "duplicate": "another value that must be unique is there twice (an order id, a cell label, …)",
    "unknown_reference": "names an order, package or parcel that is neither in the input nor on the device",
    "bad_date": "a well-formed date that is not in the calendar (2026-02-30)",
    "version_mismatch": "an envelope's version differs from its body's",
    "version_not_newer": "the same or a newer version is already here",
    "acceptance_started": "a newer version leaves out a parcel or package the counter has already handled",
    "conflicting_content": "the same id (a return request, a desired config version, a parcel already "
    "handled here) with other content",
    "cell_occupied": "a cell would no longer hold the parcels in it (capacity or size)",
    "missing_option": "an option the chosen backend needs is not set",
    "illegal_transition": "an update would move a parcel between states that are not connected",
    "store_refused": "the store refused the change (a constraint); nothing was written",
    # Config and desired config documents.
    "unreadable": "the file cannot be read",
    "not_found": "a file or directory the config names does not exist",
    "not_toml": "not valid TOML",
    "published_key": "a config's key is the example's or another published with pvz",
    "not_remote": "a section or key that a central system may not change",
    "write_failed": "the device could not write the accepted document",
    # Event batches at the hub.
    "wrong_device": "a batch names another device than its topic",
    "bad_sequence": "a batch's sequence numbers are not consecutive from first_seq to last_seq",
}

_FIELD = re.compile(r"\AObject (missing required|contains unknown) field `(?P<name>.*)`\Z", re.DOTALL)
_TYPE = re.compile(r"\AExpected `[^`]+`(?:, got `[^`]+`)?\Z")
_LENGTH = re.compile(r"\AExpected `[^`]+` of length (?P<op>[<>]=?) ")
_BOUND = re.compile(r"\AExpected `[^`]+` (?:[<>]=?) |\A(?:Number|Integer value) out of range")
MAX_NAME = 64  # characters of a field name kept in a path
_REGEX = re.compile(r" matching regex (?P<pattern>'.*')\Z", re.DOTALL)
_SEGMENT = re.compile(r"\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)|\[(?P<index>[0-9]+)\]|\[(?P<key>\".*?\")\]")

# What a person reads instead of a schema's regex: every `pattern` in a schema has its form here
# (tests/test_decode.py walks the schemas), so an error says "expected vvvv:pppp, e.g. 05e0:1200".
PATTERN_FORMS: dict[str, str] = {
    r"\A[a-z0-9][a-z0-9_-]{0,31}\Z": "1..32 characters of a-z, 0-9, '_' and '-', starting with a letter "
    "or digit, e.g. counter-1",
    r"\A[a-z0-9][a-z0-9-]{1,63}\Z": "2..64 characters of a-z, 0-9 and '-', starting with a letter or digit, "
    "e.g. pvz-msk-0001",
    r"\A(?:[0-9a-fA-F]{2}){16,128}\Z": "32..256 hex digits, an even number of them; generate a key with "
    "`openssl rand -hex 32`",
    r"\A[^\x00-\x1f\x7f-\x9f]*\Z": "text without control characters (no line breaks or tabs)",
    r"\A[^\x00-\x1f\x7f-\x9f]+\Z": "text without control characters (no line breaks or tabs)",
    r"\A[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\Z": "vvvv:pppp (USB vendor and product id in hex), e.g. 05e0:1200",
    r"\A[!-~]+\Z": "printable ASCII without spaces, as a barcode carries it, e.g. BADGE-0001",
    r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z": "letters A-Z, a-z, digits, '.', '_' and '-', starting with a letter "
    "or digit, e.g. A-01-1",
    r"\A[a-z][a-z0-9_-]*\Z": "a-z, 0-9, '_' and '-', starting with a letter, e.g. main",
    r"\A[0-9a-f]{64}\Z": "64 lowercase hex digits (an HMAC-SHA256), e.g. 550c68be…e72f",
    r"\A[0-9a-f]{32}\Z": "32 lowercase hex digits (a uuid4 without dashes), e.g. 9f1c2b7e…04d1",
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z": "a date YYYY-MM-DD, e.g. 2026-03-14",
    r"\A(?:off|\[[0-9a-fA-F:.]+\]:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})\Z": "host:port, e.g. 127.0.0.1:8080, "
    "0.0.0.0:8080 or [::1]:8080, or off",
    r"\A[A-Za-z0-9.:-]+\Z": "a host name or an IP address, e.g. mqtt.example.net or 10.0.0.5",
    r"\A([ -~]{8,63}|[0-9a-fA-F]{64})\Z": "a Wi-Fi passphrase of 8..63 printable ASCII characters, "
    "or the 64 hex digits of a PSK",
    r"\A[A-Z]{2}\Z": "a two-letter country code in capitals, e.g. RU",
    r"\A\+?[ ()-]*(?:[0-9][ ()-]*){4,15}\Z": "a phone: an optional '+', then 4..15 digits with spaces, "
    "dashes or brackets between them, e.g. +7 916 123-45-67",
    r"\Ahttps?://[A-Za-z0-9.:\[\]-]+(?::\d{1,5})?/?\Z": "http://host:port of the main device's screen, "
    "e.g. http://10.0.0.2:8080",
    r"\A[a-z0-9][a-z0-9+.-]{1,63}\Z": "a Debian package name: 2..64 of a-z, 0-9, '+', '.' and '-', e.g. pvz",
    r"\A[0-9][A-Za-z0-9.+~:-]{0,63}\Z": "a Debian version starting with a digit, e.g. 0.2.0 or 1:0.2.0~rc1",
    r"\A(?:https?|file)://[!-~]+\Z": "an http://, https:// or file:// URL without spaces, "
    "e.g. https://hub.example/releases/pvz_0.2.0.deb",
    r"\A[A-Za-z0-9_-]{16,128}\Z": "a station token as `pvz screen pair` prints it: 16..128 of A-Z, a-z, "
    "0-9, '_' and '-'",
}
_IDENT = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")


@overload
def decode(
    raw: bytes, into: type[T], *, max_bytes: int, error: type[InputError] = ..., what: str = ...
) -> T: ...
@overload
def decode(
    raw: bytes, into: Any, *, max_bytes: int, error: type[InputError] = ..., what: str = ...
) -> Any: ...
def decode(
    raw: bytes, into: Any, *, max_bytes: int, error: type[InputError] = InputError, what: str = ""
) -> Any:
    """JSON bytes as `into`; any problem raises `error` with a reason code and a JSON path.

    `what` opens the message ("invalid manifest"). The size is checked before anything is
    parsed, so a hostile payload never is.
    """
    if len(raw) > max_bytes:
        raise error.at("$", "too_large", f"{len(raw)} bytes, more than the limit of {max_bytes}", what=what)
    try:
        # JSON is UTF-8 (RFC 8259). msgspec checks the strings it decodes, but not the bytes of a part
        # kept raw (an event's data at the hub, msgspec.Raw), which would fail later, mid-commit.
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error.at("$", "not_utf8", f"not UTF-8 at byte {exc.start}", what=what) from None
    check_unique_keys(raw, error=error, what=what)
    try:
        return msgspec.json.decode(raw, type=into)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise error.at(*_explain(exc, raw, into), what=what) from exc


@overload
def convert(data: Any, into: type[T], *, error: type[InputError] = ..., what: str = ...) -> T: ...
@overload
def convert(data: Any, into: Any, *, error: type[InputError] = ..., what: str = ...) -> Any: ...
def convert(data: Any, into: Any, *, error: type[InputError] = InputError, what: str = "") -> Any:
    """Already parsed data (a TOML table) as `into`; any problem raises `error` as `decode` does."""
    try:
        return msgspec.convert(data, type=into)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise error.at(*_explain(exc, None, into), what=what) from exc


class _Twice:
    """What an object with a repeated key parses to: the key, found again by `_first_twice`."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


def check_unique_keys(raw: bytes, *, error: type[InputError] = InputError, what: str = "") -> None:
    """Raise `error` with reason `duplicate_key` and the object's JSON path when any object of
    `raw` names a key twice (msgspec, like most parsers, would let the last one win).

    Bytes that are not plain JSON (malformed, NaN, nested too deeply) pass here: `decode`
    then refuses them with msgspec's reason.
    """
    seen: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> Any:
        obj = dict(items)  # in C: the common case (no repeat) costs a length compare
        if len(obj) == len(items):
            return obj
        keys: set[str] = set()
        for key, _ in items:
            if key in keys:
                seen.append(True)
                return _Twice(key)
            keys.add(key)
        return obj

    try:
        tree = json.loads(raw, object_pairs_hook=pairs, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return
    if seen:
        path, key = _first_twice(tree)
        detail = f"key `{_printable(_short(key))}` appears more than once"
        raise error.at(path, "duplicate_key", detail, what=what)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _first_twice(tree: Any) -> tuple[str, str]:
    """(path, key) of the first object, in document order, that names a key twice."""
    stack: list[tuple[str, Any]] = [("$", tree)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Twice):
            return path, node.key
        if isinstance(node, dict):
            stack.extend((field_path(path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(node))))
    return "$", ""


def field_path(path: str, name: str) -> str:
    """`$.a` and `b` as `$.a.b`; a name that is not an identifier as `$.a["b c"]`.

    A name longer than MAX_NAME (only an unknown field can be) is cut, ending in "…", and
    anything unprintable in it is escaped: a path goes to logs and terminals as it is.
    """
    name = _short(name)
    if _IDENT.match(name):
        return f"{path}.{name}"
    return f"{path}[{_printable(msgspec.json.encode(name).decode())}]"


def _explain(exc: BaseException, raw: bytes | None, into: Any) -> tuple[str, str, str]:
    """(path, reason, detail) of a msgspec failure: the only place that reads msgspec's wording.

    Bytes that are not UTF-8 are not JSON, whatever msgspec came across first (it may report
    a missing field before it reads a string further on), so that check comes first.
    """
    if raw is not None:
        try:
            str(raw, "utf-8")
        except UnicodeDecodeError as bad:
            return "$", "not_utf8", f"not UTF-8 at byte {bad.start}"
    if isinstance(exc, RecursionError):
        return "$", "too_deep", "nested too deeply"
    text = str(exc)
    if not isinstance(exc, msgspec.ValidationError):
        return "$", "not_json", _lower(text)
    text, path = _split_path(text)
    field = _FIELD.match(text)
    if field is not None:
        name, short = field["name"], _printable(_short(field["name"]))
        if text.startswith("Object missing"):
            return field_path(path, name), "missing_field", f"missing required field `{short}`"
        detail = f"unknown field `{short}`"
        near = difflib.get_close_matches(name, _fields_at(into, path), n=1, cutoff=0.6)
        if near:
            detail += f" — did you mean `{near[0]}`?"
        return field_path(path, name), "unknown_field", detail
    regex = _REGEX.search(text)
    if regex is not None:
        pattern = ast.literal_eval(regex["pattern"])
        form = PATTERN_FORMS.get(pattern, "a value of another form")
        return path, "bad_format", f"expected {form}"
    return path, _classify(text), _lower(text)


def _fields_at(into: Any, path: str) -> list[str]:
    """The field names of the struct at `path` in the type `into`, for suggesting a misspelt key."""
    node: Any = mi.type_info(into)
    for segment in _SEGMENT.finditer(path[1:]):
        node = _struct_of(node)
        if segment["name"] is not None and isinstance(node, mi.StructType):
            node = next((f.type for f in node.fields if f.encode_name == segment["name"]), None)
        elif isinstance(node, (mi.ListType, mi.DictType)):
            node = node.item_type if isinstance(node, mi.ListType) else node.value_type
        else:
            return []
    node = _struct_of(node)
    return [f.encode_name for f in node.fields] if isinstance(node, mi.StructType) else []


def _struct_of(node: Any) -> Any:
    """An optional struct or list (`X | None`) as the X inside."""
    if isinstance(node, mi.UnionType):
        return next((t for t in node.types if not isinstance(t, mi.NoneType)), None)
    return node


def _classify(text: str) -> str:
    length = _LENGTH.match(text)
    if length is not None:
        return "too_long" if length["op"].startswith("<") else "too_short"
    if _TYPE.match(text):
        return "wrong_type"
    if " matching regex " in text:
        return "bad_format"
    if _BOUND.match(text):
        return "out_of_range"
    if text.startswith(("Invalid enum value", "Invalid value")):
        return "bad_value"
    return INVALID


def _split_path(text: str) -> tuple[str, str]:
    """msgspec's "Expected … - at `$.a[0]`" as ("Expected …", "$.a[0]"); "$" when it names none."""
    head, sep, tail = text.rpartition(" - at `")
    if sep and tail.endswith("`") and tail.startswith("$"):
        return head, tail[:-1]
    return text, "$"


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def read_input(path: Path | str, what: str, error: type[E]) -> bytes:
    """The bytes of an input file; one that cannot be read is `error` with reason `unreadable`."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        detail = f"cannot read {what}: {exc.strerror or exc}"
        raise error(f"{path}: {detail}", reason="unreadable", detail=detail) from exc


def unique_index(keys: Iterable[K], repeated: Callable[[int, int, K], InputError]) -> dict[K, int]:
    """Each key's position; the first key seen again raises `repeated(position, first position, key)`."""
    index: dict[K, int] = {}
    for i, key in enumerate(keys):
        first = index.setdefault(key, i)
        if first != i:
            raise repeated(i, first, key)
    return index
