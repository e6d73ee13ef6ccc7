"""The kiosk's one SQLite file: WAL, synchronous=FULL, foreign keys on, checked and migrated at
open.

Writes go through ``transaction()`` (BEGIN IMMEDIATE, so two processes sharing the file never
fail half-way through a read-then-write) and are durable when it returns.

At rest (DESIGN §7) the file is 0600 (0660 with ``group_shared``), whatever the umask: it is made
with that mode before SQLite opens it, and SQLite gives its -wal and -shm files the same. At open,
``PRAGMA quick_check`` refuses a damaged file (``DatabaseDamaged``) before anything is written to
it, and kiosk/history.py checks that it is this kiosk's own database.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import audit, files
from kiosk.clock import Clock, stamp, utc_now
from kiosk.errors import DatabaseDamaged, StoreError
from kiosk.migrations import migrate

DB_NAME = "kiosk.db"
SIDE_FILES = ("-wal", "-shm", "-journal")


class Store:
    def __init__(
        self, path: Path, *, kiosk_id: str, clock: Clock = utc_now, group_shared: bool = False
    ) -> None:
        self.path = path
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.group_shared = group_shared
        self._undo: list[Callable[[], None]] = []
        # the audit chain's head as this store's write transaction left it: the rows it appends
        # follow one another without reading the head back each time (nobody else writes meanwhile)
        self._head: audit.Head | None = None
        self._ours = False  # inside a transaction this store began (the head is known only there)
        try:
            files.create_with_mode(path, files.file_mode(group_shared))
            for each in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
                files.tighten(each, group_shared)  # made by an older version, or by hand
        except OSError as exc:
            raise StoreError(f"cannot create the kiosk database {path}: {exc.strerror or exc}") from exc
        try:
            # One thread at a time uses a store, but not always the one that opened it: the touch
            # UI opens it, then hands the core to its device thread (ui/bridge.py).
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
            self.db = Database(conn, execute_plugins=False)
            self._set_pragmas()
            self._quick_check()
            applied = migrate(self.db, stamp(clock()))
        except sqlite3.DatabaseError as exc:
            raise _damaged_or(path, exc) from exc
        from kiosk import history  # it writes through this store: imported once it exists

        history.check(self, fresh=1 in applied, group_shared=group_shared)

    @classmethod
    def open(
        cls, data_dir: Path, *, kiosk_id: str, clock: Clock = utc_now, group_shared: bool = False
    ) -> Store:
        return cls(data_dir / DB_NAME, kiosk_id=kiosk_id, clock=clock, group_shared=group_shared)

    def _quick_check(self) -> None:
        """A damaged page found now, before the kiosk acts on what the file says."""
        problems = [row[0] for row in self.db.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise DatabaseDamaged(self.path, "; ".join(" ".join(str(p).split()) for p in problems))

    def integrity_problems(self) -> list[str]:
        """The thorough check (``kiosk doctor``): every page, index and constraint."""
        try:
            rows = self.db.execute("PRAGMA integrity_check(20)").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        problems = [str(r[0]) for r in rows]
        return [] if problems == ["ok"] else problems

    def _set_pragmas(self) -> None:
        mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{self.path} cannot use write-ahead logging (journal mode {mode})")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # what is deleted or scrubbed (a delivered event's secrets) is zeroed on disk, not left in
        # free space for a copy of the file to give up; FAST: where it costs no extra writes (the
        # pages written anyway), which spares the scan-to-unlock path ~0.1 ms a commit
        self.db.execute("PRAGMA secure_delete=FAST")

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One durable unit of writes. When it fails, at any statement or at the COMMIT itself (a
        full disk shows there), it is rolled back whole, and the ``on_rollback`` undos registered
        inside it run, so objects in memory tell no more than the store holds."""
        if self.db.conn.in_transaction:
            with self._savepoint():  # nested: a savepoint inside the outer transaction
                yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._undo, self._head, self._ours = [], None, True
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:  # a failed COMMIT leaves it open; a failed statement may not
                self.db.execute("ROLLBACK")
            for undo in reversed(self._undo):
                undo()
            raise
        finally:
            self._undo, self._head, self._ours = [], None, False

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        """sqlite-utils' ``atomic()`` without its costs on the unlock path (a random name made and
        two statements through its ``execute`` per block): one name serves every depth, as SQLite
        releases or rolls back to the innermost savepoint of that name."""
        conn = self.db.conn
        conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            self._head = None  # rows appended inside are undone: read the head again
            if conn.in_transaction:  # a RAISE(ROLLBACK) trigger may have ended it, savepoints and all
                conn.execute("ROLLBACK TO nested")
                conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Run ``undo`` if the transaction in progress does not commit (nothing outside one)."""
        if self.db.conn.in_transaction:
            self._undo.append(undo)

    def update(self, table: str, key: Any, changes: dict[str, Any]) -> None:
        """``UPDATE table SET … WHERE id = key``: for the hot paths, where sqlite-utils' update
        (which reads the table's schema and the row back on every call) costs 0.25 ms a time.
        Table and column names come from code, never from input."""
        assert table.isidentifier() and all(column.isidentifier() for column in changes)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*changes.values(), key])

    def now(self) -> str:
        return stamp(self.clock())

    def audit(self, actor: str, action: str, subject: str | None = None, **detail: Any) -> int:
        """Append to the audit chain; inside the caller's transaction when there is one (with no
        savepoint of its own there: its one write, a single INSERT, is all or nothing anyway)."""
        with contextlib.nullcontext() if self.db.conn.in_transaction else self.transaction():
            head = audit.append(
                self.db,
                at=self.now(),
                kiosk_id=self.kiosk_id,
                actor=actor,
                action=action,
                subject=subject,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
                head=self._head if self._ours else None,  # another's transaction (migrations): read it
            )
            if self._ours:
                self._head = head
            return head[0]


def _damaged_or(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return DatabaseDamaged(path, str(exc))
    return StoreError(f"cannot open the kiosk database {path}: {exc}")
