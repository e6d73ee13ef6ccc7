"""An archive file: the rows one retention run moved out of the database (kiosk/retention.py).

One xz-compressed file of JSON lines: a header first (the format, the kiosk and database it came
from, the audit rows it holds and the anchors before and after), then one line per row, each
naming its table. The audit rows keep their hashes, so the chain can be walked through every
archive into the database (``kiosk audit verify --archives``). Delivered events are kept as the
outbox keeps them: their PIN, token and phone were scrubbed at delivery (and are left out here
whatever a row says), a sealed payload stays sealed; items keep no PIN hash.

An archive is read as a hostile file may be written (someone may swap it): bounded in size, every
line parsed, every problem an ``ArchiveDamaged`` naming the file.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import audit, files, sealed
from kiosk.errors import KioskError

FORMAT = "dossier-kiosk-archive/1"
SUFFIX = ".jsonl.xz"
TABLES = ("audit_log", "outbox", "journey", "item")
MAX_FILE_BYTES = 256 * 1024 * 1024  # compressed; a run moves at most tens of MB of rows
MAX_TEXT_BYTES = 1024 * 1024 * 1024  # decompressed: an xz bomb stops here
AUDIT_FIELDS = (*audit.COLUMNS.split(", "), "hash")


class ArchiveDamaged(KioskError):
    """An archive cannot be read, or does not hold what it says; the message names the file."""


@dataclass
class Contents:
    header: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})


def encode(header: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> bytes:
    lines = [json.dumps({"archive": header}, ensure_ascii=False, sort_keys=True)]
    for table in TABLES:
        lines += [
            json.dumps({"table": table, "row": _kept(table, row)}, ensure_ascii=False, sort_keys=True)
            for row in tables.get(table, [])
        ]
    return lzma.compress(("\n".join(lines) + "\n").encode(), preset=6)


def _kept(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """What of a row goes into an archive: never a clear secret, never a PIN hash."""
    if table == "item":
        return {k: v for k, v in row.items() if k != "pin_hash"}
    if table == "outbox":
        payload = json.loads(row["payload"])
        if isinstance(payload, dict) and sealed.has_clear_secrets(payload):
            payload = {k: v for k, v in payload.items() if k not in sealed.SECRET_FIELDS}
        return {**row, "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}
    return row


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(path: Path) -> tuple[Contents, str]:
    """The archive at ``path`` and the SHA-256 of its bytes."""
    try:
        data = files.read_regular(path, MAX_FILE_BYTES)
    except (OSError, files.FileModeError) as exc:
        raise ArchiveDamaged(f"{path} cannot be read: {getattr(exc, 'strerror', None) or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ArchiveDamaged(f"{path} is larger than {MAX_FILE_BYTES:,} bytes; no archive is")
    return decode(data, path), digest(data)


def decode(data: bytes, path: Path) -> Contents:
    try:
        inflater = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        text = inflater.decompress(data, max_length=MAX_TEXT_BYTES)
        if not inflater.eof or inflater.unused_data:
            raise ArchiveDamaged(f"{path} is cut short, too large, or has bytes after its end")
        lines = text.decode("utf-8").splitlines()
        first = json.loads(lines[0]) if lines else None
        if not isinstance(first, dict) or not isinstance(first.get("archive"), dict):
            raise ArchiveDamaged(f"{path} has no archive header")
        contents = Contents(first["archive"])
        if contents.header.get("format") != FORMAT:
            raise ArchiveDamaged(f"{path} is not a kiosk archive of format {FORMAT}")
        for number, line in enumerate(lines[1:], start=2):
            entry = json.loads(line)
            table = entry.get("table") if isinstance(entry, dict) else None
            if table not in contents.tables or not isinstance(entry.get("row"), dict):
                raise ArchiveDamaged(f"{path} line {number} is not a row of an archived table")
            contents.tables[table].append(entry["row"])
    except (lzma.LZMAError, UnicodeDecodeError, ValueError) as exc:
        raise ArchiveDamaged(f"{path} is damaged: {exc}") from exc
    return contents


@dataclass(frozen=True)
class Walked:
    """Where an archive's audit rows leave the chain, and what was wrong on the way."""

    last: audit.Anchor
    problems: list[str]


def walk_chain(contents: Contents, before: audit.Anchor, name: str) -> Walked:
    """The archive's audit rows, checked as ``audit.verify`` checks the database's: each follows
    the one before it, starting after ``before``, and each hash is its row's."""
    problems: list[str] = []
    expected, prev_hash = before.seq + 1, before.hash
    for row in contents.tables["audit_log"]:
        try:
            entry = audit.AuditEntry(*(row[key] for key in AUDIT_FIELDS[:-1]))
            seq, recorded = int(entry.seq), str(row["hash"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{name}: an audit row without its fields")
            continue
        if seq != expected:
            problems.append(f"{name}: rows {expected}–{seq - 1} are missing (it jumps from {expected - 1})")
        elif entry.prev_hash != prev_hash:
            problems.append(f"{name}: row {seq} does not follow row {seq - 1}: one of them was altered")
        if entry.digest() != recorded:
            problems.append(f"{name}: row {seq} ({entry.action}, {entry.at}) was edited after it was written")
        expected, prev_hash = seq + 1, recorded
    return Walked(audit.Anchor(expected - 1, prev_hash, name), problems)
