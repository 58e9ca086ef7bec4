"""Certificates of a site (CA, broker, devices, hubs, the site broker's bridge) made with the openssl command, and the broker's ACL."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from device.exc import PvzError
from sync.topics import ID_PATTERN, ID_RULE

CA_DAYS = 3650  # the site CA: ten years
LEAF_DAYS = 730  # broker, device and hub certificates: two years
CRL_DAYS = 3650  # a broker refuses every client once its CRL is past nextUpdate
DEFAULT_HOSTS = ("localhost", "127.0.0.1")
BROKER_PATH = "/etc/mosquitto/pvz"  # where the broker reads the files of DIR/broker/
HUB_PREFIX = "hub-"
BRIDGE_PREFIX = "bridge-"  # a site broker's bridge to central: bridge-<site> (docs/site.md)
CMD_SUFFIX = "-cmd"  # its second connection, for commands: bridge-<site>-cmd
MAX_CN = 64  # openssl refuses a longer common name (X.509 ub-common-name)
_NAME = re.compile(ID_PATTERN)  # one topic level, the rule of sync.topics
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
_TIMEOUT_S = 60
_CA_EXT = ("basicConstraints = critical,CA:TRUE,pathlen:0", "keyUsage = critical,keyCertSign,cRLSign")


class PkiError(PvzError):
    """A certificate cannot be made as asked; nothing that existed was overwritten."""


def _check_name(what: str, value: str) -> str:
    if not _NAME.match(value):
        raise PkiError(f"{what} {value!r}: use {ID_RULE}")
    return value


def _openssl(*args: str) -> bytes:
    exe = shutil.which("openssl")
    if exe is None:
        raise PkiError("the openssl command is missing (Debian: apt-get install openssl)")
    try:
        done = subprocess.run([exe, *args], capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PkiError(f"openssl {args[0]} took longer than {_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise PkiError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write through a temporary file that has `mode` from its creation: a key is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)


def _certify(
    pki: Path, key: Path, cert: Path, subject: Sequence[tuple[str, str]], ext: Sequence[str]
) -> None:
    """A new EC P-256 key and its certificate: self-signed for the CA, else signed by the site CA."""
    _write(key, _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"), 0o600)
    ca = key == pki / "ca.key"
    lines = ["[req]", "prompt = no", "distinguished_name = dn", "x509_extensions = ext", "[dn]"]
    lines += [f"{k} = {v}" for k, v in subject] + ["[ext]", *ext, "subjectKeyIdentifier = hash"]
    lines += [] if ca else ["authorityKeyIdentifier = keyid"]
    signer = [] if ca else ["-CA", str(pki / "ca.crt"), "-CAkey", str(pki / "ca.key")]
    with tempfile.TemporaryDirectory() as tmp:
        cnf = Path(tmp) / "req.cnf"
        cnf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        args = ["-key", str(key), "-config", str(cnf), "-sha256", "-set_serial", "0x" + secrets.token_hex(16)]
        pem = _openssl("req", "-x509", "-new", *args, "-days", str(CA_DAYS if ca else LEAF_DAYS), *signer)
    _write(cert, pem, 0o644)


def _leaf_ext(purpose: str, *extra: str) -> list[str]:
    usage = ["keyUsage = critical,digitalSignature", f"extendedKeyUsage = {purpose}"]
    return ["basicConstraints = critical,CA:FALSE", *usage, *extra]


def _archive(pki: Path, items: Iterable[Path], label: str) -> None:
    """Move replaced or revoked certificates to DIR/archive/<time>-<label>/; their keys are deleted."""
    dest = pki / "archive" / f"{time.strftime('%Y%m%dT%H%M%S')}-{label}-{secrets.token_hex(2)}"
    dest.mkdir(parents=True)
    for item in items:
        for key in [item] if item.suffix == ".key" else item.rglob("*.key") if item.is_dir() else []:
            key.unlink()
        if item.exists():
            shutil.move(item, dest / item.name)


def ca_site(pki: Path) -> str:
    """The site a PKI directory's CA was made for (the OU of its subject)."""
    if not (pki / "ca.crt").exists():
        raise PkiError(f"{pki}: no site CA here (run `pvz-central pki init --dir {pki} --site SITE` first)")
    subject = _openssl("x509", "-in", str(pki / "ca.crt"), "-noout", "-subject", "-nameopt", "RFC2253")
    found = re.search(r"(?:=|,)OU=([a-z0-9-]+)", subject.decode().strip())
    if found is None:
        raise PkiError(f"{pki / 'ca.crt'}: no site (OU) in the CA's subject")
    return found.group(1)


def init(
    pki: Path,
    site: str,
    *,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    broker_path: str | Path = BROKER_PATH,
    force: bool = False,
) -> None:
    """A new site CA, an empty CRL, and DIR/broker/: the broker's certificate, config and ACL."""
    _check_name("site", site)
    if (pki / "ca.key").exists() or (pki / "ca.crt").exists():
        if not force:
            raise PkiError(f"{pki}: a CA is already there; --force archives it and all it signed")
        _archive(pki, [p for p in sorted(pki.iterdir()) if p.name != "archive"], "pki")
    # A CN holds 64 characters at most; the OU keeps the whole site id (up to 64, see ID_RULE).
    subject = [("O", "pvz"), ("OU", site), ("CN", f"pvz site CA {site}"[:MAX_CN])]
    _certify(pki, pki / "ca.key", pki / "ca.crt", subject, _CA_EXT)
    _write(pki / "broker" / "ca.crt", (pki / "ca.crt").read_bytes(), 0o644)
    _crl(pki)
    server(pki, hosts=hosts, force=True)
    write_acl(pki)
    _write(pki / "broker" / "mosquitto.conf", render_broker_conf(broker_path).encode(), 0o644)


def server(pki: Path, *, hosts: Sequence[str] = DEFAULT_HOSTS, force: bool = False) -> None:
    """The broker's certificate, valid for the DNS names and IP addresses in `hosts`."""
    site = ca_site(pki)
    if (pki / "broker" / "server.crt").exists() and not force:
        raise PkiError(f"{pki / 'broker' / 'server.crt'} exists; --force replaces it")
    if not hosts:
        raise PkiError("the broker's certificate needs at least one --host")
    names = []
    for host in hosts:
        try:
            names.append(f"IP:{ipaddress.ip_address(host)}")
        except ValueError:
            names.append(f"DNS:{host}")
    ext = _leaf_ext("serverAuth", f"subjectAltName = {','.join(names)}")
    out = pki / "broker"
    _certify(pki, out / "server.key", out / "server.crt", [("O", "pvz"), ("OU", site), ("CN", hosts[0])], ext)


def device(pki: Path, site: str | None, device_id: str, *, force: bool = False) -> Path:
    """A device's certificate (CN = device id, OU = site), its key and the CA, in DIR/devices/<id>/."""
    ca = ca_site(pki)
    if site is not None and site != ca:
        raise PkiError(f"{pki}: this CA is for site {ca!r}, not {site!r}")
    for prefix, what in ((HUB_PREFIX, "hubs"), (BRIDGE_PREFIX, "site bridges")):
        if _check_name("device", device_id).startswith(prefix):
            raise PkiError(f"device {device_id!r}: ids that start with {prefix!r} name {what}")
    return _client(pki, pki / "devices" / device_id, [("O", "pvz"), ("OU", ca), ("CN", device_id)], force)


def hub(pki: Path, name: str, *, force: bool = False) -> Path:
    """A central-system client's certificate (CN = hub-<name>), its key and the CA, in DIR/hubs/<name>/."""
    ca_site(pki)
    name = _check_name("hub", name.removeprefix(HUB_PREFIX))
    if len(HUB_PREFIX + name) > MAX_CN:
        raise PkiError(
            f"hub {name!r}: at most {MAX_CN - len(HUB_PREFIX)} characters (its certificate is {HUB_PREFIX}<name>)"
        )
    cn = HUB_PREFIX + name
    return _client(pki, pki / "hubs" / name, [("O", "pvz"), ("OU", "hubs"), ("CN", cn)], force)


def bridge(pki: Path, site: str | None = None, *, force: bool = False) -> Path:
    """The site broker's two bridge certificates, their keys and the CA, in DIR/bridges/<site>/:
    sync/ (CN bridge-<site>: the outbox up, acks, manifests and config down) and cmd/
    (CN bridge-<site>-cmd: commands down, replies up).

    Two identities because the bridge makes two connections (central/broker/site-bridge.conf.template)
    and the central broker names a client after its certificate; the ACL lets each carry its
    part of that site's topics only.
    """
    ca = ca_site(pki)
    if site is not None and site != ca:
        raise PkiError(f"{pki}: this CA is for site {ca!r}, not {site!r}")
    cn = BRIDGE_PREFIX + ca
    if len(cn + CMD_SUFFIX) > MAX_CN:
        raise PkiError(f"site {ca!r}: a bridge certificate ({cn}{CMD_SUFFIX}) holds {MAX_CN} characters")
    out = pki / "bridges" / ca
    if out.exists() and not force:
        raise PkiError(f"{out} exists; --force replaces it (the old certificates stay valid until revoked)")
    for part, name in (("sync", cn), ("cmd", cn + CMD_SUFFIX)):
        _client(pki, out / part, [("O", "pvz"), ("OU", ca), ("CN", name)], force)
    return out


def _client(pki: Path, out: Path, subject: list[tuple[str, str]], force: bool) -> Path:
    if out.exists():
        if not force:
            raise PkiError(
                f"{out} exists; --force replaces it (the old certificate stays valid until revoked)"
            )
        _archive(pki, [out], f"{out.parent.name}-{out.name}")
    _certify(pki, out / "client.key", out / "client.crt", subject, _leaf_ext("clientAuth"))
    shutil.copyfile(pki / "ca.crt", out / "ca.crt")
    write_acl(pki)
    return out


def _crl(pki: Path, revoke: Path | None = None) -> None:
    """DIR/broker/crl.pem from the revocation database DIR/ca-db/, after adding `revoke` to it."""
    db = pki / "ca-db"
    db.mkdir(exist_ok=True)
    (db / "index.txt").touch()
    if not (db / "crlnumber").exists():
        (db / "crlnumber").write_text("01\n", encoding="ascii")
    with tempfile.TemporaryDirectory() as tmp:
        cnf = Path(tmp) / "ca.cnf"
        cnf.write_text(
            f"[ca]\ndefault_ca = site\n[site]\ndatabase = {db / 'index.txt'}\ncrlnumber = {db / 'crlnumber'}\n"
            f"certificate = {pki / 'ca.crt'}\nprivate_key = {pki / 'ca.key'}\ndefault_md = sha256\n"
            f"default_crl_days = {CRL_DAYS}\nunique_subject = no\n",
            encoding="utf-8",
        )
        if revoke is not None:
            _openssl("ca", "-batch", "-config", str(cnf), "-revoke", str(revoke))
        crl = _openssl("ca", "-batch", "-config", str(cnf), "-gencrl")
    _write(pki / "broker" / "crl.pem", crl, 0o644)


def revoke(
    pki: Path, *, device_id: str | None = None, hub_name: str | None = None, bridge_site: str | None = None
) -> Path:
    """Put a device's, a hub's or a site bridge's certificates on the CRL, archive them and drop
    them from the ACL (a bridge: both, sync/ and cmd/)."""
    if sum(x is not None for x in (device_id, hub_name, bridge_site)) != 1:
        raise PkiError("pki revoke: give one of --device ID, --name HUB or --bridge")
    if device_id is not None:
        out, certs = pki / "devices" / device_id, [Path("client.crt")]
    elif hub_name is not None:
        out, certs = pki / "hubs" / hub_name, [Path("client.crt")]
    else:
        out, certs = (
            pki / "bridges" / str(bridge_site),
            [Path(part) / "client.crt" for part in ("sync", "cmd")],
        )
    for cert in certs:
        if not (out / cert).exists():
            raise PkiError(f"{out / cert}: no such certificate")
    for cert in certs:
        _crl(pki, revoke=out / cert)
    _archive(pki, [out], f"revoked-{out.parent.name}-{out.name}")
    write_acl(pki)
    return out


def render_template(name: str, values: dict[str, str], part: slice = slice(None)) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise PkiError(f"{name}: the placeholder ${{{m.group(1)}}} has no value")
        return values[m.group(1)]

    text = (resources.files("central") / "broker" / name).read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(one, "".join(re.split(r"^#@\w+\n", text, flags=re.MULTILINE)[part]))


def render_acl(site: str, devices: Iterable[str], hubs: Iterable[str], bridges: Iterable[str] = ()) -> str:
    """The ACL file: the template's header, then its exact block once per device, hub and site bridge."""
    parts = [render_template("acl.pattern", {}, slice(0, 1)).rstrip()]
    parts += [
        render_template("acl.pattern", {"site": site, "device": d}, slice(1, 2)).strip() for d in devices
    ]
    parts += [
        render_template("acl.pattern", {"site": site, "hub": HUB_PREFIX + h}, slice(2, 3)).strip()
        for h in hubs
    ]
    parts += [
        render_template("acl.pattern", {"site": b, "bridge": BRIDGE_PREFIX + b}, slice(3, 4)).strip()
        for b in bridges
    ]
    return "\n\n".join(parts) + "\n"


def write_acl(pki: Path) -> Path:
    """DIR/broker/acl for every device, hub and bridge certificate in the PKI directory."""
    names = {
        kind: sorted(p.parent.name for p in (pki / kind).glob("*/client.crt")) for kind in ("devices", "hubs")
    }
    names["bridges"] = sorted(p.parent.parent.name for p in (pki / "bridges").glob("*/sync/client.crt"))
    path = pki / "broker" / "acl"
    acl = render_acl(ca_site(pki), names["devices"], names["hubs"], names["bridges"])
    _write(path, acl.encode(), 0o644)
    return path


def render_broker_conf(
    broker_path: str | Path,
    *,
    listener: str = "8883",
    data: str = "/var/lib/mosquitto",
    log: str = "file /var/log/mosquitto/mosquitto.log",
) -> str:
    """mosquitto.conf of a broker that reads the files of DIR/broker/ from `broker_path`."""
    values = {"pki": str(broker_path), "listener": listener, "data": data.rstrip("/"), "log": log}
    return render_template("mosquitto.conf.template", values)
