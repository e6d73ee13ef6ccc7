"""Versioned schema migrations, applied in order at start, each in its own transaction.

Never edit a migration that has shipped; add the next one. Each is tested from the version before
it with data in the tables (tests/test_migrations.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from kiosk.errors import StoreError

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


def _v1_compartments(db: Database) -> None:
    db.table("compartment").create(
        {
            "id": str,
            "bus": str,
            "board": int,
            "lock": int,
            "size": str,
            "position": str,
            "in_config": int,  # 0: no longer in the config but kept, for what it may still hold
            "in_service": int,
            "service_note": str,
            "holds": str,  # dossier code of what is inside, NULL when empty
            "holds_kind": str,  # "result" (for a citizen) or "dossier" (for an officer)
            "door": str,  # last known: "closed", "open" or "unknown"
            "updated_at": str,
        },
        pk="id",
        not_null={"bus", "board", "lock", "size", "position", "in_config", "in_service", "door"},
        defaults={"in_config": 1, "in_service": 1, "door": "unknown", "position": "high"},
    )


_AUDIT_SQL = [
    """CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE)""",
    # The head lets verify notice rows cut from the end, which leave no gap in the chain itself.
    """CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL)""",
    f"INSERT INTO audit_head VALUES (1, 0, '{GENESIS_HASH}')",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
        BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END""",
]


def _v2_audit_log(db: Database) -> None:
    for sql in _AUDIT_SQL:
        db.execute(sql)


ACTIVE_ITEM = "('placing', 'held', 'releasing', 'uncertain')"

_HANDOVER_SQL = [
    # Each dossier (deposited by a citizen) or result (loaded by an officer) in the machine.
    f"""CREATE TABLE item (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('result', 'deposit')),
        dossier_code TEXT NOT NULL,
        compartment TEXT NOT NULL REFERENCES compartment(id),
        state TEXT NOT NULL CHECK (state IN {ACTIVE_ITEM[:-1]}, 'gone')),
        procedure TEXT,
        citizen TEXT,              -- masked name, as the backend sends it
        fee_due INTEGER NOT NULL DEFAULT 0,
        expires_at TEXT,
        pin_hash TEXT,             -- scrypt; the PIN itself is never stored
        token_expires INTEGER,
        failed_tries INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        outcome TEXT)""",
    f"CREATE UNIQUE INDEX item_one_per_compartment ON item(compartment) WHERE state IN {ACTIVE_ITEM}",
    f"CREATE UNIQUE INDEX item_one_per_dossier ON item(dossier_code, kind) WHERE state IN {ACTIVE_ITEM}",
    """INSERT INTO item (kind, dossier_code, compartment, state, created_at, updated_at)
        SELECT CASE holds_kind WHEN 'dossier' THEN 'deposit' ELSE 'result' END, holds, id, 'held',
               COALESCE(updated_at, ''), COALESCE(updated_at, '')
        FROM compartment WHERE holds IS NOT NULL""",
    "ALTER TABLE compartment DROP COLUMN holds",
    "ALTER TABLE compartment DROP COLUMN holds_kind",
    # A journey in progress survives a crash as this row; the audit log journals its every change.
    """CREATE TABLE journey (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        actor TEXT NOT NULL,
        compartment TEXT REFERENCES compartment(id),
        item INTEGER REFERENCES item(id),
        data TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT)""",
    "CREATE INDEX journey_open ON journey(ended_at) WHERE ended_at IS NULL",
    # Handover events for the backend, in per-kiosk sequence; the sync marks them delivered.
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        dossier_code TEXT,
        compartment TEXT,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL,
        audit_seq INTEGER NOT NULL,
        prev_audit_hash TEXT NOT NULL,
        delivered_at TEXT)""",
    # What the backend says is to be returned through this kiosk (filled by the sync, issue 5).
    """CREATE TABLE assignment (
        dossier_code TEXT PRIMARY KEY,
        citizen TEXT,
        procedure TEXT,
        fee_due INTEGER NOT NULL DEFAULT 0,
        hold_days INTEGER,
        size_hint TEXT,
        synced_at TEXT NOT NULL)""",
    "CREATE TABLE pin_failure (at TEXT NOT NULL)",
]


def _v3_handover(db: Database) -> None:
    for sql in _HANDOVER_SQL:
        db.execute(sql)


def _v4_staff(db: Database) -> None:
    db.execute(
        """CREATE TABLE staff (
            id TEXT PRIMARY KEY,          -- what the badge QR carries after DKS1|
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('officer', 'technician')),
            pin_hash TEXT NOT NULL,       -- scrypt
            active INTEGER NOT NULL DEFAULT 1,
            failed_tries INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT)"""
    )


def _v5_status_cache(db: Database) -> None:
    db.execute(
        """CREATE TABLE dossier_status (
            dossier_code TEXT PRIMARY KEY,
            answer TEXT NOT NULL,         -- the backend's answer, as JSON
            fetched_at TEXT NOT NULL)"""
    )


_SYNC_SQL = [
    # what the backend answered for each delivered event: accepted, duplicate or rejected
    "ALTER TABLE outbox ADD COLUMN outcome TEXT",
    "CREATE INDEX outbox_undelivered ON outbox(seq) WHERE delivered_at IS NULL",
    """CREATE TABLE dead_letter (
        seq INTEGER PRIMARY KEY,      -- the outbox's
        uuid TEXT NOT NULL,
        kind TEXT NOT NULL,
        dossier_code TEXT,
        reason TEXT NOT NULL,
        rejected_at TEXT NOT NULL)""",
    # the sync's own state: assignment cursor, last success and error, clock skew
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, at TEXT NOT NULL)",
    # devices as the kiosk last saw them, for the heartbeat (the sync process opens no device)
    "CREATE TABLE device_state (name TEXT PRIMARY KEY, state TEXT NOT NULL, at TEXT NOT NULL)",
]


def _v6_sync(db: Database) -> None:
    for sql in _SYNC_SQL:
        db.execute(sql)


_BOUNDARIES_SQL = [
    # the event as it was sent, secrets included: what the office needs to help the citizen whose
    # event the backend refused (the outbox's copy is scrubbed); readable only by the kiosk
    "ALTER TABLE dead_letter ADD COLUMN payload TEXT",
    # a nonce per loading of a result: its pickup token names it, so an old token cannot open a
    # later loading of the same dossier
    "ALTER TABLE item ADD COLUMN loading TEXT",
    # which database this is: a marker file beside it (kiosk/history.py) tells a lost, replaced or
    # foreign database from this kiosk's own history
    # (key_fingerprint: an HMAC of a label with the kiosk key, so a lost or swapped key is told
    # from a first start instead of being made anew over PINs and tokens made with the old one)
    """CREATE TABLE kiosk_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        db_uuid TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        key_fingerprint TEXT)""",
    # every wrong staff PIN, for any badge (known or not): per badge and kiosk-wide throttles
    "CREATE TABLE staff_failure (badge TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE INDEX staff_failure_at ON staff_failure(at)",
    # conditions that keep the kiosk from serving until someone acts: a lost history, low disk
    """CREATE TABLE kiosk_flag (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL)""",
]


def _v7_boundaries(db: Database) -> None:
    for sql in _BOUNDARIES_SQL:
        db.execute(sql)


def _v8_process_snapshots(db: Database) -> None:
    # what a process knows only in memory (the touch screen's unlock latencies, door-open times,
    # device faults, printer paper), published every few seconds for the health endpoint that the
    # sync process serves; its time is also that process's proof of life. One row per process,
    # replaced each time: no history, nothing about a citizen.
    db.execute(
        """CREATE TABLE process_snapshot (
            process TEXT PRIMARY KEY,     -- "ui"
            pid INTEGER NOT NULL,
            snapshot TEXT NOT NULL,       -- JSON (kiosk/metrics.py)
            at TEXT NOT NULL)"""
    )
    # journeys ended, by kind and outcome, counted at every scrape: from this index alone (a year
    # of journeys is ~70,000 rows; scanning the table for them took 0.25 s). A row enters it when
    # its journey ends, in that commit: nothing is added before an unlock.
    db.execute("CREATE INDEX journey_ended ON journey(kind, outcome) WHERE ended_at IS NOT NULL")


_RETENTION_SQL = [
    # where the log in this file starts: the last row moved to an archive (kiosk/retention.py), or
    # the genesis. It only moves forward, and only onto a row of the log, whose hash it copies.
    """CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        at TEXT NOT NULL DEFAULT '',
        archive TEXT NOT NULL DEFAULT '')""",
    f"INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')",
    """CREATE TRIGGER audit_anchor_forward BEFORE UPDATE ON audit_anchor
        WHEN NEW.seq < OLD.seq OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'the audit anchor moves only forward, onto a row of the log'); END""",
    """CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
        BEGIN SELECT RAISE(ABORT, 'the audit anchor cannot be deleted'); END""",
    # rows up to the anchor (archived) may go; every row after it stays append-only
    "DROP TRIGGER audit_log_no_delete",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN OLD.seq > (SELECT seq FROM audit_anchor WHERE id = 1)
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    # every archive written, with what it holds and its digest, for kiosk audit verify --archives
    """CREATE TABLE archive (
        n INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        made_at TEXT NOT NULL,
        audit_first INTEGER NOT NULL,     -- the anchor before it + 1
        audit_last INTEGER NOT NULL,      -- the anchor after it (audit_first - 1 when no row moved)
        audit_hash TEXT NOT NULL,         -- the hash of row audit_last: where the next one follows on
        events INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL)""",
]


def _v9_retention(db: Database) -> None:
    for sql in _RETENTION_SQL:
        db.execute(sql)


def _v10_ratings(db: Database) -> None:
    # counts only, by the hour: no row per rating, so nothing orders them against the journeys
    db.execute(
        """CREATE TABLE rating_tally (
            hour TEXT NOT NULL, face TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (hour, face))"""
    )


_PAYMENT_SQL = [
    # A fee asked for at the kiosk (issue 14): one row per way of paying tried for an item, with a
    # reference the kiosk chose. ``received`` is what is proven to have arrived: the bank's word
    # (through the backend) for a VietQR transfer, the notes credited for cash.
    """CREATE TABLE payment (
        reference TEXT PRIMARY KEY,
        item INTEGER NOT NULL REFERENCES item(id),
        dossier_code TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('vietqr', 'cash')),
        amount INTEGER NOT NULL CHECK (amount > 0),
        received INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('requested', 'paid', 'short', 'cancelled', 'expired')),
        journey TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        settled_at TEXT)""",
    "CREATE UNIQUE INDEX payment_one_open ON payment(item, method) WHERE state = 'requested'",
    # Every note the validator credited, committed before the screen counts it.
    """CREATE TABLE cash_credit (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL REFERENCES payment(reference),
        channel INTEGER NOT NULL,
        value INTEGER NOT NULL CHECK (value > 0),
        at TEXT NOT NULL)""",
    # What the backend said about a VietQR payment; written by the sync process only, read by the
    # kiosk's, which turns it into the payment's state (so each table has one writer).
    """CREATE TABLE payment_backend (
        reference TEXT PRIMARY KEY REFERENCES payment(reference),
        created_at TEXT,          -- when the backend accepted the request
        cancelled_at TEXT,        -- when the backend accepted its cancellation
        checked_at TEXT,
        paid_amount INTEGER,      -- the sum the bank reported
        paid_at TEXT,
        transactions INTEGER NOT NULL DEFAULT 0,  -- confirmations seen: more than one is flagged
        detail TEXT)""",
    # Results only their holder may take (a chip ID card's number, compared as a keyed hash)
    "ALTER TABLE assignment ADD COLUMN requires_holder INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE assignment ADD COLUMN holder_hash TEXT",
    "ALTER TABLE item ADD COLUMN requires_holder INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE item ADD COLUMN holder_hash TEXT",
]


def _v11_payments(db: Database) -> None:
    for sql in _PAYMENT_SQL:
        db.execute(sql)


def _v12_payment_flags(db: Database) -> None:
    # the number of transfers a payment was flagged 'twice' for (0: not flagged): kept with the
    # payment, since the outbox event that said it is deleted once delivered and old, and the flag
    # must not come back then
    db.execute("ALTER TABLE payment ADD COLUMN twice_flagged INTEGER NOT NULL DEFAULT 0")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "compartments", _v1_compartments),
    Migration(2, "append-only audit log with hash chain", _v2_audit_log),
    Migration(3, "items, journeys, outbox, assignments", _v3_handover),
    Migration(4, "staff who sign in with a badge and a PIN", _v4_staff),
    Migration(5, "dossier statuses from the backend, for look-ups offline", _v5_status_cache),
    Migration(6, "sync: delivery outcomes, dead letters, sync state, device states", _v6_sync),
    Migration(7, "dead letters kept whole, loadings, identity, staff failures, flags", _v7_boundaries),
    Migration(8, "what a process knows in memory, for the health endpoint", _v8_process_snapshots),
    Migration(9, "retention: the audit log's anchor, archives", _v9_retention),
    Migration(10, "citizens' satisfaction ratings, counted by the hour", _v10_ratings),
    Migration(11, "fees paid at the kiosk, cash credits, results only their holder may take", _v11_payments),
    Migration(12, "a payment remembers it was flagged as paid twice", _v12_payment_flags),
)
LATEST = MIGRATIONS[-1].version


def current_version(db: Database) -> int:
    if "schema_version" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: Database, applied_at: str, target: int = LATEST) -> list[int]:
    """Bring the schema up to ``target``; returns the versions applied."""
    version = current_version(db)
    if version > LATEST:
        raise StoreError(
            f"the database is at schema version {version}, newer than this program knows "
            f"({LATEST}); install the newer kiosk software or restore a backup"
        )
    applied = []
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            db.execute("BEGIN IMMEDIATE")
            try:
                if migration.version == 1:
                    db.execute(
                        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                        "name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                    )
                migration.apply(db)
                db.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    [migration.version, migration.name, applied_at],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            applied.append(migration.version)
    return applied
