"""Retention: rows older than ``[retention] archive_after_days`` leave the database for an archive
(kiosk/archive.py), so the database stays the size of its last few months however long the kiosk
runs, and ``kiosk audit verify`` still proves the chain.

One run (``kiosk maintain``, daily):
1. chooses what may go: audit rows from the oldest up to the last one older than the age (a
   prefix: the chain in the database then starts after it); delivered events older than the age;
   journeys ended before it and items gone before it. Never an event not yet delivered, nor one
   the backend rejected (a dead letter), nor the last one it accepted (the sync checks its
   numbering against that one at every start), nor an event about a dossier still in the machine
   (its reminders are counted from them); never a row of a journey still open, nor the row the
   history marker names or any after it (kiosk/history.py), nor the newest row.
2. writes them to an archive file, atomically (written aside, fsynced, renamed, the folder
   fsynced), 0600 (0660 with ``group_shared``), and reads it back from the disk: every row there,
   the audit rows chained from the old anchor to the new one;
3. prunes exactly those rows in one transaction that also moves the anchor (``audit_anchor``: the
   last archived row's number and hash), records the archive with its SHA-256, and journals the
   run in the audit log. A run killed anywhere leaves the database whole: a file written but not
   recorded is removed by the next run (its rows are all still in the database).

Wrong PINs and look-up answers older than the age are deleted without an archive: they are
counters and a cache, and the audit log keeps the wrong tries.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import archive, audit, files, flags, history
from kiosk.archive import SUFFIX, ArchiveDamaged
from kiosk.clock import stamp
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.migrations import ACTIVE_ITEM, GENESIS_HASH
from kiosk.store import Store

log = logging.getLogger("kiosk.retention")
MAX_AUDIT_ROWS = 50_000  # a run's share, so that a first run on years of rows stays bounded in memory
MAX_ROWS = 20_000  # of each other table
CHUNK = 500  # ids in one DELETE … IN (…)
LOCK = "maintain.lock"
UNRECORDED = "unrecorded"  # archives no run of this database recorded, kept for a person to look at
FORGOTTEN = {  # table: the column its age is read from
    "pin_failure": "at",
    "staff_failure": "at",
    "dossier_status": "fetched_at",
}


class RetentionError(KioskError):
    """A run that could not archive or prune; nothing was pruned. The message says why."""


@dataclass
class Selection:
    cutoff: str
    before: audit.Anchor  # the anchor now
    through: audit.Anchor  # where it moves (the same when no audit row goes)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.tables.values())

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.tables.items()}


@dataclass
class Outcome:
    archive: str | None = None
    moved: dict[str, int] = field(default_factory=dict)
    forgotten: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None  # why nothing was done
    orphans: list[str] = field(default_factory=list)


@contextlib.contextmanager
def maintenance_lock(cfg: KioskConfig) -> Iterator[None]:
    """One maintenance run at a time (a technician's by hand and the timer's); released by the
    kernel however the process ends."""
    fd = os.open(
        cfg.data_dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, files.file_mode(cfg.kiosk.group_shared)
    )
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetentionError(
                "another kiosk maintain is running; try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def run(store: Store, cfg: KioskConfig) -> Outcome:
    """Archive and prune what is older than the age (call under ``maintenance_lock``)."""
    outcome = Outcome()
    up = flags.get(store, flags.HISTORY)
    if up is not None:  # the evidence stays as it is until a technician has looked
        outcome.skipped = f"the history flag is up ({up.value}): nothing is archived until it is confirmed"
        return outcome
    outcome.orphans = [p.name for p in set_orphans_aside(store, cfg)]
    # the marker names the head now, so that no row it names goes (kiosk/history.py)
    history.mark(store, group_shared=cfg.kiosk.group_shared)
    now = store.clock()
    selection = select(store, cfg, now)
    written = None if selection.empty else _write(store, cfg, selection, now)
    try:
        outcome.forgotten = _prune(store, selection, written)
    except BaseException:
        if written is not None:  # its rows are all still in the database
            (cfg.archive_dir / written.name).unlink(missing_ok=True)
        raise
    outcome.moved = selection.counts()
    if written is not None:
        outcome.archive = written.name
        log.info("archived %s: %s", written.name, ", ".join(f"{n} {t}" for t, n in outcome.moved.items()))
    return outcome


def select(store: Store, cfg: KioskConfig, now: datetime) -> Selection:
    db = store.db
    cutoff = stamp(now - timedelta(days=cfg.retention.archive_after_days))
    before = audit.anchor(db)
    through = _audit_through(db, cutoff, before, history.marked_seq(store))
    selection = Selection(cutoff, before, through)
    columns = ", ".join(archive.AUDIT_FIELDS)
    selection.tables["audit_log"] = _rows(
        db,
        f"SELECT {columns} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq",
        [before.seq, through.seq],
    )
    selection.tables["outbox"] = _rows(db, EVENTS_SQL, [cutoff, MAX_ROWS])
    journeys = _rows(db, JOURNEYS_SQL, [cutoff, MAX_ROWS])
    selection.tables["journey"] = journeys
    going = {j["id"] for j in journeys}
    # an item stays while a journey row that stays names it (journey.item references it)
    rows = db.execute("SELECT id, item FROM journey WHERE item IS NOT NULL")
    named = {item for journey, item in rows if journey not in going}
    # and while a payment names it: the money's record (payment, cash_credit) is not archived yet
    named |= {row[0] for row in db.execute("SELECT DISTINCT item FROM payment")}
    selection.tables["item"] = [i for i in _rows(db, ITEMS_SQL, [cutoff, MAX_ROWS]) if i["id"] not in named]
    return selection


EVENTS_SQL = f"""SELECT * FROM outbox o
    WHERE delivered_at IS NOT NULL AND at < ?
      AND seq < (SELECT COALESCE(MAX(seq), 0) FROM outbox WHERE outcome IN ('accepted', 'duplicate'))
      AND NOT EXISTS (SELECT 1 FROM dead_letter d WHERE d.seq = o.seq)
      AND (dossier_code IS NULL OR NOT EXISTS (
           SELECT 1 FROM item i WHERE i.dossier_code = o.dossier_code AND i.state IN {ACTIVE_ITEM}))
    ORDER BY seq LIMIT ?"""
JOURNEYS_SQL = f"""SELECT * FROM journey j
    WHERE ended_at IS NOT NULL AND ended_at < ?
      AND (item IS NULL OR NOT EXISTS (SELECT 1 FROM item i WHERE i.id = j.item AND i.state IN {ACTIVE_ITEM}))
    ORDER BY started_at LIMIT ?"""
ITEMS_SQL = "SELECT * FROM item WHERE state = 'gone' AND updated_at < ? ORDER BY id LIMIT ?"


def _audit_through(db: Database, cutoff: str, before: audit.Anchor, marked: int) -> audit.Anchor:
    """The last audit row that may go: older than the age, as are all before it; before every
    row of a journey still open; not the newest; not past the history marker's."""
    head = db.execute("SELECT seq FROM audit_head WHERE id = 1").fetchone()[0]
    young = db.execute(
        "SELECT seq FROM audit_log WHERE seq > ? AND at >= ? ORDER BY seq LIMIT 1", [before.seq, cutoff]
    ).fetchone()
    last = min(young[0] - 1 if young else head, head - 1, before.seq + MAX_AUDIT_ROWS)
    open_journey = db.execute(
        "SELECT MIN(seq) FROM audit_log WHERE seq > ? AND subject IN"
        " (SELECT id FROM journey WHERE ended_at IS NULL)",
        [before.seq],
    ).fetchone()[0]
    if open_journey is not None:
        last = min(last, open_journey - 1)
    if marked > 0:
        last = min(last, marked)
    if last <= before.seq:
        return before
    digest = db.execute("SELECT hash FROM audit_log WHERE seq = ?", [last]).fetchone()[0]
    return audit.Anchor(last, digest)


def _rows(db: Database, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


# -- the archive file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    n: int
    name: str
    size: int
    sha256: str


def _write(store: Store, cfg: KioskConfig, selection: Selection, now: datetime) -> Written:
    """The archive written and read back from the disk."""
    files.secure_dir(cfg.archive_dir, cfg.kiosk.group_shared)
    n = store.db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM archive").fetchone()[0]
    # a random part: a name is never that of a file already there (one an older copy of this
    # database, put back, does not know of)
    name = f"{store.kiosk_id}-{n:05d}-{now:%Y%m%d}-{secrets.token_hex(3)}{SUFFIX}"
    identity = store.db.execute("SELECT db_uuid FROM kiosk_identity WHERE id = 1").fetchone()
    header = {
        "format": archive.FORMAT, "kiosk_id": store.kiosk_id, "db_uuid": identity[0] if identity else None,
        "n": n, "made_at": stamp(now), "cutoff": selection.cutoff, "counts": selection.counts(),
        "audit_after": [selection.before.seq, selection.before.hash],
        "audit_through": [selection.through.seq, selection.through.hash],
    }  # fmt: skip
    data = archive.encode(header, selection.tables)
    path = cfg.archive_dir / name
    files.replace_atomically(path, data, files.file_mode(cfg.kiosk.group_shared))
    written = Written(n, name, len(data), archive.digest(data))
    try:
        _read_back(path, written.sha256, selection)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return written


def _read_back(path: Path, written: str, selection: Selection) -> None:
    """What is on the disk now is what was meant: the bytes, every row, the chain."""
    try:
        contents, on_disk = archive.read(path)
    except ArchiveDamaged as exc:
        raise RetentionError(f"the archive just written does not read back: {exc}") from exc
    problems = [] if on_disk == written else [f"{path.name}: the bytes on the disk are not those written"]
    walked = archive.walk_chain(contents, selection.before, path.name)
    problems += walked.problems
    if (walked.last.seq, walked.last.hash) != (selection.through.seq, selection.through.hash):
        problems.append(f"{path.name}: its audit rows do not end at row {selection.through.seq}")
    for table, rows in selection.tables.items():
        if len(contents.tables[table]) != len(rows):
            problems.append(
                f"{path.name}: {len(contents.tables[table])} {table} rows read back of {len(rows)}"
            )
    if problems:
        raise RetentionError("the archive just written does not read back: " + "; ".join(problems))


def set_orphans_aside(store: Store, cfg: KioskConfig) -> list[Path]:
    """Archive files this database has no record of go to ``archive/unrecorded/``, never deleted:
    most are a run's killed before its prune committed (every row in them is still here), but one
    may hold rows of a history this database has lost (an older copy put back). Half-written
    files are deleted."""
    if not cfg.archive_dir.is_dir():
        return []
    known = {row[0] for row in store.db.execute("SELECT name FROM archive")}
    aside = cfg.archive_dir / UNRECORDED
    moved = []
    for path in sorted(cfg.archive_dir.iterdir()):
        if path.name.startswith(".") and path.name.endswith(".new"):
            path.unlink(missing_ok=True)
        elif path.is_file() and path.name.endswith(SUFFIX) and path.name not in known:
            files.secure_dir(aside, cfg.kiosk.group_shared)
            os.replace(path, aside / path.name)
            moved.append(path)
    return moved


# -- the prune -------------------------------------------------------------------------------------


def _prune(store: Store, selection: Selection, written: Written | None) -> dict[str, int]:
    """Exactly the archived rows out, the anchor moved, the archive recorded, in one transaction;
    and what is forgotten without an archive. Returns the forgotten rows by table."""
    forgotten: dict[str, int] = {}
    with store.transaction() as db:
        if audit.anchor(db) != selection.before:
            raise RetentionError("the audit anchor moved during the run (another run?); nothing pruned")
        through = selection.through
        if through.seq > selection.before.seq:
            db.execute(
                "UPDATE audit_anchor SET seq = ?, hash = ?, at = ?, archive = ? WHERE id = 1",
                [through.seq, through.hash, store.now(), written.name if written else ""],
            )
            span = [selection.before.seq, through.seq]
            _delete(
                db,
                "DELETE FROM audit_log WHERE seq > ? AND seq <= ?",
                span,
                len(selection.tables["audit_log"]),
            )
        _delete_each(db, "outbox", "seq", selection.tables["outbox"],
                     "delivered_at IS NOT NULL AND seq NOT IN (SELECT seq FROM dead_letter)")  # fmt: skip
        _delete_each(db, "journey", "id", selection.tables["journey"], "ended_at IS NOT NULL")
        _delete_each(db, "item", "id", selection.tables["item"], "state = 'gone'")
        for table, column in FORGOTTEN.items():
            forgotten[table] = db.execute(
                f"DELETE FROM {table} WHERE {column} < ?", [selection.cutoff]
            ).rowcount
        if written is not None:
            counts = selection.counts()
            db.execute(
                "INSERT INTO archive VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [written.n, written.name, store.now(), selection.before.seq + 1, through.seq, through.hash,
                 counts["outbox"], sum(counts.values()), written.size, written.sha256],
            )  # fmt: skip
            store.audit("kiosk", "archived", written.name, anchor=through.seq, sha256=written.sha256,
                        **counts, **{f"forgotten_{t}": n for t, n in forgotten.items()})  # fmt: skip
    return forgotten


def _delete(db: Database, sql: str, args: list[Any], expected: int) -> None:
    done = db.execute(sql, args).rowcount
    if done != expected:  # the archive would not hold what left: the transaction is rolled back
        raise RetentionError(f"{done} rows pruned where {expected} were archived; nothing pruned")


def _delete_each(db: Database, table: str, key: str, rows: list[dict[str, Any]], still: str) -> None:
    ids = [row[key] for row in rows]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        _delete(db, f"DELETE FROM {table} WHERE {key} IN ({marks}) AND {still}", chunk, len(chunk))


# -- checking the archives -------------------------------------------------------------------------


@dataclass
class ArchivesReport:
    archives: int = 0
    audit_rows: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)


def verify_archives(store: Store, cfg: KioskConfig) -> ArchivesReport:
    """Every recorded archive is there, unchanged, and their audit rows chain from the genesis to
    the database's anchor (``kiosk audit verify --archives``)."""
    report = ArchivesReport()
    before = audit.Anchor(0, GENESIS_HASH)
    records = store.db.execute(
        "SELECT name, audit_first, audit_last, audit_hash, events, sha256 FROM archive ORDER BY n"
    ).fetchall()
    for name, first, last, last_hash, events, sha256 in records:
        report.archives += 1
        if first != before.seq + 1:
            report.problems.append(
                f"{name} starts at row {first}, but the archive before ends at {before.seq}"
            )
        try:
            contents, on_disk = archive.read(cfg.archive_dir / name)
        except ArchiveDamaged as exc:
            report.problems.append(f"ARCHIVE LOST OR DAMAGED: {exc}")
            before = audit.Anchor(last, last_hash)
            continue
        if on_disk != sha256:
            report.problems.append(f"{name} has changed since it was written (its SHA-256 differs)")
        walked = archive.walk_chain(contents, before, name)
        report.problems += walked.problems
        if (walked.last.seq, walked.last.hash) != (last, last_hash):
            report.problems.append(f"{name} does not end at row {last}, where its record says it does")
        if len(contents.tables["outbox"]) != events:
            report.problems.append(f"{name} holds {len(contents.tables['outbox'])} events, not {events}")
        report.audit_rows += len(contents.tables["audit_log"])
        report.events += len(contents.tables["outbox"])
        before = audit.Anchor(last, last_hash)
    start = audit.anchor(store.db)
    if (before.seq, before.hash) != (start.seq, start.hash):
        report.problems.append(
            f"the database's log starts after row {start.seq}, but the archives end at row {before.seq}"
        )
    known = {r[0] for r in records}
    strays = sorted(p.name for p in _archive_files(cfg) if p.name not in known)
    report.problems += [f"{name} is in the archive folder but no run recorded it" for name in strays]
    return report


def _archive_files(cfg: KioskConfig) -> list[Path]:
    if not cfg.archive_dir.is_dir():
        return []
    return [p for p in cfg.archive_dir.iterdir() if p.name.endswith(SUFFIX)]


def archived(store: Store, cfg: KioskConfig, table: str) -> Iterator[dict[str, Any]]:
    """Every archived row of ``table``, oldest archive first (the soak reads the events back)."""
    for (name,) in store.db.execute("SELECT name FROM archive ORDER BY n").fetchall():
        contents, _ = archive.read(cfg.archive_dir / name)
        yield from contents.tables[table]
