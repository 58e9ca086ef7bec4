"""`pvz-central hub --config hub.toml`: the hub's own HTTP(S) server, its dashboard and the release
files it serves, read and checked whole at start, as a device's config is: anything wrong is one
line with a reason code and the key's path, and exit code 2, before the broker or the store is opened.

    [web]                       # the hub's HTTP(S) server (needed by [dashboard] and [releases])
    listen = "0.0.0.0:8443"
    cert = "/etc/pvz-hub/web.crt"   # both cert and key: HTTPS; neither: HTTP
    key = "/etc/pvz-hub/web.key"

    [dashboard]
    session_hours = 12          # how long a sign-in lasts
    history_days = 7            # outbox depth samples older than this are pruned by the hub
    [[dashboard.operator]]
    name = "Анна"
    token_sha256 = "…"          # sha256sum of the operator's token; the token itself is never stored

    [releases]
    dir = "/var/lib/pvz-hub/releases"   # served at /releases/<file>: `fleet rollout --serve-dir`
"""

from __future__ import annotations

import re
import ssl
import tomllib
from pathlib import Path

import msgspec

from device.decode import convert, read_input
from device.exc import ConfigError

WHAT = "invalid hub config"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_SESSION_HOURS = 24 * 30
MAX_HISTORY_DAYS = 366


class Web(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    listen: str
    cert: str | None = None
    key: str | None = None

    @property
    def https(self) -> bool:
        return self.cert is not None


class Operator(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    token_sha256: str


class Dashboard(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    session_hours: float = 12.0
    history_days: int = 7
    operator: list[Operator] = msgspec.field(default_factory=list)


class Releases(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    dir: str


class HubConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    web: Web | None = None
    dashboard: Dashboard | None = None
    releases: Releases | None = None

    def address(self) -> tuple[str, int]:
        """The [web] listen address as (host, port); only called when [web] is there."""
        assert self.web is not None
        host, _, port = self.web.listen.rpartition(":")
        return host.strip("[]"), int(port)


def _fail(path: str, reason: str, detail: str) -> ConfigError:
    return ConfigError.at(path, reason, detail, what=WHAT)


def _check_web(web: Web) -> None:
    host, sep, port = web.listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise _fail("$.web.listen", "bad_format", f"wants HOST:PORT, e.g. 0.0.0.0:8443, not {web.listen!r}")
    if (web.cert is None) != (web.key is None):
        missing = "key" if web.key is None else "cert"
        raise _fail(f"$.web.{missing}", "missing_option", "HTTPS needs both cert and key")
    for name in ("cert", "key"):
        value = getattr(web, name)
        if value is not None and not Path(value).is_file():
            raise _fail(f"$.web.{name}", "not_found", f"no file {value}")
    if web.cert is not None and web.key is not None:
        tls_context(web)


def tls_context(web: Web) -> ssl.SSLContext:
    """The server's TLS context of [web] cert and key; a pair that does not load (not PEM, a key
    of another certificate, unreadable) is refused at start like any other mistake."""
    assert web.cert is not None and web.key is not None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(web.cert, web.key)
    except (ssl.SSLError, OSError) as exc:
        raise _fail("$.web.cert", "bad_value", f"cert and key do not load: {exc.strerror or exc}") from exc
    return context


def _check_dashboard(d: Dashboard) -> None:
    if not 0 < d.session_hours <= MAX_SESSION_HOURS:
        raise _fail("$.dashboard.session_hours", "out_of_range", f"from above 0 to {MAX_SESSION_HOURS}")
    if not 1 <= d.history_days <= MAX_HISTORY_DAYS:
        raise _fail("$.dashboard.history_days", "out_of_range", f"from 1 to {MAX_HISTORY_DAYS}")
    names: set[str] = set()
    hashes: set[str] = set()
    for i, op in enumerate(d.operator):
        at = f"$.dashboard.operator[{i}]"
        if not op.name.strip() or not op.name.isprintable():
            raise _fail(f"{at}.name", "too_short", "an operator needs a printable name")
        if op.name in names:
            raise _fail(f"{at}.name", "duplicate", f"operator {op.name!r} twice")
        if not _SHA256.match(op.token_sha256):
            raise _fail(f"{at}.token_sha256", "bad_format", "64 lowercase hex digits (sha256sum)")
        if op.token_sha256 in hashes:
            raise _fail(f"{at}.token_sha256", "duplicate", "two operators with one token")
        names.add(op.name)
        hashes.add(op.token_sha256)


def check(config: HubConfig) -> HubConfig:
    if config.web is not None:
        _check_web(config.web)
    for part in ("dashboard", "releases"):
        if getattr(config, part) is not None and config.web is None:
            raise _fail("$.web", "missing_option", f"[{part}] is served by the hub's [web] server")
    if config.dashboard is not None:
        _check_dashboard(config.dashboard)
    if config.releases is not None and not Path(config.releases.dir).is_dir():
        raise _fail("$.releases.dir", "not_found", f"no directory {config.releases.dir}")
    return config


def parse_config(text: str) -> HubConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail("$", "not_toml", str(exc)) from exc
    return check(convert(data, HubConfig, error=ConfigError, what=WHAT))


def load_config(path: Path | str) -> HubConfig:
    """The hub's config file; ConfigError (reason, key path) for anything wrong in it."""
    raw = read_input(path, WHAT, ConfigError)
    try:
        return parse_config(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail("$", "not_utf8", "not UTF-8").within(str(path)) from exc
    except ConfigError as exc:
        raise exc.within(str(path)) from None
