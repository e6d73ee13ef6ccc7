"""Whether this database carries the kiosk's whole history (DESIGN §5, §7).

A database is made with an identity (a UUID and the kiosk's id, ``kiosk_identity``), and a marker
file beside it (``kiosk-identity.json``) remembers which database this kiosk has been keeping. At
every open the two are compared:

- no marker: the first start (or the first since this check existed): the marker is written;
- the database was just made but the marker names another: the history was lost (kiosk.db deleted);
- the database names another identity than the marker: it was replaced (a copy, an old backup);
- the database belongs to another kiosk id than the config's: it is foreign;
- the database is the kiosk's own but ends before what the marker saw written (an old backup put
  back, a -wal file lost after a power cut), or its log differs there: it was replaced by an
  older or another copy. The marker keeps the audit log's head as the kiosk last saw it
  (``mark``: at every open, when a journey ends, and every minute while nobody is at the screen).

Each of those raises the ``history`` flag (kiosk/flags.py) with an alarm event: citizens are not
served and nothing is loaded until a technician has looked and confirms (``kiosk history
confirm``), which makes this database the kiosk's own. The sync raises the same flag when the
backend has accepted events this database never sent.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kiosk import audit, events, files, flags
from kiosk.store import Store

MARKER = "kiosk-identity.json"
MAX_MARKER_BYTES = 4096

PROBLEMS = {
    "lost": "the kiosk's database was deleted and made anew: what the compartments hold and the "
    "event numbering are no longer known",
    "replaced": "this database is not the one the kiosk was keeping (a copy or an old backup was "
    "put in its place)",
    "foreign": "this database belongs to another kiosk",
    "unverifiable": "the kiosk's identity marker cannot be read, so this database cannot be "
    "proven to be its own",
    "behind-backend": "the backend has accepted events that this database never sent",
}


@dataclass(frozen=True)
class Identity:
    db_uuid: str
    kiosk_id: str
    created_at: str
    audit_seq: int = 0  # the audit log's head when the marker was written: how far the kiosk got
    audit_hash: str = ""


def check(store: Store, *, fresh: bool, group_shared: bool = False) -> str | None:
    """Compare the database with the marker at open; returns the problem raised, if any."""
    identity = _identity(store)
    marker_path = store.path.parent / MARKER
    problem: str | None = None
    detail = ""
    if identity.kiosk_id != store.kiosk_id:
        problem, detail = "foreign", f"made by kiosk {identity.kiosk_id}, not {store.kiosk_id}"
    else:
        try:
            marker = _read_marker(marker_path)
        except ValueError as exc:
            problem, detail = "unverifiable", str(exc)
        else:
            if marker is None:
                write_marker(store, identity, group_shared=group_shared)
            elif marker.db_uuid != identity.db_uuid:
                problem = "lost" if fresh else "replaced"
                detail = (
                    f"the kiosk kept database {marker.db_uuid} (since {marker.created_at}); "
                    f"this is {identity.db_uuid}"
                )
            else:
                detail = _rolled_back(store, marker) or ""
                problem = "replaced" if detail else None
    if problem is not None:
        report(store, problem, detail)
    else:
        mark(store, group_shared=group_shared)
    return problem


def _rolled_back(store: Store, marker: Identity) -> str | None:
    """Whether this database, the kiosk's own, ends before the log the kiosk had seen, or has
    another row where the marker's head was."""
    if marker.audit_seq <= 0:
        return None
    head = store.db.execute("SELECT seq FROM audit_head WHERE id = 1").fetchone()[0]
    if head < marker.audit_seq:
        return (
            f"its audit log ends at row {head}, but the kiosk had written up to row {marker.audit_seq}"
            " (an older copy put back, or a write-ahead log lost)"
        )
    row = store.db.execute("SELECT hash FROM audit_log WHERE seq = ?", [marker.audit_seq]).fetchone()
    start = audit.anchor(store.db)
    if row is None and marker.audit_seq == start.seq:  # that row went to an archive: its hash stayed
        row = (start.hash,)
    if row is None or row[0] != marker.audit_hash:
        return f"its audit log differs from the kiosk's at row {marker.audit_seq}"
    return None


def mark(store: Store, *, group_shared: bool = False) -> None:
    """Write down how far this database's log has come, so a copy that ends earlier is told from it.
    Not while the history flag is up: the marker is the evidence until a technician confirms."""
    if flags.get(store, flags.HISTORY) is not None:
        return
    identity = _identity(store)
    seq, digest = store.db.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    write_marker(
        store, replace(identity, audit_seq=int(seq), audit_hash=str(digest)), group_shared=group_shared
    )


def report(store: Store, problem: str, detail: str) -> bool:
    """Raise the history flag (once) with its alarm event for the office."""
    words = PROBLEMS.get(problem, problem)
    with store.transaction():
        raised = flags.raise_flag(store, flags.HISTORY, problem, f"{words}; {detail}" if detail else words)
        if raised:
            events.emit(store, "alarm", actor="kiosk", problem=f"history {problem}: {words}")
    return raised


def confirm(store: Store, *, by: str, reason: str, group_shared: bool = False) -> flags.Flag | None:
    """A technician has looked at the machine and makes this database the kiosk's own: the marker
    names it from now on and the flag comes down (audited). Returns the flag that was up."""
    identity = _identity(store)
    if identity.kiosk_id != store.kiosk_id:
        raise ValueError(
            f"this database belongs to kiosk {identity.kiosk_id}; a database of another kiosk cannot "
            f"be made {store.kiosk_id}'s. Restore this kiosk's own database, or move this file away "
            "to start with an empty one"
        )
    with store.transaction():
        was = flags.lower_flag(store, flags.HISTORY, actor=by, reason=reason)
        store.audit(by, "history-confirmed", identity.db_uuid, reason=reason, was=was.value if was else None)
    mark(store, group_shared=group_shared)
    return was


def problem(store: Store) -> flags.Flag | None:
    return flags.get(store, flags.HISTORY)


def marked_seq(store: Store) -> int:
    """The audit row the marker names (0: none, or a marker that cannot be read): retention never
    moves a row the marker names, or any after it, out of the database."""
    try:
        marker = _read_marker(store.path.parent / MARKER)
    except ValueError:
        return 0
    return 0 if marker is None else marker.audit_seq


def write_marker(store: Store, identity: Identity, *, group_shared: bool) -> None:
    body = json.dumps(identity.__dict__, sort_keys=True).encode()
    files.replace_atomically(store.path.parent / MARKER, body, files.file_mode(group_shared))


def _identity(store: Store) -> Identity:
    with store.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO kiosk_identity (id, db_uuid, kiosk_id, created_at) VALUES (1, ?, ?, ?)",
            [str(uuid.uuid4()), store.kiosk_id, store.now()],
        )
        row = db.execute("SELECT db_uuid, kiosk_id, created_at FROM kiosk_identity WHERE id = 1").fetchone()
    return Identity(*row)


def _read_marker(path: Path) -> Identity | None:
    try:
        raw = files.read_regular(path, MAX_MARKER_BYTES)
    except FileNotFoundError:
        return None
    except (OSError, files.FileModeError) as exc:  # a FIFO put there must not hang every start
        raise ValueError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        data: Any = json.loads(raw)
        seq = data.get("audit_seq", 0)
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise TypeError("audit_seq")
        return Identity(
            str(data["db_uuid"]),
            str(data["kiosk_id"]),
            str(data["created_at"]),
            seq,
            str(data.get("audit_hash", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path} is damaged ({type(exc).__name__})") from None
