"""The backend's secrets, read from their own files: the client secret (refused when other users
could read it, when it is empty, or when it is not one line of printable text: it goes into a form
as it is) and the TLS client key (refused when other users could read it)."""

from __future__ import annotations

from pathlib import Path

from kiosk import files
from sync.errors import SecretUnusable

MAX_SECRET = 200  # the contract's maxLength


def read_secret(path: str) -> str:
    raw = _private(path, "client secret file")
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


def check_client_key(path: str | None) -> None:
    """The TLS client key, when there is one, is its owner's alone, like the secret."""
    if path is not None:
        _private(path, "TLS client key")


def _private(path: str, what: str) -> bytes:
    try:
        return files.read_private(Path(path))
    except files.FileModeError as exc:
        raise SecretUnusable(f"the {what} {exc}") from None
    except OSError as exc:
        raise SecretUnusable(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc
