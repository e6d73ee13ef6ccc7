"""The append-only audit log: each row carries the hash of the row before (a tamper-evident chain).

Triggers refuse UPDATE and DELETE, so the program itself cannot rewrite history; ``verify`` finds
rows that were edited or deleted by someone who went around the triggers. Rows cut from the end
are found through ``audit_head``; a determined editor could rewrite that too, which is why the
sync sends the chain's hashes to the backend (an anchor outside the machine).

Old rows move to compressed archives (kiosk/retention.py): the log in the database then starts
after ``audit_anchor``, the last archived row's number and hash, and the chain is walked from
there; the archives carry the rows before it (``kiosk audit verify --archives``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from kiosk.migrations import GENESIS_HASH


@dataclass(frozen=True)
class AuditEntry:
    """One row of the log; its hash covers every field, the previous row's hash included."""

    seq: int
    at: str
    kiosk_id: str
    actor: str
    action: str
    subject: str | None
    detail: str
    prev_hash: str

    def fields(self) -> tuple[int, str, str, str, str, str | None, str, str]:
        """The fields in column order (``dataclasses.astuple`` deep-copies each: 11 µs a call, on
        the unlock path three times)."""
        return (self.seq, self.at, self.kiosk_id, self.actor, self.action, self.subject, self.detail,
                self.prev_hash)  # fmt: skip

    def digest(self) -> str:
        canonical = json.dumps(self.fields(), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


COLUMNS = "seq, at, kiosk_id, actor, action, subject, detail, prev_hash"


Head = tuple[int, str]  # the last row's sequence number and hash


def append(
    db: Database, *, at: str, kiosk_id: str, actor: str, action: str, subject: str | None, detail: str,
    head: Head | None = None,
) -> Head:  # fmt: skip
    """Add one row after the head; call inside a write transaction. ``head``: the chain's head as
    the caller last left it in this transaction (read from ``audit_head`` when None). Returns the
    new head."""
    head_seq, head_hash = head or db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    entry = AuditEntry(head_seq + 1, at, kiosk_id, actor, action, subject, detail, head_hash)
    digest = entry.digest()
    db.execute(
        f"INSERT INTO audit_log ({COLUMNS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*entry.fields(), digest],
    )
    return entry.seq, digest


@dataclass(frozen=True)
class Anchor:
    """Where the log in the database starts: the row before its first (0 and the genesis: none)."""

    seq: int
    hash: str
    archive: str = ""


def anchor(db: Database) -> Anchor:
    if "audit_anchor" not in db.table_names():  # a schema before retention (tests of migrations)
        return Anchor(0, GENESIS_HASH)
    seq, digest, archive = db.execute("SELECT seq, hash, archive FROM audit_anchor WHERE id = 1").fetchone()
    return Anchor(int(seq), str(digest), str(archive))


@dataclass
class AuditReport:
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    archived: int = 0  # rows before the database's first, in the archives

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Database) -> AuditReport:
    start = anchor(db)
    report = AuditReport(archived=start.seq)
    expected_seq, prev_hash = start.seq + 1, start.hash
    report.problems += _anchor_problems(db, start)
    rows = db.execute(f"SELECT {COLUMNS}, hash FROM audit_log WHERE seq > ? ORDER BY seq", [start.seq])
    for *fields, digest in rows:
        entry = AuditEntry(*fields)
        seq, row_prev = entry.seq, entry.prev_hash
        report.rows += 1
        if seq != expected_seq:
            gap = f"row {expected_seq}" if seq == expected_seq + 1 else f"rows {expected_seq}–{seq - 1}"
            report.problems.append(f"{gap} deleted (the log jumps from {expected_seq - 1} to {seq})")
        elif row_prev != prev_hash:
            was = f"row {seq - 1}" if seq - 1 > start.seq else f"the archived row {seq - 1} (the anchor)"
            report.problems.append(f"row {seq} does not follow {was}: one of them was altered")
        if entry.digest() != digest:
            report.problems.append(f"row {seq} ({entry.action}, {entry.at}) was edited after it was written")
        expected_seq, prev_hash = seq + 1, digest
    head_seq, head_hash = db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    last_seq = expected_seq - 1
    if head_seq > last_seq:
        report.problems.append(
            f"rows {last_seq + 1}–{head_seq} deleted from the end (the log was written up to "
            f"{head_seq} but ends at {last_seq})"
        )
    elif head_seq == last_seq and head_hash != prev_hash:
        report.problems.append(f"the last row ({last_seq}) does not match the recorded head")
    return report


def _anchor_problems(db: Database, start: Anchor) -> list[str]:
    """The anchor is where the last archive ends: one moved by hand, to hide the rows deleted
    before it, no longer is."""
    if start.seq == 0 or "archive" not in db.table_names():
        return []
    last = db.execute("SELECT name, audit_last, audit_hash FROM archive ORDER BY n DESC LIMIT 1").fetchone()
    if last is None or (last[1], last[2]) != (start.seq, start.hash):
        where = "no archive" if last is None else f"the last archive ({last[0]}) ends at row {last[1]}"
        return [f"the log starts after row {start.seq}, but {where}: rows were removed without an archive"]
    return []
