"""The kiosk's own disk use (its database, archives and backups) against the cap in ``[retention]
max_disk_mb``, as the free-space floor (``[kiosk] min_free_mb``, ``Core.check_disk``) watches the
disk as a whole.

At ``alarm_percent`` of the cap the ``disk-near-cap`` flag goes up with an alarm event for the
office and a log line: a warning, nothing is refused, and there is time to move archives off the
machine. At the cap ``disk-cap`` goes up: drop-offs are refused (a citizen is told to hand the
dossier in at the counter, and that pickups still work), while pickups, loads and collections go
on, since they are what empties the machine. ``kiosk maintain`` also lets old backups go then.
Each flag comes down by itself once the use is a little under its level again (a little, so
that a use hovering at the level does not raise an alarm a minute).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import events, flags
from kiosk.config import KioskConfig
from kiosk.store import DB_NAME, SIDE_FILES, Store

log = logging.getLogger("kiosk.space")
MB = 1024 * 1024
HYSTERESIS = 0.95  # a flag comes down under this share of its level
CHECK_EVERY_S = 60.0  # the core's look at its own files: the walk is cheap, but not for every touch


@dataclass(frozen=True)
class Use:
    """Bytes on disk (allocated blocks, not apparent sizes) of each kind of the kiosk's files."""

    database: int = 0
    archives: int = 0
    backups: int = 0
    other: int = 0  # keys, the identity marker, stray files

    @property
    def total(self) -> int:
        return self.database + self.archives + self.backups + self.other


def measure(cfg: KioskConfig) -> Use:
    """What the kiosk's files take: everything under ``data_dir``, and the archive and backup
    folders wherever they are."""
    database = {cfg.data_dir / (DB_NAME + side) for side in ("", *SIDE_FILES)}
    sizes = {"database": 0, "archives": 0, "backups": 0, "other": 0}
    seen: set[tuple[int, int]] = set()  # a folder inside another is counted once
    for kind, root in (("archives", cfg.archive_dir), ("backups", cfg.backup_dir), ("other", cfg.data_dir)):
        for path, st in _files(root):
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            sizes["database" if path in database else kind] += st.st_blocks * 512
    return Use(**sizes)


def _files(root: Path) -> list[tuple[Path, os.stat_result]]:
    found: list[tuple[Path, os.stat_result]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # gone meanwhile (a temporary file renamed)
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append(Path(entry.path))
            elif stat.S_ISREG(st.st_mode):
                found.append((Path(entry.path), st))
    return found


@dataclass(frozen=True)
class Level:
    use: Use
    cap: int  # bytes
    alarm: int  # bytes

    @property
    def near(self) -> bool:
        return self.use.total >= self.alarm

    @property
    def full(self) -> bool:
        return self.use.total >= self.cap

    def words(self) -> str:
        share = 100 * self.use.total / self.cap
        return (
            f"the kiosk's files use {self.use.total / MB:.0f} MB of their {self.cap / MB:.0f} MB cap"
            f" ({share:.0f} %: database {self.use.database / MB:.0f} MB, archives"
            f" {self.use.archives / MB:.0f} MB, backups {self.use.backups / MB:.0f} MB)"
        )


def level(cfg: KioskConfig, use: Use | None = None) -> Level:
    cap = cfg.retention.max_disk_mb * MB
    return Level(use or measure(cfg), cap, cap * cfg.retention.alarm_percent // 100)


def check(store: Store, cfg: KioskConfig, use: Use | None = None) -> Level:
    """Raise or lower the two flags for the use now; each raised once per episode, with its alarm."""
    now = level(cfg, use)
    said = now.words()
    try:
        with store.transaction():
            _follow(store, flags.DISK_CAP, now.use.total, now.cap, said, "drop-offs are refused")
            _follow(store, flags.DISK_NEAR_CAP, now.use.total, now.alarm, said, "archives should be moved")
    except sqlite3.Error as exc:  # no room even for the flag: said here at least
        log.error("cannot record the kiosk's disk use (%s): %s", said, exc)
    return now


def _follow(store: Store, key: str, used: int, limit: int, said: str, consequence: str) -> None:
    if used >= limit:
        if flags.raise_flag(store, key, "at the cap" if key == flags.DISK_CAP else "near the cap", said):
            events.emit(store, "alarm", actor="kiosk", problem=f"{said}; {consequence}")
            log.log(logging.ERROR if key == flags.DISK_CAP else logging.WARNING, "%s; %s", said, consequence)
    elif used < limit * HYSTERESIS and flags.get(store, key) is not None:
        flags.lower_flag(store, key, actor="kiosk", reason=f"room again: {said}")


class SpaceWatch:
    """The core's look at its own use, from ``Core.check_disk``: at most once a minute."""

    def __init__(self, store: Store, monotonic: Callable[[], float]) -> None:
        self.store = store
        self.monotonic = monotonic
        self._next: float | None = None

    def check(self, cfg: KioskConfig) -> None:
        now = self.monotonic()
        if self._next is not None and now < self._next:
            return
        self._next = now + CHECK_EVERY_S
        try:
            check(self.store, cfg)
        except OSError as exc:
            log.warning("the kiosk's disk use cannot be measured: %s", exc)
