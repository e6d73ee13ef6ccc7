"""What can go wrong talking to the backend, as types: whether a retry can help is the type's."""

from __future__ import annotations

from kiosk.errors import KioskError


class SyncError(KioskError):
    retry: bool = True
    retry_after: float | None = None  # what the backend asked for (Retry-After), in seconds, capped


class Unreachable(SyncError):
    """No answer: the connection was refused, reset, timed out, stalled mid-body, or the call's
    total deadline passed."""


class Cancelled(SyncError):
    """The call was stopped half-way because the sync is stopping (SIGTERM): nothing to retry."""

    retry = False


class TLSFailure(SyncError):
    """The backend's certificate did not verify (or ours was refused). Retried, slowly: someone
    must fix the certificates or the CA bundle; the events wait."""


class ServerBusy(SyncError):
    """429 or 5xx: the backend is there but cannot answer now."""

    def __init__(self, status: int, detail: str, retry_after: float | None) -> None:
        super().__init__(f"the backend answered {status}: {detail}")
        self.status = status
        self.retry_after = retry_after


class BadAnswer(SyncError):
    """An answer that is not what the contract says: a redirect (never followed), not JSON, an
    HTML page, the wrong shape, a value out of its bounds, an answer that does not match the
    request (a stale answer on a reused connection). Refused as a whole; the events wait."""


class AnswerTooLarge(BadAnswer):
    pass


class Refused(SyncError):
    """A 4xx: the request itself is wrong (a bug, or a contract mismatch); sending it again will
    not help."""

    retry = False

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the backend refused the request ({status}): {detail}")
        self.status = status


class AuthFailed(Refused):
    """The token endpoint refused our client id and secret, or a fresh token was refused too."""


class NotSent(SyncError):
    """A request the contract does not allow (a dossier code of the wrong shape): nothing was sent."""

    retry = False


class SecretUnusable(SyncError):
    """The client secret file is missing, unreadable, empty, or readable by other users. A person
    must fix the file; ``kiosk sync`` refuses to start until then."""

    retry = False
