"""Retention and space (kiosk/retention.py, kiosk/backup.py, kiosk/space.py, ``kiosk maintain``):
real journeys on the simulated machine, delivered to the stand-in backend, then aged on the test's
clock; the archive is a real file read back from the disk, the backups real SQLite copies."""

from __future__ import annotations

import io
import json
import lzma
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from commands.main import main
from kiosk import archive, audit, backup, config, flags, health, history, retention, space
from kiosk.errors import OutOfService
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.messages import Say
from kiosk.journeys.signin import SignInJourney
from kiosk.store import Store
from tests.backend import StandIn
from tests.machine import Machine
from tests.test_journey_pickup import load, pick_up
from tests.test_sync import worker_for

CODES = [f"000.00.53.H48-261123-{n:04d}" for n in range(1, 5)]


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp / "backend", seed=7)
    yield b
    b.stop()


def deliver(m: Machine, backend: StandIn) -> None:
    worker_for(m, backend).drain()


def count(m: Machine, table: str, where: str = "1") -> int:
    return int(m.store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0])


def reopen(m: Machine) -> None:
    m.store.close()
    m.store = Store.open(m.cfg.data_dir, kiosk_id=m.cfg.kiosk.id, clock=m.clock)
    m.core.store = m.store


def load_with(m: Machine, session: SignInJourney, code: str) -> dict[str, str]:
    """An officer of ``session`` loads ``code``; returns what the citizen was sent (PIN, token)."""
    journey = LoadJourney(m.core, session)
    journey.submit_code(code)
    compartment = journey.data["compartment"]
    m.person("put", compartment)
    m.person("close", compartment)
    journey.tick()
    return dict(journey.sent[-1].payload, compartment=compartment)


def aged(m: Machine, backend: StandIn) -> list[dict[str, str]]:
    """Three results loaded, two picked up (one still waits), all delivered; then 100 days pass
    and a fourth is loaded and delivered."""
    session = m.sign_in()
    sent = [load_with(m, session, code) for code in CODES[:3]]
    for one in sent[:2]:
        pick_up(m, one)
    session.sign_out()
    deliver(m, backend)
    m.clock.advance(100 * 86400)
    session = m.sign_in()
    sent.append(load_with(m, session, CODES[3]))
    session.sign_out()
    deliver(m, backend)
    return sent


def test_old_rows_go_to_an_archive_and_the_chain_still_verifies(machine: Machine, backend: StandIn) -> None:
    sent = aged(machine, backend)
    rows_before = count(machine, "audit_log")
    done = retention.run(machine.store, machine.cfg)
    assert done.archive is not None and done.skipped is None
    path = machine.cfg.archive_dir / done.archive
    assert path.stat().st_mode & 0o777 == 0o600
    # the two handed over went, events, items and journeys; the result still waiting kept its event
    assert done.moved["outbox"] == 4 and done.moved["item"] == 2
    kept = machine.store.db.execute("SELECT kind, dossier_code FROM outbox ORDER BY seq").fetchall()
    assert kept == [("result-loaded", CODES[2]), ("result-loaded", CODES[3])]
    report = audit.verify(machine.store.db)
    assert report.ok, report.problems
    assert report.archived == done.moved["audit_log"] > 0
    assert report.rows + report.archived == rows_before + 1  # and the run's own row after them
    archives = retention.verify_archives(machine.store, machine.cfg)
    assert (archives.problems, archives.archives, archives.events) == ([], 1, 4)
    text = lzma.decompress(path.read_bytes()).decode()
    for one in sent:  # what opens a compartment never goes into an archive
        assert one["pin"] not in text and one["token"] not in text
    assert "pin_hash" not in text
    reopen(machine)  # the marker's row is still there: this database is still the kiosk's own
    assert history.problem(machine.store) is None
    again = retention.run(machine.store, machine.cfg)  # nothing more is old enough
    assert again.archive is None and audit.verify(machine.store.db).ok


def test_what_is_still_needed_is_never_pruned(machine: Machine, backend: StandIn) -> None:
    """An event not delivered, a dead letter, the backend's last accepted event, a result still
    held (its reminders are counted from its events) and a journey still open all stay, however old."""
    open_session = machine.sign_in()  # never signed out: its journey stays open
    first = load_with(machine, open_session, CODES[0])
    pick_up(machine, first)
    load_with(machine, open_session, CODES[1])  # still held
    backend.faults(reject=[CODES[0]])  # its events are refused: dead letters
    deliver(machine, backend)
    backend.faults()
    load_with(machine, open_session, CODES[2])  # never delivered
    machine.clock.advance(200 * 86400)
    done = retention.run(machine.store, machine.cfg)
    left = machine.store.db.execute("SELECT kind, dossier_code, delivered_at IS NULL FROM outbox").fetchall()
    assert ("result-loaded", CODES[2], 1) in left  # undelivered
    assert sum(1 for kind, code, _ in left if code == CODES[0]) == 2  # both rejected: dead letters
    assert ("result-loaded", CODES[1], 0) in left  # held
    assert count(machine, "dead_letter") == 2
    # the audit rows of the open sign-in and everything after them stay
    first_open = machine.store.db.execute(
        "SELECT MIN(seq) FROM audit_log WHERE subject = ?", [open_session.id]
    ).fetchone()[0]
    assert first_open is not None and audit.anchor(machine.store.db).seq < first_open
    assert count(machine, "journey", "ended_at IS NULL") == 1
    assert done.archive is not None and audit.verify(machine.store.db).ok


def test_the_backends_last_accepted_event_stays(machine: Machine, backend: StandIn) -> None:
    """The sync checks its numbering against it at every start: were it pruned, a restart would
    take the kiosk's history for lost."""
    session = machine.sign_in()
    for code in CODES[:3]:
        pick_up(machine, load_with(machine, session, code))
    session.sign_out()
    deliver(machine, backend)
    machine.clock.advance(200 * 86400)  # every event is old now, and no result is held
    retention.run(machine.store, machine.cfg)
    left = machine.store.db.execute("SELECT seq, uuid FROM outbox").fetchall()
    last = backend.get("events")["events"][-1]
    assert left == [(last["seq"], last["uuid"])]
    worker_for(machine, backend).check_sequence()
    assert flags.get(machine.store, flags.HISTORY) is None


def test_a_prune_that_fails_leaves_no_archive_and_the_next_run_succeeds(
    machine: Machine, backend: StandIn
) -> None:
    aged(machine, backend)
    before = machine.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()
    # a real failure inside the prune's transaction, after the archive was written and read back
    machine.store.db.execute(
        "CREATE TRIGGER fail_prune BEFORE DELETE ON journey BEGIN SELECT RAISE(ABORT, 'disk I/O'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk I/O"):
        retention.run(machine.store, machine.cfg)
    assert list(machine.cfg.archive_dir.iterdir()) == []
    assert machine.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone() == before
    assert audit.anchor(machine.store.db).seq == 0 and audit.verify(machine.store.db).ok
    machine.store.db.execute("DROP TRIGGER fail_prune")
    # a file a killed run renamed into place but never recorded: set aside, never deleted (it
    # may be all that is left of a history an older copy of the database put back does not have)
    orphan = machine.cfg.archive_dir / f"{machine.cfg.kiosk.id}-00001-20260909-abcdef{archive.SUFFIX}"
    orphan.write_bytes(b"half a story")
    (machine.cfg.archive_dir / f".{orphan.name}.123.new").write_bytes(b"half written")
    done = retention.run(machine.store, machine.cfg)
    assert done.orphans == [orphan.name] and done.archive is not None and done.archive != orphan.name
    aside = machine.cfg.archive_dir / retention.UNRECORDED / orphan.name
    assert aside.read_bytes() == b"half a story"
    assert sorted(p.name for p in machine.cfg.archive_dir.iterdir()) == sorted([done.archive, "unrecorded"])
    assert retention.verify_archives(machine.store, machine.cfg).problems == []


def test_tampering_with_the_archives_or_the_anchor_is_found(machine: Machine, backend: StandIn) -> None:
    aged(machine, backend)
    name = retention.run(machine.store, machine.cfg).archive
    assert name is not None
    path = machine.cfg.archive_dir / name
    db = machine.store.db
    anchor = audit.anchor(db)
    with pytest.raises(sqlite3.IntegrityError, match="moves only forward"):
        db.execute("UPDATE audit_anchor SET seq = 1, hash = (SELECT hash FROM audit_log LIMIT 1)")
    with pytest.raises(sqlite3.IntegrityError, match="moves only forward"):
        db.execute("UPDATE audit_anchor SET seq = seq + 1, hash = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log WHERE seq = ?", [anchor.seq + 1])
    # an archived row edited, the file written back whole
    lines = lzma.decompress(path.read_bytes()).decode().splitlines()
    at = next(i for i, line in enumerate(lines) if '"table": "audit_log"' in line)
    entry = json.loads(lines[at])
    entry["row"]["actor"] = "someone"
    lines[at] = json.dumps(entry)
    path.write_bytes(lzma.compress("\n".join(lines).encode()))
    problems = retention.verify_archives(machine.store, machine.cfg).problems
    assert any("has changed since it was written" in p for p in problems)
    assert any("was edited after it was written" in p for p in problems)
    path.unlink()
    assert any("ARCHIVE LOST" in p for p in retention.verify_archives(machine.store, machine.cfg).problems)
    # rows deleted by someone who went around the triggers, the anchor moved over them
    db.execute("DROP TRIGGER audit_anchor_forward")
    db.execute("DROP TRIGGER audit_log_no_delete")
    forged = db.execute("SELECT hash FROM audit_log WHERE seq = ?", [anchor.seq + 3]).fetchone()[0]
    db.execute("DELETE FROM audit_log WHERE seq <= ?", [anchor.seq + 3])
    db.execute("UPDATE audit_anchor SET seq = ?, hash = ?", [anchor.seq + 3, forged])
    found = audit.verify(db).problems
    assert any("rows were removed without an archive" in p for p in found), found


def test_a_daily_backup_is_a_checked_whole_copy_and_n_are_kept(machine: Machine) -> None:
    load(machine, CODES[0])
    cfg = machine.cfg.model_copy(update={"retention": config.RetentionSection(backups_kept=2)})
    made = []
    for day in range(3):
        machine.clock.advance(86400 if day else 0)
        made.append(backup.make(machine.store, cfg).path)
        backup.rotate(cfg, cfg.retention.backups_kept)
    assert backup.existing(cfg) == made[1:]
    again = backup.make(machine.store, cfg)  # a second run on a day replaces that day's
    assert again.path == made[2] and backup.existing(cfg) == made[1:]
    copy = sqlite3.connect(made[2])
    assert copy.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one whole file
    assert copy.execute("SELECT kind, dossier_code FROM outbox").fetchall() == [("result-loaded", CODES[0])]
    copy.close()
    assert made[2].stat().st_mode & 0o777 == 0o600
    assert [p.name for p in cfg.backup_dir.iterdir() if not backup.NAME.match(p.name)] == []


def test_a_backup_put_back_raises_the_history_flag(machine: Machine) -> None:
    """Restoring is a technician's act: the kiosk sees an older copy of its own database and
    serves no one until it is confirmed (README: Backups)."""
    load(machine, CODES[0])
    copy = backup.make(machine.store, machine.cfg).path
    load(machine, CODES[1])
    history.mark(machine.store)  # as the touch screen does when a journey ends
    machine.store.close()
    for side in ("-wal", "-shm"):
        (machine.cfg.data_dir / f"kiosk.db{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, machine.cfg.data_dir / "kiosk.db")
    machine.store = Store.open(machine.cfg.data_dir, kiosk_id=machine.cfg.kiosk.id, clock=machine.clock)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "replaced"


def capped(m: Machine, cap_mb: int = 16) -> config.KioskConfig:
    cfg = m.cfg.model_copy(update={"retention": config.RetentionSection(max_disk_mb=cap_mb)})
    m.core.cfg = cfg
    return cfg


def fill(cfg: config.KioskConfig, mb: float) -> None:
    cfg.archive_dir.mkdir(exist_ok=True)
    with open(cfg.archive_dir / "moved-here-by-hand.bin", "wb") as f:
        f.write(b"\x01" * int(mb * space.MB))


def test_near_the_cap_an_alarm_and_at_it_no_drop_offs_while_pickups_go_on(
    machine: Machine, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = capped(machine)
    sent = load(machine, CODES[0])
    fill(cfg, 13.5)  # over 80 % of 16 MB
    machine.clock.advance(61)
    DropoffJourney(machine.core).cancel()  # warned, not refused
    assert flags.get(machine.store, flags.DISK_NEAR_CAP) is not None
    assert "use" in caplog.text and "MB cap" in caplog.text
    assert not any(
        "cap" in p for p in health.problems(health.read(machine.store.db.conn, cfg, machine.clock()), 45)
    )
    fill(cfg, 17)
    machine.clock.advance(61)
    with pytest.raises(OutOfService) as refused:
        DropoffJourney(machine.core)
    assert refused.value.said == Say.DROPOFFS_PAUSED.format()
    assert "nhận kết quả" in refused.value.said[0] and "pick up" in refused.value.said[1]
    pick_up(machine, sent)  # pickups go on
    assert machine.outbox()[-1][0] == "result-picked-up"
    alarms = [json.loads(p)["problem"] for (p,) in machine.store.db.execute(
        "SELECT payload FROM outbox WHERE kind = 'alarm'")]  # fmt: skip
    assert len(alarms) == 2 and "drop-offs are refused" in alarms[1]
    said = health.problems(health.read(machine.store.db.conn, cfg, machine.clock()), 45)
    # /healthz says what is refused, and is no 503 for the warning alone
    assert [p for p in said if "cap" in p] == [said[0]] and said[0].startswith("drop-offs refused: disk-cap")
    (cfg.archive_dir / "moved-here-by-hand.bin").unlink()  # the archives taken to the office
    machine.clock.advance(61)
    journey = DropoffJourney(machine.core)
    assert journey.state is Dropoff.WAITING_CODE
    assert flags.get(machine.store, flags.DISK_CAP) is flags.get(machine.store, flags.DISK_NEAR_CAP) is None


# -- the command ---------------------------------------------------------------------------------


def config_file(m: Machine, **retention_keys: object) -> Path:
    """A config for the ``kiosk`` command on the machine's data directory (no bus: the command
    needs none)."""
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in retention_keys.items())
    path = m.cfg.data_dir.parent / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "{m.cfg.kiosk.id}"\ndata_dir = "{m.cfg.data_dir}"\n\n[retention]\n{extra}'
    )
    return path


def kiosk(path: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--config", str(path), *args], out=out), out.getvalue()


def test_kiosk_maintain_archives_backs_up_and_says_so(machine: Machine, backend: StandIn) -> None:
    aged(machine, backend)
    machine.store.close()  # the command opens the database itself, on the real clock: months later
    path = config_file(machine, archive_after_days=1, backups_kept=3)  # the real clock: 1 December
    status, said = kiosk(path, "maintain")
    assert status == 0, said
    assert "archived to" in said and "backed up to" in said and "disk: the kiosk's files use" in said
    status, said = kiosk(path, "maintain", "--status")
    assert status == 0, said
    assert "archives: 1 in" in said and "backups: 1 in" in said
    status, said = kiosk(path, "audit", "verify", "--archives")
    assert status == 0, said
    assert "through every archive" in said and "are in the archives" in said
    machine.store = Store.open(machine.cfg.data_dir, kiosk_id=machine.cfg.kiosk.id, clock=machine.clock)


def test_kiosk_maintain_at_the_cap_lets_old_backups_go_and_exits_1(machine: Machine) -> None:
    load(machine, CODES[0])
    machine.store.close()
    path = config_file(machine, max_disk_mb=16)
    cfg = config.load(path)
    cfg.backup_dir.mkdir()
    for day in ("20261101", "20261102"):  # older backups, as earlier runs left them
        (cfg.backup_dir / f"kiosk-{day}.db").write_bytes(b"\1" * 9 * space.MB)
    status, said = kiosk(path, "maintain")
    assert status == 0, said
    assert "removed the backup kiosk-20261101.db to stay under the cap" in said
    assert backup.existing(cfg)[0].name == "kiosk-20261102.db"
    fill(cfg, 16)  # the archives were never taken to the office
    status, said = kiosk(path, "maintain")
    assert status == 1 and "AT THE CAP: drop-offs are refused" in said, said
    assert len(backup.existing(cfg)) == 1  # today's: the newest always stays
    status, said = kiosk(path, "maintain", "--status")
    assert status == 1 and "! disk-cap since" in said
    machine.store = Store.open(machine.cfg.data_dir, kiosk_id=machine.cfg.kiosk.id, clock=machine.clock)
    assert flags.get(machine.store, flags.DISK_CAP) is not None


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"archive_after_days": 0}, "retention.archive_after_days: expected a number of at least 1"),
        ({"alarm_percent": 100}, "retention.alarm_percent: expected a number of at most 99"),
        ({"backup_dir": "."}, "retention.backup_dir: "),
        ({"backup_dir": "archive"}, "retention.backup_dir: "),
        ({"keep": 3}, "retention.keep: unknown key"),
    ],
)
def test_a_bad_retention_table_is_refused_with_its_key(
    short_tmp: Path, keys: dict[str, object], words: str
) -> None:
    with pytest.raises(config.ConfigError) as refused:
        config.parse({"kiosk": {"id": "K", "data_dir": str(short_tmp)}, "retention": keys})
    assert words in str(refused.value)
