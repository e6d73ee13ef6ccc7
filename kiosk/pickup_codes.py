"""Pickup codes: a 6-digit PIN (stored only as a slow, keyed hash) and a QR token (HMAC-SHA256 with
the kiosk's own key over kiosk, dossier code, compartment, expiry and the loading it was issued
for). Both verify offline.

The token's shape is parsed by kiosk/codes.py; here it is made and checked. Comparisons are in
constant time. The kiosk key lives in ``data_dir/pickup-token.key`` (0600, at least 32 bytes),
made on first use; a key file that others can read, or that is too short, is refused.

PIN hashes are keyed with a pepper derived from that key, which is not in the database: a copied
database alone does not let anyone find a 6-digit PIN by trying all million.
"""

from __future__ import annotations

import base64
import ctypes
import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kiosk import files
from kiosk.codes import PICKUP_PREFIX, PickupToken
from kiosk.errors import KioskError
from kiosk.store import Store

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_SCRYPT_N = 2**20  # a stored hash is data too: one that asks for more is refused, not run
MAC_BYTES = 16  # 128 bits: 22 characters of base64url, enough against forgery, short for the QR
KEY_FILE = "pickup-token.key"
KEY_BYTES = 32
PEPPER_LABEL = b"dossier-kiosk/pin-hash/v1"
FINGERPRINT_LABEL = b"dossier-kiosk/key-fingerprint/v1"


class KeyFileError(KioskError):
    """The kiosk's key file cannot be used; the message says which file and what to do."""


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_loading() -> str:
    """A loading's name in its token: 12 characters of base64url (72 random bits)."""
    return secrets.token_urlsafe(9)


def pepper_of(key: bytes) -> bytes:
    return hmac.new(key, PEPPER_LABEL, hashlib.sha256).digest()


def hash_secret(secret: str, pepper: bytes, *, salt: bytes | None = None) -> str:
    """scrypt over HMAC(pepper, secret), self-describing: ``kscrypt$n$r$p$salt$hash``."""
    salt = salt or secrets.token_bytes(16)
    digest = scrypt(_keyed(secret, pepper), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["kscrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def check_secret(secret: str, stored: str, pepper: bytes) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from. Total: a malformed or absurd stored
    hash is simply not a match. ``scrypt$…`` hashes (unkeyed, written before peppering) still
    verify, so results loaded before the upgrade can be picked up."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        cost = [int(x) for x in (n, r, p) if x.isascii() and x.isdigit()]
        if len(cost) != 3 or not (1 < cost[0] <= MAX_SCRYPT_N and 0 < cost[1] <= 32 and 0 < cost[2] <= 16):
            return False
        material = {"kscrypt": _keyed(secret, pepper), "scrypt": secret.encode()}.get(scheme)
        if material is None:
            return False
        again = scrypt(material, _unb64(salt), *cost)
        return hmac.compare_digest(again, _unb64(digest))
    except (ValueError, UnicodeError, MemoryError):
        return False


def is_legacy_hash(stored: str) -> bool:
    return stored.startswith("scrypt$")


def kiosk_key(store: Store) -> bytes:
    """The key this database's PINs and tokens were made with. Made on first use only: the
    database keeps its fingerprint, so a key that is missing (deleted) or another (swapped) is
    refused rather than made anew over codes that would then never verify."""
    path = store.path.parent / KEY_FILE
    row = store.db.execute("SELECT key_fingerprint FROM kiosk_identity WHERE id = 1").fetchone()
    recorded = row[0] if row else None
    if recorded is not None and not os.path.lexists(path):
        raise KeyFileError(
            f"the kiosk key {path} is missing, but this database's pickup codes and staff PINs were "
            f"made with it. Restore it from the kiosk's backup; if it is lost for good, a technician "
            f"runs: kiosk key replace --reason '…' (held results then go to an officer to be loaded "
            f"again, and staff are enrolled again)"
        )
    key = load_key(store.path.parent)
    mark = fingerprint(key)
    if recorded is None:
        with store.transaction() as db:
            db.execute("UPDATE kiosk_identity SET key_fingerprint = ? WHERE id = 1", [mark])
    elif mark != recorded:
        raise KeyFileError(
            f"the kiosk key {path} is not the key this database's pickup codes and staff PINs were "
            f"made with. Put the kiosk's own key back; if it is lost for good, a technician runs: "
            f"kiosk key replace --reason '…'"
        )
    return key


def fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:32]


def load_key(data_dir: Path) -> bytes:
    """The key file's key, made when there is none (``kiosk_key`` decides whether one may be
    made). Refused when others can read it, it is not a plain file, or it is too short."""
    path = data_dir / KEY_FILE
    if not os.path.lexists(path):
        files.create_exclusive(path, secrets.token_bytes(KEY_BYTES))
    try:
        key = files.read_private(path)
    except files.FileModeError as exc:
        raise KeyFileError(str(exc)) from None
    except OSError as exc:
        raise KeyFileError(f"cannot read the kiosk key {path}: {exc.strerror or exc}") from exc
    if len(key) < KEY_BYTES:
        raise KeyFileError(
            f"the kiosk key {path} holds {len(key)} bytes; a key must be at least {KEY_BYTES} random "
            f"bytes. Restore it from the kiosk's backup; if this kiosk has never issued a pickup "
            f"code, delete the file and a new key is made at the next start"
        )
    return key


def make_token(
    key: bytes, kiosk_id: str, dossier_code: str, compartment: str, expires: int, loading: str
) -> str:
    signed = f"{PICKUP_PREFIX}{kiosk_id}|{dossier_code}|{compartment}|{expires}|{loading}"
    return f"{signed}|{_mac(key, signed)}"


def token_is_genuine(key: bytes, token: PickupToken) -> bool:
    return hmac.compare_digest(_mac(key, token.signed_part), token.mac)


def _keyed(secret: str, pepper: bytes) -> bytes:
    return hmac.new(pepper, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def scrypt(material: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    """Every scrypt of the kiosk's (PINs, holder IDs): its 16 MiB given back after each hash."""
    _working_memory_given_back()
    return hashlib.scrypt(material, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
OWN_MAPPING_FROM = 1 << 20  # blocks this large (scrypt's 16 MiB) are mapped apart and unmapped when freed


@functools.cache
def _working_memory_given_back() -> None:
    """scrypt works in 128·r·n bytes (16 MiB here). glibc raises its mmap threshold to the size of
    the first large block freed, so from the second hash on those 16 MiB come from the heap of the
    thread hashing (the touch screen's core thread) and stay resident there after every hash is
    done: 16 MiB of the process's memory for nothing. A fixed threshold (which turns the raising
    off) keeps such blocks in mappings of their own, returned to the system when freed. Not glibc
    (no mallopt): nothing to do."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, OWN_MAPPING_FROM)


def _mac(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest()[:MAC_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
