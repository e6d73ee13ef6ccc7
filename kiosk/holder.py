"""The holder's ID card (issue 14): a result marked ``requires_holder`` opens only for the person
whose chip ID card (CCCD) carries the applicant's ID number.

The backend never sends the ID number in clear: an assignment carries ``holder_hash``, an
HMAC-SHA256 over ``dossier code | ID number`` with a key the province shares with its kiosks
(``data_dir/holder-id.key``, 0600, at least 32 bytes, provisioned like the backend's secret). The
dossier code in the message makes one dossier's hash useless for another's. Nothing read from a
card is stored; only whether it matched.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from kiosk import files
from kiosk.errors import KioskError

KEY_FILE = "holder-id.key"
KEY_BYTES = 32


class HolderKeyError(KioskError):
    """The holder-ID key file cannot be used; the message says which file and what to do."""


def holder_hash(key: bytes, dossier_code: str, id_number: str) -> str:
    """What the backend sends for a dossier's applicant, and what the kiosk computes from a card."""
    message = f"{dossier_code}|{id_number}".encode("ascii", "strict")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same_holder(key: bytes, dossier_code: str, id_number: str, expected: str) -> bool:
    """In constant time, as every secret here is compared."""
    return hmac.compare_digest(holder_hash(key, dossier_code, id_number), expected.lower())


def holder_key(data_dir: Path) -> bytes | None:
    """The key, or None when this kiosk has none (no holder check can then pass: such results are
    sent to an officer). A key file others can read, or a short one, is refused."""
    path = data_dir / KEY_FILE
    try:
        key = files.read_private(path)
    except FileNotFoundError:
        return None
    except files.FileModeError as exc:
        raise HolderKeyError(str(exc)) from None
    if len(key) < KEY_BYTES:
        raise HolderKeyError(f"{path} holds {len(key)} bytes; a holder-ID key is at least {KEY_BYTES}")
    return key


def write_key(data_dir: Path, key: bytes) -> Path:
    """Provision the key (the technician's step, and the tests'), readable by its owner only."""
    if len(key) < KEY_BYTES:
        raise HolderKeyError(f"a holder-ID key is at least {KEY_BYTES} bytes, not {len(key)}")
    path = data_dir / KEY_FILE
    files.replace_atomically(path, key, 0o600)
    return path
