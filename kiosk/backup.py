"""Daily online backups of the kiosk's database: SQLite's backup API copies it page by page while
the touch screen and the sync go on writing (each sees the database as ever), into
``[retention] backup_dir`` as ``kiosk-YYYYMMDD.db``; ``backups_kept`` of them are kept.

The copy is written under a temporary name, made a single self-contained file (no write-ahead
log), checked (``PRAGMA quick_check``), fsynced and only then renamed into place, so a backup that
is there is whole. A second run on the same day replaces that day's. A backup holds what the
database holds: PIN hashes keyed with a key that is not in it, and the secrets of events not yet
delivered sealed to the sync's key; it is 0600 (0660 with ``group_shared``) like the database.

Restoring one (README: Backups) makes the kiosk raise its history flag, as an older copy put
back should (kiosk/history.py): a technician confirms, and the sync renumbers what the backend
already has.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk import files
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store

NAME = re.compile(r"^kiosk-(\d{8})\.db$")


class BackupFailed(KioskError):
    """No backup was made; the message says why. The backups there were stay."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int


def existing(cfg: KioskConfig) -> list[Path]:
    """The backups in the folder, oldest first."""
    if not cfg.backup_dir.is_dir():
        return []
    return sorted(p for p in cfg.backup_dir.iterdir() if NAME.match(p.name))


def make(store: Store, cfg: KioskConfig) -> Backup:
    shared = cfg.kiosk.group_shared
    folder = cfg.backup_dir
    try:
        files.secure_dir(folder, shared)
        _remove_half_written(folder)
        name = f"kiosk-{store.clock().astimezone(UTC):%Y%m%d}.db"
        aside = folder / f".{name}.{os.getpid()}.new"
        files.create_with_mode(aside, files.file_mode(shared))
        try:
            _copy(store, aside)
            os.replace(aside, folder / name)
        finally:
            aside.unlink(missing_ok=True)
        files.fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        raise BackupFailed(
            f"the backup into {folder} failed: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    return Backup(folder / name, (folder / name).stat().st_size)


def _copy(store: Store, path: Path) -> None:
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        store.db.conn.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, whole in itself
        problems = [str(row[0]) for row in copy.execute("PRAGMA quick_check(5)")]
    finally:
        copy.close()
    if problems != ["ok"]:
        raise BackupFailed(f"the copy does not check out ({'; '.join(problems)}); the backups there stay")
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rotate(cfg: KioskConfig, keep: int) -> list[Path]:
    """All but the newest ``keep`` backups removed; returns those removed."""
    old = existing(cfg)[:-keep] if keep > 0 else existing(cfg)
    for path in old:
        path.unlink(missing_ok=True)
    return old


def newest(cfg: KioskConfig) -> tuple[Path, datetime] | None:
    found = existing(cfg)
    if not found:
        return None
    return found[-1], datetime.fromtimestamp(found[-1].stat().st_mtime, UTC)


def _remove_half_written(folder: Path) -> None:
    for path in folder.iterdir():
        if path.name.startswith(".kiosk-") and ".new" in path.name:  # and its -journal
            path.unlink(missing_ok=True)
