"""The stand-in backend's own SQLite: clients and tokens, every event received (each applied once,
keyed by UUID), dossiers and their statuses, assignments with a change cursor, heartbeats, and the
SMS it would have sent citizens, and the payments kiosks asked for (payments.py)."""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hardware_sim.backend.payments import PaymentBook
from sync.adapters.one_stop import STATUS_AFTER

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS client (client_id TEXT PRIMARY KEY, secret TEXT NOT NULL,"
    " kiosk_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS token (token TEXT PRIMARY KEY, client_id TEXT NOT NULL,"
    " expires_at REAL NOT NULL)",
    """CREATE TABLE IF NOT EXISTS event (
        uuid TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
        at TEXT NOT NULL, dossier_code TEXT, compartment TEXT, actor TEXT NOT NULL,
        payload TEXT NOT NULL, audit_seq INTEGER NOT NULL, prev_audit_hash TEXT NOT NULL,
        received INTEGER NOT NULL,        -- order of arrival
        status TEXT NOT NULL,             -- accepted or rejected
        reason TEXT)""",
    "CREATE INDEX IF NOT EXISTS event_seq ON event(kiosk_id, seq)",
    """CREATE TABLE IF NOT EXISTS dossier (
        code TEXT PRIMARY KEY, status TEXT NOT NULL, procedure TEXT, citizen TEXT, kiosk TEXT,
        updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS assignment (
        version INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL, dossier_code TEXT NOT NULL,
        citizen TEXT, procedure TEXT NOT NULL, fee_due INTEGER NOT NULL, hold_days INTEGER,
        size_hint TEXT, active INTEGER NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS assignment_one ON assignment(kiosk_id, dossier_code)",
    "CREATE TABLE IF NOT EXISTS heartbeat (kiosk_id TEXT NOT NULL, received_at TEXT NOT NULL,"
    " body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sms (id INTEGER PRIMARY KEY, dossier_code TEXT, text TEXT NOT NULL,"
    " at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    # citizens' ratings as the kiosks tally them: counts over spans of hours, nobody's
    """CREATE TABLE IF NOT EXISTS satisfaction (
        kiosk_id TEXT NOT NULL, span_from TEXT NOT NULL, span_to TEXT NOT NULL,
        very_satisfied INTEGER NOT NULL, satisfied INTEGER NOT NULL, dissatisfied INTEGER NOT NULL)""",
]
FACES = ("very_satisfied", "satisfied", "dissatisfied")
ASSIGNMENT = ("dossier_code", "citizen", "procedure", "fee_due", "hold_days", "size_hint", "requires_holder",
              "holder_hash")  # fmt: skip

# What each event does to the dossier's status, as sync/adapters/one_stop.py's table says.
APPLIES: dict[str, tuple[str, bool]] = {  # kind: (new status, whether the result waits in the kiosk)
    kind: (status, kind == "result-loaded") for kind, status in STATUS_AFTER.items() if status
}


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Answer:
    uuid: str
    status: str  # accepted, duplicate, rejected
    reason: str | None = None
    code: str | None = None  # a rejection's: seq-used or refused

    def as_json(self) -> dict[str, str]:
        out = {"uuid": self.uuid, "status": self.status}
        if self.code:
            out["code"] = self.code
        if self.reason:
            out["reason"] = self.reason
        return out


class BackendStore:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for sql in SCHEMA:
            self.db.execute(sql)
        if "phone" not in {row[1] for row in self.db.execute("PRAGMA table_info(sms)")}:
            self.db.execute("ALTER TABLE sms ADD COLUMN phone TEXT")  # a file from before it was kept
        if "holder_hash" not in {row[1] for row in self.db.execute("PRAGMA table_info(assignment)")}:
            self.db.execute("ALTER TABLE assignment ADD COLUMN requires_holder INTEGER NOT NULL DEFAULT 0")
            self.db.execute("ALTER TABLE assignment ADD COLUMN holder_hash TEXT")
        self.payments = PaymentBook(self.db)

    def close(self) -> None:
        self.db.close()

    # -- clients and tokens ----------------------------------------------------------------------

    def add_client(self, client_id: str, secret: str, kiosk_id: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO client VALUES (?, ?, ?)", [client_id, secret, kiosk_id])

    def issue_token(self, client_id: str, secret: str, lifetime_s: int) -> str | None:
        row = self.db.execute("SELECT secret FROM client WHERE client_id = ?", [client_id]).fetchone()
        if row is None or not secrets.compare_digest(row[0], secret):
            return None
        token = secrets.token_urlsafe(32)
        expires = now_utc().timestamp() + lifetime_s
        self.db.execute("INSERT INTO token VALUES (?, ?, ?)", [token, client_id, expires])
        return token

    def kiosk_of_token(self, token: str) -> str | None:
        row = self.db.execute(
            "SELECT c.kiosk_id FROM token t JOIN client c USING (client_id)"
            " WHERE t.token = ? AND t.expires_at > ?",
            [token, now_utc().timestamp()],
        ).fetchone()
        return None if row is None else str(row[0])

    def expire_tokens(self) -> None:
        self.db.execute("UPDATE token SET expires_at = 0")

    # -- events ------------------------------------------------------------------------------------

    def receive(self, kiosk_id: str, events: list[dict[str, Any]], reject: set[str]) -> list[Answer]:
        """Apply each new event once, in one transaction per batch; ``reject`` holds kinds and
        dossier codes the admin said to refuse."""
        answers = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for event in events:
                answers.append(self._receive_one(kiosk_id, event, reject))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return answers

    def _receive_one(self, kiosk_id: str, event: dict[str, Any], reject: set[str]) -> Answer:
        uuid = event["uuid"]
        if self.db.execute("SELECT 1 FROM event WHERE uuid = ?", [uuid]).fetchone():
            self._count("duplicates")
            return Answer(uuid, "duplicate")
        if self.db.execute(
            "SELECT 1 FROM event WHERE kiosk_id = ? AND seq = ? AND status = 'accepted'",
            [kiosk_id, event["seq"]],
        ).fetchone():
            # not kept: the kiosk renumbers the event and sends it again under the same UUID
            self._count("seq_used")
            used = f"sequence number {event['seq']} was already used by another event of this kiosk"
            return Answer(uuid, "rejected", used, "seq-used")
        reason = None
        if event["kind"] in reject or (event.get("dossier_code") or "") in reject:
            reason = f"refused by the province: {event['kind']} for {event.get('dossier_code')}"
        received = self._count("received")
        self.db.execute(
            "INSERT INTO event VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uuid,
                kiosk_id,
                event["seq"],
                event["kind"],
                event["at"],
                event.get("dossier_code"),
                event.get("compartment"),
                event["actor"],
                json.dumps(event["payload"], ensure_ascii=False),
                event["audit_seq"],
                event["prev_audit_hash"],
                received,
                "rejected" if reason else "accepted",
                reason,
            ],
        )
        if reason:
            self._count("rejected")
            return Answer(uuid, "rejected", reason, "refused")
        self._apply(kiosk_id, event)
        self._count("applied")
        return Answer(uuid, "accepted")

    def last_accepted(self, kiosk_id: str) -> tuple[int | None, str | None]:
        """The highest sequence number of this kiosk's accepted events, and that event's UUID."""
        row = self.db.execute(
            "SELECT seq, uuid FROM event WHERE kiosk_id = ? AND status = 'accepted'"
            " ORDER BY seq DESC LIMIT 1",
            [kiosk_id],
        ).fetchone()
        return (None, None) if row is None else (int(row[0]), str(row[1]))

    def _apply(self, kiosk_id: str, event: dict[str, Any]) -> None:
        code = event.get("dossier_code")
        change = APPLIES.get(event["kind"])
        if code and change:
            status, waits = change
            self.db.execute(
                "INSERT INTO dossier (code, status, kiosk, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (code) DO UPDATE SET status = excluded.status, kiosk = excluded.kiosk,"
                " updated_at = excluded.updated_at",
                [code, status, kiosk_id if waits else None, now_utc().isoformat()],
            )
            if event["kind"] in ("result-picked-up", "result-withdrawn"):
                self._set_assignment_active(kiosk_id, code, False)
        payload = event["payload"]
        if event["kind"] == "result-loaded" and "pin" in payload:
            self._sms(
                code,
                f"Ket qua ho so {code} da san sang tai may {kiosk_id}, ngan {event.get('compartment')}."
                f" Ma PIN: {payload['pin']}. Ma QR: {payload.get('token')}",
            )
        elif event["kind"] == "expiry-reminder":
            self._sms(
                code, f"Nhac: ket qua ho so {code} tai may {kiosk_id} con {payload.get('days_before')} ngay."
            )
        elif event["kind"] == "receipt-not-printed":  # to the phone given at the kiosk, in place of paper
            self._sms(
                code,
                f"Ho so da duoc nhan tai may {kiosk_id}, ngan {event.get('compartment')}. Ma ho so: {code}",
                phone=payload["phone"],
            )
        elif event["kind"] == "satisfaction-tally":
            self.db.execute(
                "INSERT INTO satisfaction VALUES (?, ?, ?, ?, ?, ?)",
                [kiosk_id, payload["from"], payload["to"], *(payload[face] for face in FACES)],
            )

    def _sms(self, code: str | None, text: str, *, phone: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO sms (dossier_code, text, at, phone) VALUES (?, ?, ?, ?)",
            [code, text, now_utc().isoformat(), phone],
        )

    def _count(self, name: str) -> int:
        self.db.execute(
            "INSERT INTO counter VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1", [name]
        )
        return int(self.db.execute("SELECT n FROM counter WHERE name = ?", [name]).fetchone()[0])

    def counters(self) -> dict[str, int]:
        return {name: n for name, n in self.db.execute("SELECT name, n FROM counter")}

    def events(self, kiosk_id: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT uuid, kiosk_id, seq, kind, dossier_code, compartment, payload, status, reason FROM event"
        )
        args: list[Any] = []
        if kiosk_id:
            sql += " WHERE kiosk_id = ?"
            args.append(kiosk_id)
        rows = self.db.execute(sql + " ORDER BY received", args).fetchall()
        keys = (
            "uuid",
            "kiosk_id",
            "seq",
            "kind",
            "dossier_code",
            "compartment",
            "payload",
            "status",
            "reason",
        )
        return [dict(zip(keys, r, strict=True)) | {"payload": json.loads(r[6])} for r in rows]

    def sms(self) -> list[dict[str, Any]]:
        """Each text it would have sent; ``phone`` where the event named the number (else the
        province's own records would)."""
        rows = self.db.execute("SELECT dossier_code, text, at, phone FROM sms ORDER BY id").fetchall()
        return [{"dossier_code": r[0], "text": r[1], "at": r[2], "phone": r[3]} for r in rows]

    def satisfaction(self, kiosk_id: str | None = None) -> dict[str, Any]:
        """The ratings received: each span as it came, and the totals."""
        sql = "SELECT kiosk_id, span_from, span_to, very_satisfied, satisfied, dissatisfied FROM satisfaction"
        args = [kiosk_id] if kiosk_id else []
        rows = self.db.execute(sql + (" WHERE kiosk_id = ?" if kiosk_id else "") + " ORDER BY rowid", args)
        spans = [dict(zip(("kiosk_id", "from", "to", *FACES), r, strict=True)) for r in rows.fetchall()]
        return {"spans": spans, "totals": {face: sum(int(s[face]) for s in spans) for face in FACES}}

    # -- dossiers and assignments ----------------------------------------------------------------

    def add_dossier(
        self, code: str, status: str, procedure: str, citizen: str | None, kiosk: str | None
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO dossier VALUES (?, ?, ?, ?, ?, ?)",
            [code, status, procedure, citizen, kiosk, now_utc().isoformat()],
        )

    def dossier(self, code: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT code, status, procedure, citizen, kiosk, updated_at FROM dossier WHERE code = ?", [code]
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("code", "status", "procedure", "citizen", "kiosk", "updated_at"), row, strict=True))

    def assign(self, kiosk_id: str, a: dict[str, Any]) -> None:
        """A result to be returned through ``kiosk_id`` (a new version: cursors see the change)."""
        self.db.execute(
            "DELETE FROM assignment WHERE kiosk_id = ? AND dossier_code = ?", [kiosk_id, a["dossier_code"]]
        )
        self.db.execute(
            "INSERT INTO assignment (kiosk_id, dossier_code, citizen, procedure, fee_due, hold_days,"
            " size_hint, active, requires_holder, holder_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                kiosk_id,
                a["dossier_code"],
                a.get("citizen"),
                a["procedure"],
                a.get("fee_due", 0),
                a.get("hold_days"),
                a.get("size_hint"),
                int(a.get("active", True)),
                int(a.get("requires_holder", False)),
                a.get("holder_hash"),
            ],
        )

    def _set_assignment_active(self, kiosk_id: str, code: str, active: bool) -> None:
        row = self.db.execute(
            f"SELECT {', '.join(ASSIGNMENT)} FROM assignment WHERE kiosk_id = ? AND dossier_code = ?",
            [kiosk_id, code],
        ).fetchone()
        if row is not None:
            self.assign(kiosk_id, dict(zip(ASSIGNMENT, row, strict=True)) | {"active": active})

    def assignments(self, kiosk_id: str, since: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        rows = self.db.execute(
            f"SELECT version, active, {', '.join(ASSIGNMENT)}"
            " FROM assignment WHERE kiosk_id = ? AND version > ? ORDER BY version LIMIT ?",
            [kiosk_id, since, limit + 1],
        ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        out = [
            dict(zip(ASSIGNMENT, r[2:], strict=True))
            | {"active": bool(r[1]), "requires_holder": bool(r[2 + ASSIGNMENT.index("requires_holder")])}
            for r in rows
        ]
        return out, (rows[-1][0] if rows else since), more

    # -- heartbeats ------------------------------------------------------------------------------

    def heartbeat(self, kiosk_id: str, body: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO heartbeat VALUES (?, ?, ?)", [kiosk_id, now_utc().isoformat(), json.dumps(body)]
        )

    def heartbeats(self, kiosk_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT body FROM heartbeat WHERE kiosk_id = ? ORDER BY rowid", [kiosk_id])
        return [json.loads(r[0]) for r in rows]
