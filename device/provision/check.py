"""The provisioning file checked whole: its own keys, the site config it names, the PEMs, Wi-Fi.

Nothing is written here. Every refusal is a ProvisionError with a reason code and the path of
the key at fault, the same way `pvz config check` reports a config (it runs the same checks).
"""

from __future__ import annotations

import dataclasses
import re
import ssl
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any

import msgspec

from device.config import check_config
from device.config_schema import Config, DeviceId, Port
from device.decode import convert
from device.exc import ConfigError, InputError

FILE_NAME = "pvz-provision.toml"
# Where the provisioned config puts the certificates, relative to the config file.
TLS_FILES = {"ca": "tls/ca.crt", "cert": "tls/client.crt", "key": "tls/client.key"}
PEM_BEGIN = "-----BEGIN "
MAX_FILE = 256 * 1024


class ProvisionError(InputError):
    """A provisioning file pvz refuses; nothing of it was applied."""


class DeviceTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: DeviceId
    site: DeviceId


class BrokerTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    host: Annotated[str, msgspec.Meta(min_length=1, max_length=253, pattern=r"\A[A-Za-z0-9.:-]+\Z")]
    port: Port = 8883


class TlsTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Each one the PEM text itself, or the name of a file next to the provisioning file."""

    ca: str
    cert: str
    key: str


class WifiTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    ssid: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    psk: Annotated[str, msgspec.Meta(pattern=r"\A([ -~]{8,63}|[0-9a-fA-F]{64})\Z")]
    country: Annotated[str, msgspec.Meta(pattern=r"\A[A-Z]{2}\Z")]


class ProvisionFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    config: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    device: DeviceTable
    broker: BrokerTable
    tls: TlsTable
    wifi: WifiTable | None = None


@dataclasses.dataclass(frozen=True)
class Checked:
    """Everything `apply` writes, already checked: the config's data, the PEMs, the Wi-Fi table."""

    config: Config
    config_data: dict[str, Any]
    pems: dict[str, str]  # "ca", "cert", "key" -> PEM text
    wifi: WifiTable | None
    used_files: tuple[Path, ...]  # files on the boot partition this provisioning read


def _fail(path: str, reason: str, detail: str) -> ProvisionError:
    return ProvisionError.at(path, reason, detail, what=FILE_NAME)


def _read_text(path: Path, at: str) -> str:
    try:
        if path.stat().st_size > MAX_FILE:
            raise _fail(at, "too_large", f"{path.name} is larger than {MAX_FILE} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(at, "missing_file", f"{path.name} is not on the boot partition") from None
    except UnicodeDecodeError as exc:
        raise _fail(at, "not_utf8", f"{path.name}: not UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise _fail(at, "unreadable", f"{path.name}: {exc.strerror}") from None


def _boot_file(boot: Path, name: str, at: str) -> Path:
    """A plain file name on the boot partition: no directories, so nothing outside it is read."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise _fail(at, "bad_file_name", f"{name!r}: give a file name on the boot partition")
    return boot / name


def _toml(text: str, at: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProvisionError(f"{FILE_NAME}: {at}: invalid TOML: {exc}", reason="not_toml", path=at) from exc


def _pem(boot: Path, field: str, value: str, used: list[Path]) -> str:
    at = f"$.tls.{field}"
    if value.lstrip().startswith(PEM_BEGIN):
        return value.strip() + "\n"
    path = _boot_file(boot, value, at)
    used.append(path)
    text = _read_text(path, at)
    if PEM_BEGIN not in text:
        raise _fail(at, "not_pem", f"{path.name} holds no PEM block")
    return text


def _check_tls(pems: dict[str, str]) -> None:
    """The certificates load and the key is the certificate's (ssl, the way the daemon loads them)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in pems.items():
            files[name] = Path(tmp) / name
            files[name].write_text(text, encoding="utf-8")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            context.load_verify_locations(cafile=str(files["ca"]))
        except ssl.SSLError:
            raise _fail("$.tls.ca", "bad_certificate", "the CA is not a PEM certificate") from None
        try:
            context.load_cert_chain(str(files["cert"]), str(files["key"]))
        except ssl.SSLError as exc:
            at, reason = (
                ("$.tls.key", "key_mismatch")
                if "KEY_VALUES_MISMATCH" in str(exc)
                else (
                    "$.tls.cert",
                    "bad_certificate",
                )
            )
            raise _fail(at, reason, "the certificate and key do not load as a pair") from None


def check(boot: Path) -> Checked:
    """Read `boot`/pvz-provision.toml and all it names; a ProvisionError says what is wrong."""
    path = boot / FILE_NAME
    used = [path]
    raw = _toml(_read_text(path, "$"), "$")
    spec = convert(raw, ProvisionFile, error=ProvisionError, what=FILE_NAME)
    config_path = _boot_file(boot, spec.config, "$.config")
    used.append(config_path)
    site = _toml(_read_text(config_path, "$.config"), "$.config")
    for table in ("device", "mqtt"):
        if table in site and not isinstance(site[table], dict):
            raise _fail("$.config", "wrong_type", f"{spec.config}: [{table}] is not a table")
    site["device"] = {**site.get("device", {}), "id": spec.device.id, "site": spec.device.site}
    site["mqtt"] = {
        **site.get("mqtt", {}),
        "host": spec.broker.host,
        "port": spec.broker.port,
        **{f"{name}_file": TLS_FILES[name] for name in ("ca", "cert", "key")},
    }
    try:
        config = check_config(site, source=spec.config)
    except ConfigError as exc:
        # The site config's own key path, under the provisioning file's `config` key.
        raise ProvisionError(
            f"{FILE_NAME}: config: {exc}",
            reason=exc.reason,
            path=f"$.config{exc.path[1:]}",
            detail=exc.detail,
        ) from exc
    pems = {name: _pem(boot, name, getattr(spec.tls, name), used) for name in ("ca", "cert", "key")}
    _check_tls(pems)
    data = msgspec.to_builtins(config)
    return Checked(config, data, pems, spec.wifi, tuple(dict.fromkeys(used)))
