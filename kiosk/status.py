"""A dossier's status for the look-up journey: the backend's answer when it can be reached (and
cached), else the cached one with its age; what this kiosk itself holds always wins, because it
is proven here and the backend may not have heard yet.

The backend is reached through a ``StatusSource`` (the sync client, issue 5); a kiosk without one
is offline and answers from the cache and from what it holds.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from kiosk.errors import KioskError
from kiosk.names import masked
from kiosk.store import Store

log = logging.getLogger("kiosk.status")
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving

# The statuses we speak (the backend's contract uses these words; sync/adapters maps a province's),
# in kiosk/journeys/messages.py's house wording, shown as "Hồ sơ {code}: {vi}."
STATUSES: dict[str, tuple[str, str]] = {
    "received": ("Đã tiếp nhận, đang chờ xử lý", "Received, waiting to be processed"),
    "deposited": ("Đã nộp vào máy, chờ cán bộ tiếp nhận", "Deposited in the kiosk, waiting for an officer"),
    "in-process": ("Đang giải quyết", "Being processed"),
    "needs-documents": (
        "Cần bổ sung hồ sơ. Vui lòng liên hệ Bộ phận Một cửa",
        "Additional documents are needed. Please contact the one-stop office",
    ),
    "finished": ("Đã có kết quả", "The result is ready"),
    "ready-here": (
        "Kết quả đã có tại máy này. Mời ông/bà chạm «Nhận kết quả»",
        "The result is in this kiosk. Please touch Pick up the result",
    ),
    "ready-elsewhere": ("Kết quả đang chờ tại máy {kiosk}", "The result is waiting at kiosk {kiosk}"),
    "result-returned": ("Đã trả kết quả", "The result has been handed over"),
    "refused": (
        "Không được giải quyết. Vui lòng xem thông báo của cơ quan",
        "Refused. Please see the office's notice",
    ),
    "withdrawn": ("Hồ sơ đã được rút", "The dossier was withdrawn"),
}


class BackendUnreachable(KioskError):
    """The backend could not answer now (no network, a timeout, a server error)."""


class StatusSource(Protocol):
    def dossier_status(self, code: str) -> dict[str, Any] | None:
        """The backend's answer: a dict with ``status`` (one of STATUSES) and optionally
        ``procedure``, ``citizen`` (masked), ``kiosk`` (where the result waits) and ``updated_at``;
        None when the backend does not know the code. Raises BackendUnreachable."""
        ...


@dataclass(frozen=True)
class DossierStatus:
    code: str
    status: str
    source: str  # "backend", "cache" or "kiosk" (what this machine holds)
    procedure: str | None = None
    citizen: str | None = None
    kiosk: str | None = None  # where the result waits, when it is in a kiosk
    fetched_at: datetime | None = None  # when the backend said it (cache answers)

    def words(self) -> tuple[str, str]:
        known = STATUSES.get(self.status)
        if known is None:
            # a word we do not speak: shown as data, never used as a template (a "{" in it once
            # crashed the look-up, and its cached copy crashed it offline too)
            shown = shown_text(self.status)
            return f"trạng thái “{shown}”", f"status “{shown}”"
        vi, en = known
        return vi.format(kiosk=self.kiosk or "?"), en.format(kiosk=self.kiosk or "?")

    def age(self, now: datetime) -> timedelta | None:
        return None if self.fetched_at is None or self.source != "cache" else now - self.fetched_at


def look_up(
    store: Store, kiosk_id: str, code: str, source: StatusSource | None
) -> tuple[DossierStatus | None, bool]:
    """The best answer there is for ``code`` (None when nobody knows it), and whether the backend
    was reached for it."""
    here = held_here(store, code)
    if source is not None:
        try:
            fetched = source.dossier_status(code)
        except BackendUnreachable as exc:
            log.info("a status from the cache: %s", exc)
        else:
            if fetched is None:  # the backend does not know it: no cache can know better
                return here, True
            remember(store, code, fetched)
            return here or _from_backend(code, fetched, kiosk_id), True
    return here or cached_status(store, code, kiosk_id), False


def held_here(store: Store, code: str) -> DossierStatus | None:
    row = store.db.execute(
        "SELECT kind, procedure, citizen FROM item WHERE dossier_code = ? AND state = 'held'"
        " ORDER BY kind = 'result' DESC",
        [code],
    ).fetchone()
    if row is None:
        return None
    status = "ready-here" if row[0] == "result" else "deposited"
    return DossierStatus(code, status, "kiosk", procedure=row[1], citizen=row[2])


def remember(store: Store, code: str, fetched: dict[str, Any]) -> None:
    answer = json.dumps({**fetched, "citizen": masked(fetched.get("citizen"))}, ensure_ascii=False)
    with store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO dossier_status (dossier_code, answer, fetched_at) VALUES (?, ?, ?)",
            [code, answer, store.now()],
        )


def cached_status(store: Store, code: str, kiosk_id: str) -> DossierStatus | None:
    """The backend's last answer for ``code``, or None; a cached row that cannot be read (written
    by an older version, damaged) is no answer, never a crash."""
    row = store.db.execute(
        "SELECT answer, fetched_at FROM dossier_status WHERE dossier_code = ?", [code]
    ).fetchone()
    if row is None:
        return None
    try:
        fetched = json.loads(row[0])
        when = datetime.fromisoformat(row[1])
        if not isinstance(fetched, dict) or when.tzinfo is None:
            raise ValueError("not an answer")
        answer = _from_backend(code, fetched, kiosk_id)
    except (ValueError, TypeError) as exc:
        log.warning("the cached status of a dossier cannot be read (%s); ignored", type(exc).__name__)
        return None
    return replace(answer, source="cache", fetched_at=when)


MAX_SHOWN = 80


def shown_text(value: object, limit: int = MAX_SHOWN) -> str:
    """Text from outside fit for a screen, a message or a log line: printable, one line (no forged
    log lines), at most ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_or_none(value: object) -> str | None:
    return None if value is None else shown_text(value)


def _from_backend(code: str, fetched: dict[str, Any], kiosk_id: str) -> DossierStatus:
    status = str(fetched.get("status", ""))
    kiosk = _text_or_none(fetched.get("kiosk"))
    if status == "finished" and kiosk:
        # the result waits in a kiosk: this one (though not held here: picked up since?) or another
        status = "ready-elsewhere" if kiosk != kiosk_id else "finished"
    return DossierStatus(
        code, status, "backend", procedure=_text_or_none(fetched.get("procedure")),
        citizen=masked(_text_or_none(fetched.get("citizen"))), kiosk=kiosk,
    )  # fmt: skip


def local_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
