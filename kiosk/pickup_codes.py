"""Pickup codes: a 6-digit PIN (stored only as a slow hash) and a QR token (HMAC-SHA256 with the
kiosk's own key over dossier code, compartment and expiry). Both verify offline.

The token's shape is parsed by kiosk/codes.py; here it is made and checked. Comparisons are in
constant time. The kiosk key lives in ``data_dir/pickup-token.key`` (0600), made on first use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kiosk.codes import PICKUP_PREFIX, PickupToken

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAC_BYTES = 16  # 128 bits: 22 characters of base64url, enough against forgery, short for the QR
KEY_FILE = "pickup-token.key"


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """scrypt, in a self-describing string: ``scrypt$n$r$p$salt$hash``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def check_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    again = hashlib.scrypt(secret.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(again, _unb64(digest))


def load_key(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        return key


def make_token(key: bytes, kiosk_id: str, dossier_code: str, compartment: str, expires: int) -> str:
    signed = f"{PICKUP_PREFIX}{kiosk_id}|{dossier_code}|{compartment}|{expires}"
    return f"{signed}|{_mac(key, signed)}"


def token_is_genuine(key: bytes, token: PickupToken) -> bool:
    return hmac.compare_digest(_mac(key, token.signed_part), token.mac)


def _mac(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest()[:MAC_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
