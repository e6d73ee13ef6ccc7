"""``kiosk maintain``: the daily care of the kiosk's disk (``systemd/kiosk-maintain.timer``): old
rows archived and pruned (kiosk/retention.py), an online backup made and the oldest let go
(kiosk/backup.py), the kiosk's own disk use held to its cap (kiosk/space.py). ``--status`` says
where each stands. Each step runs even when one before failed; the exit is 1 when any failed, or
when the disk use is at its alarm level or over."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
from datetime import timedelta
from typing import TextIO

from kiosk import backup, flags, retention, space
from kiosk.archive import ArchiveDamaged
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store

OK, FAILED = 0, 1
MB = 1024 * 1024
BACKUP_LATE = timedelta(hours=48)  # the timer runs daily: two days without one is a fault


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ma = sub.add_parser(
        "maintain", help="archive and prune old rows, back up the database, hold the disk cap"
    )
    ma.add_argument("--status", action="store_true", help="archives, backups and disk use; change nothing")


def cmd_maintain(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if args.status:
        return _status(cfg, store, out)
    with retention.maintenance_lock(cfg):
        failed = not _archive(cfg, store, out)
        _checkpoint(store)
        failed = not _backup(cfg, store, out) or failed
        level = _hold_the_cap(cfg, store, out)
    return FAILED if failed or level.near else OK


def _archive(cfg: KioskConfig, store: Store, out: TextIO) -> bool:
    try:
        done = retention.run(store, cfg)
    except (KioskError, ArchiveDamaged, OSError, sqlite3.Error) as exc:
        print(f"ARCHIVE FAILED: {getattr(exc, 'strerror', None) or exc}; nothing was pruned", file=out)
        return False
    for name in done.orphans:
        print(f"set aside {name} in {cfg.archive_dir / retention.UNRECORDED}: no run of this database"
              " recorded it (one stopped before it pruned, or an older copy of the database put back)",
              file=out)  # fmt: skip
    if done.skipped:
        print(f"nothing archived: {done.skipped}", file=out)
    elif done.archive is None:
        print(f"nothing older than {cfg.retention.archive_after_days} days to archive", file=out)
    else:
        moved = ", ".join(f"{n} {table}" for table, n in done.moved.items())
        print(f"archived to {cfg.archive_dir / done.archive} and pruned: {moved}", file=out)
    forgotten = {table: n for table, n in done.forgotten.items() if n}
    if forgotten:
        print(
            "forgotten (counters and cache): " + ", ".join(f"{n} {t}" for t, n in forgotten.items()), file=out
        )
    return True


def _checkpoint(store: Store) -> None:
    """The write-ahead log back to nothing after the prune's deletes, where no reader holds it
    (the touch screen's and the sync's connections are idle most of the night)."""
    with contextlib.suppress(sqlite3.Error):  # busy: the next commits check it in as usual
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _backup(cfg: KioskConfig, store: Store, out: TextIO) -> bool:
    try:
        made = backup.make(store, cfg)
    except backup.BackupFailed as exc:
        print(f"BACKUP FAILED: {exc}", file=out)
        return False
    print(f"backed up to {made.path} ({made.size / MB:.1f} MB, checked)", file=out)
    if flags.get(store, flags.HISTORY) is not None:
        print("older backups kept: the history flag is up, and one of them may be the kiosk's own", file=out)
        return True
    for path in backup.rotate(cfg, cfg.retention.backups_kept):
        print(f"removed the old backup {path.name} (keeping {cfg.retention.backups_kept})", file=out)
    return True


def _hold_the_cap(cfg: KioskConfig, store: Store, out: TextIO) -> space.Level:
    """At the cap the oldest backups go first (the newest stays); what is left is flagged."""
    level = space.level(cfg)
    while level.full and len(kept := backup.existing(cfg)) > 1:
        kept[0].unlink(missing_ok=True)
        print(f"removed the backup {kept[0].name} to stay under the cap", file=out)
        level = space.level(cfg)
    level = space.check(store, cfg, level.use)
    print(f"disk: {level.words()}", file=out)
    if level.full:
        print("AT THE CAP: drop-offs are refused until there is room; move the archives in "
              f"{cfg.archive_dir} to the office and delete them here", file=out)  # fmt: skip
    elif level.near:
        print(f"WARNING: over {cfg.retention.alarm_percent} % of the cap; move the archives in "
              f"{cfg.archive_dir} to the office", file=out)  # fmt: skip
    return level


def _status(cfg: KioskConfig, store: Store, out: TextIO) -> int:
    db = store.db
    count, size, last, made = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(bytes), 0), MAX(name), MAX(made_at) FROM archive"
    ).fetchone()
    anchor = db.execute("SELECT seq FROM audit_anchor WHERE id = 1").fetchone()[0]
    if count:
        print(f"archives: {count} in {cfg.archive_dir} ({size / MB:.1f} MB); the last {last}, made {made};"
              f" the database's audit log starts after row {anchor}", file=out)  # fmt: skip
    else:
        print(
            f"archives: none yet (rows older than {cfg.retention.archive_after_days} days go there)", file=out
        )
    late = False
    found = backup.newest(cfg)
    if found is None:
        print(f"backups: none yet in {cfg.backup_dir}", file=out)
        late = True
    else:
        path, at = found
        late = store.clock() - at > BACKUP_LATE
        print(f"backups: {len(backup.existing(cfg))} in {cfg.backup_dir}; the newest {path.name}"
              f" ({path.stat().st_size / MB:.1f} MB, at {at:%Y-%m-%d %H:%M} UTC)"
              f"{' — LATE: is kiosk-maintain.timer running?' if late else ''}", file=out)  # fmt: skip
    tables = ("audit_log", "outbox", "journey", "item")
    rows = ", ".join(f"{db.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]} {t}" for t in tables)
    print(f"database: {rows}", file=out)
    level = space.level(cfg)
    print(f"disk: {level.words()}; the alarm at {cfg.retention.alarm_percent} %", file=out)
    up = [f for f in flags.all_flags(store) if f.key in (flags.DISK_CAP, flags.DISK_NEAR_CAP)]
    for flag in up:
        print(f"! {flag.key} since {flag.at}: {flag.detail}", file=out)
    return FAILED if late or level.near or up else OK
