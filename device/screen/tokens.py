"""Station tokens of the local screen: made, checked, revoked; only their hashes are stored.

A token lets a tablet on the network see one station's screen. The store keeps its SHA-256
and never the token, so a backup or a copied store file opens no screen; the token itself
exists only on the printed pairing slip (whose print job is blanked once it printed, see
device/store/print_queue.py) and in the tablet's cookie. Pairing and revoking are journalled
(without the token) so the hub sees who could watch which station.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from device.store.clock import instant, utc_text
from device.store.journal import Stamp, append

# last_used_at is for the technician ("is that tablet still alive?"), not an audit trail: one
# write a minute per token at most, so an open page polling the server does not write all day.
LAST_USED_EVERY = timedelta(minutes=1)
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits


@dataclass(frozen=True, slots=True)
class TokenRow:
    """One token as `pvz screen tokens` lists it; times are UTC text as stored."""

    id: int
    station: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(conn: sqlite3.Connection, station: str, label: str, now: datetime) -> tuple[int, str]:
    """A fresh token for `station` inside the caller's transaction: (its id, the token itself).

    The token is returned once, to be printed; the store keeps only its hash.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    cur = conn.execute(
        "INSERT INTO screen_tokens (station, label, token_hash, created_at) VALUES (?, ?, ?, ?)",
        (station, label, token_hash(token), utc_text(now)),
    )
    assert cur.lastrowid is not None
    token_id = cur.lastrowid
    data = {"station": station, "label": label, "token": token_id}
    append(conn, _stamp(conn, now, station), "screen_paired", data=data)
    return token_id, token


def station_for(conn: sqlite3.Connection, token: str, *, now: datetime | None = None) -> str | None:
    """The station a token shows, or None for a token that is unknown or revoked.

    The token is looked up by its hash, so how long the lookup takes says nothing about the
    token; the hash found is compared in constant time all the same. Marks the token used,
    at most once every LAST_USED_EVERY.
    """
    if not token:
        return None
    wanted = token_hash(token)
    row = conn.execute(
        "SELECT id, station, token_hash, revoked_at, last_used_at FROM screen_tokens WHERE token_hash = ?",
        (wanted,),
    ).fetchone()
    if row is None or not hmac.compare_digest(str(row[2]), wanted) or row[3] is not None:
        return None
    moment = now or datetime.now(UTC)
    last = row[4]
    if last is None or moment - instant(str(last)) >= LAST_USED_EVERY:
        conn.execute("UPDATE screen_tokens SET last_used_at = ? WHERE id = ?", (utc_text(moment), row[0]))
    return str(row[1])


def revoke(conn: sqlite3.Connection, token_id: int, now: datetime) -> bool:
    """Revoke a token inside the caller's transaction; False when there is no such active token."""
    row = conn.execute(
        "SELECT station, label FROM screen_tokens WHERE id = ? AND revoked_at IS NULL", (token_id,)
    ).fetchone()
    if row is None:
        return False
    conn.execute("UPDATE screen_tokens SET revoked_at = ? WHERE id = ?", (utc_text(now), token_id))
    data = {"station": row[0], "label": row[1], "token": token_id}
    append(conn, _stamp(conn, now, str(row[0])), "screen_revoked", data=data)
    return True


def tokens(conn: sqlite3.Connection) -> list[TokenRow]:
    """Every token ever made, oldest first, revoked ones included."""
    rows = conn.execute(
        "SELECT id, station, label, created_at, last_used_at, revoked_at FROM screen_tokens ORDER BY id"
    ).fetchall()
    return [TokenRow(*(tuple(r))) for r in rows]


def _stamp(conn: sqlite3.Connection, now: datetime, station: str) -> Stamp:
    """Who and when for the journal: the store's own device id (set by the daemon's first start;
    "unknown" before it, which that start rewrites, as for a manifest imported by hand)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    device_id = "unknown" if row is None else str(row[0])
    return Stamp(device_id, now.isoformat(timespec="seconds"), station)
