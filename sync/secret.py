"""The backend's client secret, read from its own file: refused when other users could read it,
when it is empty, or when it is not one line of printable text (it goes into a form as it is)."""

from __future__ import annotations

import os
import stat

from sync.errors import SecretUnusable

MAX_SECRET = 200  # the contract's maxLength


def read_secret(path: str) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise SecretUnusable(f"cannot read the client secret file {path}: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)  # of the file opened, not of whatever the path names a moment later
        if not stat.S_ISREG(info.st_mode):
            raise SecretUnusable(f"the client secret file {path} is not a regular file")
        if info.st_mode & 0o077:
            raise SecretUnusable(
                f"the client secret file {path} can be read by other users (mode "
                f"{stat.S_IMODE(info.st_mode):04o}); make it the sync user's alone: chmod 600 {path}"
            )
        raw = os.read(fd, MAX_SECRET * 4 + 3)
    finally:
        os.close(fd)
    try:
        secret = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SecretUnusable(f"the client secret file {path} is not UTF-8 text") from None
    if not secret:
        raise SecretUnusable(f"the client secret file {path} is empty; put the backend's secret in it")
    if len(secret) > MAX_SECRET or not secret.isprintable():
        raise SecretUnusable(
            f"the client secret file {path} must hold one line of at most {MAX_SECRET} printable characters"
        )
    return secret
