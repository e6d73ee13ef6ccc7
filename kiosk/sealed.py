"""The secrets an event carries to the backend (a pickup PIN and QR token for the SMS, a phone) are
sealed in the outbox: a copied ``kiosk.db`` alone gives up no PIN that still opens a compartment
(DESIGN §5: PINs are kept hashed), whether the event waits for the network or sits in the dead
letters for the office.

Sealed boxes (libsodium, via PyNaCl): the touch screen's process seals with the sync service's
public key and cannot open what it sealed; only the sync, which sends the event, holds the private
key. The keys live beside the database: ``outbox-seal.key`` (the sync's own, 0600) and
``outbox-seal.pub`` (public; the group's to read where two services share ``data_dir``). The sync
makes them at its first start and seals what was written in clear before.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from kiosk import files
from kiosk.errors import KioskError

log = logging.getLogger("kiosk.sealed")
SECRET_FIELDS = frozenset({"pin", "token", "phone"})
SEALED = "sealed"  # the payload key holding the sealed fields
PUBLIC, PRIVATE = "outbox-seal.pub", "outbox-seal.key"
KEY_BYTES = 32


class SealError(KioskError):
    """A sealed payload that cannot be opened here (no key, another key, damaged)."""


def seal(data_dir: Path, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its secret fields sealed to the sync's key; as it is when there is no
    key yet (the sync seals it at its next start) or nothing secret in it."""
    secret = {k: v for k, v in payload.items() if k in SECRET_FIELDS and v is not None}
    if not secret:
        return payload
    public = _public_key(data_dir / PUBLIC)
    if public is None:
        return payload
    box = SealedBox(public).encrypt(json.dumps(secret, ensure_ascii=False, sort_keys=True).encode())
    rest = {k: v for k, v in payload.items() if k not in SECRET_FIELDS}
    return {**rest, SEALED: base64.b64encode(box).decode()}


def is_sealed(payload: dict[str, Any]) -> bool:
    return SEALED in payload


def has_clear_secrets(payload: dict[str, Any]) -> bool:
    return any(payload.get(k) is not None for k in SECRET_FIELDS)


class Opener:
    """The sync service's side: opens what the touch screen sealed."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._private = PrivateKey(_read_key(data_dir / PRIVATE, private=True))

    def open(self, payload: dict[str, Any]) -> dict[str, Any]:
        if not is_sealed(payload):
            return payload
        try:
            secret = json.loads(SealedBox(self._private).decrypt(base64.b64decode(payload[SEALED])))
        except (CryptoError, ValueError, TypeError) as exc:
            raise SealError(f"a sealed event cannot be opened with {self.data_dir / PRIVATE}: {exc}") from exc
        if not isinstance(secret, dict):
            raise SealError("a sealed event holds no fields")
        rest = {k: v for k, v in payload.items() if k != SEALED}
        return {**rest, **secret}

    def seal(self, payload: dict[str, Any]) -> dict[str, Any]:
        return seal(self.data_dir, payload)


def ensure_keys(data_dir: Path, *, group_shared: bool) -> Opener:
    """The sync's keys, made at its first start (the public one readable by the kiosk group)."""
    private_path, public_path = data_dir / PRIVATE, data_dir / PUBLIC
    if not private_path.exists():
        key = PrivateKey.generate()
        files.create_exclusive(private_path, bytes(key))
        files.replace_atomically(public_path, bytes(key.public_key), files.file_mode(group_shared))
    opener = Opener(data_dir)
    mine = bytes(opener._private.public_key)
    try:
        published = _read_key(public_path, private=False)
    except (OSError, SealError):  # lost, or damaged
        published = b""
    if published != mine:  # a public key lost, or put there by another
        files.replace_atomically(public_path, mine, files.file_mode(group_shared))
    return opener


def reseal(store_db: Any, opener: Opener) -> int:
    """Seal what was written in clear before the keys existed: events waiting to go, and dead
    letters. Returns how many rows were sealed."""
    sealed_rows = 0
    for table, key, column in (("outbox", "seq", "payload"), ("dead_letter", "seq", "payload")):
        rows = store_db.execute(
            f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
            + (" AND delivered_at IS NULL" if table == "outbox" else "")
        ).fetchall()
        for seq, raw in rows:
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            inner = value.get("payload") if table == "dead_letter" and isinstance(value, dict) else value
            if not isinstance(inner, dict) or not has_clear_secrets(inner):
                continue
            closed = opener.seal(inner)
            value = {**value, "payload": closed} if table == "dead_letter" else closed
            store_db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                             [json.dumps(value, ensure_ascii=False, sort_keys=True), seq])  # fmt: skip
            sealed_rows += 1
    return sealed_rows


_KNOWN: dict[Path, tuple[tuple[int, int], PublicKey]] = {}


def _public_key(path: Path) -> PublicKey | None:
    """The sync's public key, read again only when the file changed (it is made by the sync,
    perhaps after this process started)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    version = (st.st_ino, st.st_mtime_ns)
    known = _KNOWN.get(path)
    if known is not None and known[0] == version:
        return known[1]
    try:
        key = PublicKey(_read_key(path, private=False))
    except (SealError, OSError) as exc:  # sealing is refused, not the event: it goes in clear
        log.error("the outbox's public key cannot be used (%s); events are kept unsealed", exc)
        return None
    _KNOWN[path] = (version, key)
    return key


def _read_key(path: Path, *, private: bool) -> bytes:
    try:
        raw = files.read_regular(path, KEY_BYTES, private=private)
    except files.FileModeError as exc:
        raise SealError(str(exc)) from exc
    if len(raw) != KEY_BYTES:
        raise SealError(f"{path} holds {len(raw)} bytes, not a key of {KEY_BYTES}")
    return raw
