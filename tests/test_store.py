"""The SQLite store: pragmas, migrations from each version before, the audit chain, compartment sync."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from kiosk import audit, config, migrations
from kiosk.compartments import all_compartments, get, sync_from_config
from kiosk.errors import DatabaseDamaged, StoreError, UnknownCompartment
from kiosk.store import Store

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return T0


def open_store(tmp_path: Path) -> Store:
    return Store.open(tmp_path, kiosk_id="HG-VT-01", clock=fixed_clock)


def test_pragmas(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    one = store.db.execute
    assert one("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert one("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert one("PRAGMA foreign_keys").fetchone()[0] == 1
    assert migrations.current_version(store.db) == migrations.LATEST


def raw_db(tmp_path: Path) -> Database:
    return Database(sqlite3.connect(tmp_path / "kiosk.db", isolation_level=None))


# -- migrations, each from the version before, with data in the tables -----------------------

SEED: dict[int, Any] = {
    # after version N is applied, what a kiosk of that version would hold
    1: lambda db: db.table("compartment").insert(
        {"id": "A01", "bus": "lockbus0", "board": 0, "lock": 1, "size": "S", "position": "low",
         "holds": "000.00.53.H48-220921-0099", "holds_kind": "result", "updated_at": "t0"}
    ),
    2: lambda db: audit.append(db, at="t", kiosk_id="K", actor="a", action="x", subject=None, detail="{}"),
    3: lambda db: db.execute(
        "INSERT INTO outbox (uuid, kind, at, kiosk_id, actor, payload, audit_seq, prev_audit_hash)"
        " VALUES ('u1', 'result-loaded', 't', 'K', 'a', '{}', 1, 'h')"
    ),
    4: lambda db: db.execute(
        "INSERT INTO staff (id, name, role, pin_hash) VALUES ('CB-1', 'Lan', 'officer', 'x')"
    ),
    6: lambda db: db.execute(
        "INSERT INTO dead_letter VALUES (1, 'u1', 'result-loaded', NULL, 'refused', 't')"
    ),
    5: lambda db: db.execute(
        "INSERT INTO dossier_status VALUES ('000.00.53.H48-220921-0099', '{\"status\": \"finished\"}', 't')"
    ),
    7: lambda db: db.execute(
        "INSERT INTO dead_letter VALUES (2, 'u2', 'result-loaded', NULL, 'refused', 't', '{\"pin\": \"1\"}')"
    ),
    8: lambda db: db.execute("INSERT INTO process_snapshot VALUES ('ui', 1, '{}', 't')"),
    9: lambda db: db.execute(
        "INSERT INTO archive VALUES (1, 'K-00001-20261123.jsonl.xz', 't', 1, 0, 'h', 0, 0, 10, 'x')"
    ),
    10: lambda db: db.execute("INSERT INTO rating_tally VALUES ('2026-11-23T15:00:00+07:00', 'ok', 1)"),
    11: lambda db: db.execute(
        "INSERT INTO payment (reference, item, dossier_code, method, amount, state, created_at, updated_at)"
        " SELECT 'P1', id, dossier_code, 'cash', 8000, 'requested', 't', 't' FROM item LIMIT 1"
    ),
    12: lambda db: db.execute(
        "INSERT INTO payment (reference, item, dossier_code, method, amount, state, created_at, updated_at,"
        " twice_flagged) SELECT 'P2', id, dossier_code, 'vietqr', 8000, 'paid', 't', 't', 2 FROM item LIMIT 1"
    ),
}  # fmt: skip
# what must still be there once version N is applied over data of the versions before
SURVIVES: dict[int, Any] = {
    4: lambda db: db.execute("SELECT COUNT(*) FROM outbox").fetchone() == (1,),
    5: lambda db: db.execute("SELECT COUNT(*) FROM staff").fetchone() == (1,),
    6: lambda db: db.execute("SELECT uuid, outcome FROM outbox").fetchall() == [("u1", None)],
    7: lambda db: db.execute("SELECT seq, payload FROM dead_letter").fetchall() == [(1, None)],
    8: lambda db: (
        db.execute("SELECT COUNT(*) FROM kiosk_flag").fetchone() == (0,)
        and db.execute("SELECT seq FROM dead_letter ORDER BY seq").fetchall() == [(1,), (2,)]
    ),
    # the log written before keeps its rows, and the anchor starts at the genesis
    9: lambda db: (
        db.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (1,)
        and db.execute("SELECT seq FROM audit_anchor").fetchone() == (0,)
    ),
    10: lambda db: db.execute("SELECT COUNT(*) FROM archive").fetchone() == (1,),
    # results loaded before any holder was asked for are anyone's with the code and PIN
    11: lambda db: db.execute("SELECT requires_holder, holder_hash FROM item").fetchall() == [(0, None)],
    12: lambda db: db.execute("SELECT reference, twice_flagged FROM payment").fetchall() == [("P1", 0)],
    2: lambda db: db.execute("SELECT holds FROM compartment").fetchone()[0] == "000.00.53.H48-220921-0099",
    3: lambda db: (
        db.execute("SELECT dossier_code, kind, state, compartment FROM item").fetchall()
        == [("000.00.53.H48-220921-0099", "result", "held", "A01")]
    ),
}


@pytest.mark.parametrize("migration", migrations.MIGRATIONS, ids=lambda m: f"v{m.version}")
def test_each_migration_from_the_version_before(tmp_path: Path, migration: migrations.Migration) -> None:
    db = raw_db(tmp_path)
    earlier = [m.version for m in migrations.MIGRATIONS if m.version < migration.version]
    for version in earlier:  # a kiosk that lived through each version before
        migrations.migrate(db, "t0", target=version)
        SEED[version](db)
    assert migrations.migrate(db, "t1", target=migration.version) == [migration.version]
    assert migrations.current_version(db) == migration.version
    if migration.version in SURVIVES:
        assert SURVIVES[migration.version](db)
    SEED[migration.version](db)  # the new schema takes what that version writes


def test_migrations_are_idempotent_on_reopen(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    store = open_store(tmp_path)
    versions = [r[0] for r in store.db.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [m.version for m in migrations.MIGRATIONS]


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    db = raw_db(tmp_path)
    db.execute("INSERT INTO schema_version VALUES (99, 'future', 't')")
    db.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this program knows"):
        open_store(tmp_path)


def test_a_failed_migration_leaves_the_version_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = raw_db(tmp_path)
    migrations.migrate(db, "t0", target=1)

    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    monkeypatch.setattr(
        migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], migrations.Migration(2, "x", broken))
    )
    with pytest.raises(RuntimeError):
        migrations.migrate(db, "t1", target=2)
    assert migrations.current_version(db) == 1
    assert "half_done" not in db.table_names()


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "kiosk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(
        DatabaseDamaged, match=r"is damaged \(file is not a database\)\. The kiosk is out of service"
    ):
        open_store(tmp_path)


# -- the audit chain -----------------------------------------------------------------------------


def written_log(tmp_path: Path, rows: int = 6) -> Store:
    store = open_store(tmp_path)
    for i in range(rows):
        store.audit("technician:an", "technician-open-requested", f"A0{i}", reason="kiểm tra")
    return store


def untrigger(store: Store) -> None:
    """What someone editing the file by hand would do first."""
    store.db.execute("DROP TRIGGER audit_log_no_update")
    store.db.execute("DROP TRIGGER audit_log_no_delete")


def test_an_untouched_chain_verifies(tmp_path: Path) -> None:
    report = audit.verify(written_log(tmp_path).db)
    assert report.ok and report.rows == 6


def test_the_program_cannot_rewrite_history(tmp_path: Path) -> None:
    store = written_log(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM audit_log WHERE seq = 2")


def forge_row_3(store: Store) -> None:
    """Edit row 3 and give it a hash that matches its new content."""
    fields = store.db.execute(f"SELECT {audit.COLUMNS} FROM audit_log WHERE seq = 3").fetchone()
    forged = audit.AuditEntry(*fields[:5], "B01", *fields[6:]).digest()
    store.db.execute("UPDATE audit_log SET subject = 'B01', hash = ? WHERE seq = 3", [forged])


@pytest.mark.parametrize(
    ("tamper", "problems"),
    [
        (
            "UPDATE audit_log SET subject = 'B01' WHERE seq = 3",
            [
                "row 3 (technician-open-requested, 2026-11-23T08:00:00.000+00:00)"
                " was edited after it was written"
            ],
        ),
        (forge_row_3, ["row 4 does not follow row 3: one of them was altered"]),
        ("DELETE FROM audit_log WHERE seq IN (2, 3)", ["rows 2–3 deleted (the log jumps from 1 to 4)"]),
        (
            "DELETE FROM audit_log WHERE seq > 4",
            ["rows 5–6 deleted from the end (the log was written up to 6 but ends at 4)"],
        ),
    ],
    ids=["edited", "edited-and-rehashed", "deleted", "cut-from-the-end"],
)
def test_tampering_is_found(tmp_path: Path, tamper: Any, problems: list[str]) -> None:
    store = written_log(tmp_path)
    untrigger(store)
    if callable(tamper):
        tamper(store)
    else:
        store.db.execute(tamper)
    assert audit.verify(store.db).problems == problems


def test_an_append_inside_a_rolled_back_transaction_leaves_no_trace(tmp_path: Path) -> None:
    store = written_log(tmp_path, rows=2)
    with pytest.raises(RuntimeError), store.transaction():
        store.audit("x", "y")
        raise RuntimeError
    assert audit.verify(store.db).rows == 2 and audit.verify(store.db).ok


def test_appends_in_one_transaction_follow_each_other_past_an_undone_savepoint(tmp_path: Path) -> None:
    # the store keeps the chain's head in memory within its transaction: a savepoint undone in the
    # middle (its rows gone) must not leave the next row following a row that is not there
    store = written_log(tmp_path, rows=2)
    with store.transaction():
        store.audit("x", "first")
        with pytest.raises(RuntimeError), store.transaction():
            store.audit("x", "undone")
            raise RuntimeError
        store.audit("x", "second")
        store.audit("x", "third")
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[2:] == ["first", "second", "third"]
    assert audit.verify(store.db).ok and audit.verify(store.db).rows == 5
    store.audit("x", "after")  # a transaction of its own: the head read again
    assert audit.verify(store.db).ok and audit.verify(store.db).rows == 6


# -- compartments follow the config without losing what they hold -------------------------------


def cfg_with(tmp_path: Path, *compartments: dict[str, Any]) -> config.KioskConfig:
    return config.parse(
        {
            "kiosk": {"id": "HG-VT-01", "data_dir": str(tmp_path)},
            "bus": [{"name": "lockbus0", "url": "loop://", "protocol": "cu16"}],
            "compartment": [{"bus": "lockbus0", "board": 0, "size": "S", **c} for c in compartments],
        }
    )


def hold(store: Store, compartment: str, code: str, kind: str) -> None:
    store.db.table("item").insert(
        {"kind": kind, "dossier_code": code, "compartment": compartment, "state": "held",
         "created_at": "t", "updated_at": "t"}
    )  # fmt: skip


def test_sync_adds_moves_and_keeps_contents(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert sync_from_config(
        store, cfg_with(tmp_path, {"id": "A01", "lock": 1}, {"id": "A02", "lock": 2})
    ) == ["A01 added", "A02 added"]
    hold(store, "A01", "G22.39-240517-0012", "result")
    assert (
        sync_from_config(store, cfg_with(tmp_path, {"id": "A01", "lock": 1}, {"id": "A02", "lock": 2})) == []
    )
    changes = sync_from_config(store, cfg_with(tmp_path, {"id": "A01", "lock": 5, "size": "M"}))
    assert changes == ["A01 changed: lock 1 -> 5, size S -> M", "A02 is no longer in the config"]
    a01 = get(store, "A01")
    assert (a01.lock, a01.size, a01.holds) == (5, "M", "G22.39-240517-0012")
    with pytest.raises(UnknownCompartment, match="there is no compartment 'A02'; known: A01"):
        get(store, "A02")
    assert [c.id for c in all_compartments(store, in_config_only=False)] == ["A01", "A02"]
    assert audit.verify(store.db).ok


def test_a_retired_compartment_that_holds_something_is_kept_and_said(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    sync_from_config(store, cfg_with(tmp_path, {"id": "A01", "lock": 1}, {"id": "A02", "lock": 2}))
    hold(store, "A02", "000.00.19.H26-250701-0001", "deposit")
    changes = sync_from_config(store, cfg_with(tmp_path, {"id": "A01", "lock": 1}))
    assert changes == [
        "A02 is no longer in the config (kept: it still holds deposit 000.00.19.H26-250701-0001)"
    ]
    assert sync_from_config(
        store, cfg_with(tmp_path, {"id": "A01", "lock": 1}, {"id": "A02", "lock": 2})
    ) == ["A02 back in the config"]
    assert get(store, "A02").holds == "000.00.19.H26-250701-0001"
