"""The holder's ID card (issue 14): a result marked ``requires_holder`` opens only for the person
whose chip ID card (CCCD) carries the applicant's ID number.

The backend never sends the ID number in clear: an assignment carries ``holder_hash``, a scrypt of
the ID number salted with an HMAC-SHA256 of the dossier code under a key the province shares with
its kiosks (``data_dir/holder-id.key``, 0600, at least 32 bytes, installed with ``kiosk holder-key
install``). The dossier code in the salt makes one dossier's hash useless for another's; scrypt
makes trying ID numbers slow even for whoever holds the key. Nothing read from a card is stored;
only whether it matched.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from kiosk import files
from kiosk.errors import KioskError
from kiosk.pickup_codes import SCRYPT_N, SCRYPT_P, SCRYPT_R, scrypt

KEY_FILE = "holder-id.key"
KEY_BYTES = 32


class HolderKeyError(KioskError):
    """The holder-ID key file cannot be used; the message says which file and what to do."""


# scrypt at the PINs' cost (kiosk/pickup_codes.py): about 50 ms a card here, and so about 14 hours
# of one core for the 10^6 ID numbers left once a province, a sex and a birth year are known, for
# whoever holds both the key and an assignment; an HMAC alone would take a second
SALT_LABEL = b"dossier-kiosk/holder-id/v1"


def holder_hash(key: bytes, dossier_code: str, id_number: str) -> str:
    """What the backend sends for a dossier's applicant, and what the kiosk computes from a card:
    scrypt over the ID number, salted with an HMAC of the dossier code under the shared key (so it
    is keyed, and one dossier's hash says nothing of another's)."""
    salt = hmac.new(key, SALT_LABEL + b"|" + dossier_code.encode("ascii", "strict"), hashlib.sha256).digest()
    return scrypt(id_number.encode("ascii", "strict"), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).hex()


def same_holder(key: bytes, dossier_code: str, id_number: str, expected: str) -> bool:
    """In constant time, as every secret here is compared."""
    return hmac.compare_digest(holder_hash(key, dossier_code, id_number), expected)


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
    except OSError as exc:  # e.g. installed by root: the kiosk's user cannot open it
        raise HolderKeyError(f"cannot read the holder-ID key {path}: {exc.strerror or exc}") from exc
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
