"""The kiosk's one SQLite file: WAL, synchronous=FULL, foreign keys on, migrated at open.

Writes go through ``transaction()`` (BEGIN IMMEDIATE, so two processes sharing the file never
fail half-way through a read-then-write) and are durable when it returns.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import audit
from kiosk.clock import Clock, stamp, utc_now
from kiosk.errors import StoreError
from kiosk.migrations import migrate

DB_NAME = "kiosk.db"


class Store:
    def __init__(self, path: Path, *, kiosk_id: str, clock: Clock = utc_now) -> None:
        self.path = path
        self.kiosk_id = kiosk_id
        self.clock = clock
        try:
            # One thread at a time uses a store, but not always the one that opened it: the touch
            # UI opens it, then hands the core to its device thread (ui/bridge.py).
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
            self.db = Database(conn, execute_plugins=False)
            self._set_pragmas()
            migrate(self.db, stamp(clock()))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the kiosk database {path}: {exc}") from exc

    @classmethod
    def open(cls, data_dir: Path, *, kiosk_id: str, clock: Clock = utc_now) -> Store:
        return cls(data_dir / DB_NAME, kiosk_id=kiosk_id, clock=clock)

    def _set_pragmas(self) -> None:
        mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{self.path} cannot use write-ahead logging (journal mode {mode})")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        if self.db.conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint inside the outer transaction
                yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

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
        """Append to the audit chain; inside the caller's transaction when there is one."""
        with self.transaction() as db:
            return audit.append(
                db,
                at=self.now(),
                kiosk_id=self.kiosk_id,
                actor=actor,
                action=action,
                subject=subject,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
            )
