"""Files at rest (DESIGN §7): the data directory 0700 and the files the kiosk makes 0600, whatever
the umask; 2770 (setgid) and 0660 to the kiosk's group where two services share them (``[kiosk]
group_shared``). Secret and key files must be the owner's alone and are refused otherwise, with
the ``chmod`` that fixes them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from kiosk.errors import KioskError

# setgid when shared: whoever makes a file in it (a technician's `sudo -u kiosk-sync kiosk sync
# --status` with its own primary group) makes it the kiosk group's, which the other service needs
PRIVATE_DIR, SHARED_DIR = 0o700, 0o2770
PRIVATE_FILE, SHARED_FILE = 0o600, 0o660
MAX_SECRET_BYTES = 64 * 1024  # a key or a client secret is a few dozen bytes


class FileModeError(KioskError):
    """A file or directory is open to other users; the message names it and the fix."""


def dir_mode(group_shared: bool) -> int:
    return SHARED_DIR if group_shared else PRIVATE_DIR


def file_mode(group_shared: bool) -> int:
    return SHARED_FILE if group_shared else PRIVATE_FILE


def umask(group_shared: bool) -> int:
    """The umask a kiosk process runs with, so what SQLite and Python make is never world-readable."""
    return 0o007 if group_shared else 0o077


def secure_dir(path: Path, group_shared: bool) -> None:
    """Make ``path`` (and its parents) if missing; bring its mode to 0700 (or 2770) when this
    process owns it, and refuse one open to every user that it cannot fix."""
    wanted = dir_mode(group_shared)
    path.mkdir(mode=wanted, parents=True, exist_ok=True)
    st = path.stat()
    if not stat.S_ISDIR(st.st_mode):
        raise FileModeError(f"{path} is not a directory")
    mode = stat.S_IMODE(st.st_mode)
    if mode == wanted:
        return
    if st.st_uid == os.geteuid():
        os.chmod(path, wanted)
    elif mode & 0o007:
        raise FileModeError(
            f"the data directory {path} is open to every user (mode {mode:04o}) and belongs to "
            f"another user; run: chmod {wanted:o} {path}"
        )


def tighten(path: Path, group_shared: bool) -> None:
    """Take away what ``path`` allows beyond 0600 (or 0660), when this process owns it."""
    with contextlib.suppress(FileNotFoundError):
        st = path.stat()
        extra = stat.S_IMODE(st.st_mode) & ~file_mode(group_shared)
        if extra and st.st_uid == os.geteuid():
            os.chmod(path, stat.S_IMODE(st.st_mode) & ~extra)


def create_with_mode(path: Path, mode: int) -> None:
    """Create an empty file with exactly ``mode`` unless it exists (SQLite gives its -wal and -shm
    files the database file's mode, so the database is made this way before SQLite opens it)."""
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:
            os.fchmod(fd, mode)  # the umask may have taken bits away; this is the mode meant
        finally:
            os.close(fd)


def create_exclusive(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) unless it exists, atomically: another process reading at
    the same moment sees the whole file or none (written aside, then linked into place)."""
    aside = _written_aside(path, data, PRIVATE_FILE)
    try:
        os.link(aside, path)
    except FileExistsError:
        pass  # another process made it first: theirs is the one
    finally:
        os.unlink(aside)
    fsync_dir(path.parent)


def replace_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` with ``mode``: the old content or the new, never half of either."""
    os.replace(_written_aside(path, data, mode), path)
    fsync_dir(path.parent)


def _written_aside(path: Path, data: bytes, mode: int) -> Path:
    aside = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have taken bits away
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return aside


def read_private(path: Path) -> bytes:
    """A secret or key file's bytes; refused when anyone but its owner may read or write it (the
    mode is the opened file's own, not of whatever the path names a moment later)."""
    return read_regular(path, MAX_SECRET_BYTES, private=True)


def read_regular(path: Path, limit: int, *, private: bool = False) -> bytes:
    """At most ``limit`` bytes of a plain file. Opened without blocking, so a FIFO or a device put
    in its place is refused (``FileModeError``) instead of hanging every process at start."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileModeError(f"{path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if private and mode & 0o077:
            raise FileModeError(
                f"{path} can be read by other users (mode {mode:04o}); make it its owner's alone:"
                f" chmod 600 {path}"
            )
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
