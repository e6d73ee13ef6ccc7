"""What the kiosk keeps on disk, under attack and accident (DESIGN §7): file modes whatever the
umask, a damaged database, a lost, replaced or foreign one, and an item no record explains."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import flags, history
from kiosk.errors import DatabaseDamaged, OutOfService
from kiosk.journeys.dropoff import DropoffJourney
from kiosk.journeys.load import Load, LoadJourney
from kiosk.journeys.officer import SettleJourney
from kiosk.journeys.pickup import PickupJourney
from kiosk.journeys.technician import TechnicianJourney
from kiosk.recovery import reconcile
from kiosk.store import Store
from tests.machine import Machine
from tests.test_cli import Machine as CliMachine
from tests.test_journey_pickup import CODE, load


def open_store(root: Path, kiosk_id: str = "HG-VT-01", **kw: object) -> Store:
    return Store.open(root, kiosk_id=kiosk_id, clock=lambda: datetime(2026, 11, 23, 8, tzinfo=UTC), **kw)  # type: ignore[arg-type]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- secrets and data at rest ----------------------------------------------------------------------


@pytest.mark.parametrize(("group_shared", "want"), [(False, 0o600), (True, 0o660)])
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o002])
def test_the_database_and_its_side_files_are_private_whatever_the_umask(
    tmp_path: Path, umask: int, group_shared: bool, want: int
) -> None:
    """The attack: kiosk.db, with undelivered PINs, tokens and phones, was made 0644."""
    old = os.umask(umask)
    try:
        store = open_store(tmp_path, group_shared=group_shared)
        store.audit("t", "x", None)  # a write: the -wal and -shm exist now
        made = [tmp_path / n for n in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm", history.MARKER)]
        assert {p.name: mode(p) for p in made} == {p.name: want for p in made}
        store.close()
    finally:
        os.umask(old)


def test_a_database_made_open_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
        if (tmp_path / name).exists():
            (tmp_path / name).chmod(0o644)
    open_store(tmp_path).close()
    assert mode(tmp_path / "kiosk.db") == 0o600


def test_the_cli_keeps_everything_private_under_an_open_umask(short_tmp: Path) -> None:
    m = CliMachine(short_tmp)
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import os, sys; os.umask(0); from commands.main import main;"
             f" sys.exit(main(['--config', {str(m.config)!r}, 'lockers']))"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, done.stderr
        assert mode(m.data) == 0o700
        assert {p.name: mode(p) for p in m.data.iterdir()} == {p.name: 0o600 for p in m.data.iterdir()}
    finally:
        m.stop()


# -- a damaged database ------------------------------------------------------------------------------


def damage(db: Path) -> None:
    """Overwrite one page in the middle, as a bad sector or a torn write would."""
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) >= 8 * page
    data[5 * page : 6 * page] = b"\xde\xad\xbe\xef" * (page // 4)
    db.write_bytes(bytes(data))


def filled(root: Path) -> Path:
    store = open_store(root)
    for i in range(300):
        store.audit("technician:an", "note", f"A{i:02d}", words="x" * 100)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return root / "kiosk.db"


def test_a_damaged_database_is_refused_at_open_with_a_plain_message(tmp_path: Path) -> None:
    damage(filled(tmp_path))
    with pytest.raises(DatabaseDamaged, match=r"is damaged \(.*Page 6.*\)\. The kiosk is out of service"):
        open_store(tmp_path)


@pytest.mark.parametrize("command", [["lockers"], ["doctor"], ["audit", "verify"], ["sync", "--status"]])
def test_every_command_on_a_damaged_database_says_so_without_a_traceback(
    short_tmp: Path, command: list[str]
) -> None:
    """What broke: a corrupt page made every command, doctor and audit verify included, end in a
    traceback."""
    m = CliMachine(short_tmp)
    try:
        m.data.mkdir(mode=0o700, exist_ok=True)
        damage(filled(m.data))
        done = m.kiosk(*command)
        assert done.returncode == 1
        assert "is damaged" in done.stderr and "restore kiosk.db from the latest backup" in done.stderr
    finally:
        m.stop()


def test_doctor_runs_the_thorough_check(machine: Machine) -> None:
    assert machine.store.integrity_problems() == []


# -- a lost, replaced or foreign database ------------------------------------------------------------


def test_a_deleted_database_is_not_taken_for_a_new_kiosk(short_tmp: Path) -> None:
    """What broke: deleting kiosk.db made the kiosk start over silently; `kiosk lockers` exited 0,
    `audit verify` said intact, and a load opened a compartment holding another citizen's result."""
    m = CliMachine(short_tmp)
    try:
        assert m.kiosk("lockers").returncode == 0
        for f in m.data.glob("kiosk.db*"):
            f.unlink()
        lockers = m.kiosk("lockers")
        assert lockers.returncode == 1 and "OUT OF SERVICE (history: lost" in lockers.stdout
        assert "kiosk history confirm" in lockers.stdout
        verify = m.kiosk("audit", "verify")
        assert verify.returncode == 1 and "HISTORY LOST" in verify.stdout and "intact" not in verify.stdout
        assert m.kiosk("history", "status").returncode == 1
        assert m.kiosk("history", "confirm").returncode == 1  # a reason is required
        confirmed = m.kiosk("history", "confirm", "--reason", "every compartment opened and checked")
        assert confirmed.returncode == 0 and "citizens are served again" in confirmed.stdout
        assert m.kiosk("history", "status").returncode == 0
        assert m.kiosk("audit", "verify").returncode == 0
        assert "history-confirmed" in m.audit_actions()
    finally:
        m.stop()


def reopen(m: Machine, *, kiosk_id: str = "HG-VT-01") -> None:
    """The machine with its store opened again (the devices as they were)."""
    m.lockers.close()
    m.store.close()
    m.store = Store.open(m.cfg.data_dir, kiosk_id=kiosk_id, clock=m.clock)
    from kiosk.compartments import sync_from_config
    from kiosk.core import Core
    from kiosk.lockers import Lockers

    sync_from_config(m.store, m.cfg)
    m.lockers = Lockers.from_config(m.cfg, m.store)
    m.core = Core(m.cfg, m.store, m.lockers)


def test_a_lost_database_serves_no_citizen_and_loads_nothing_until_confirmed(machine: Machine) -> None:
    sent = load(machine)  # a result in A01, its citizen has the PIN by SMS
    for f in machine.cfg.data_dir.glob("kiosk.db*"):
        f.unlink()
    reopen(machine)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "lost"
    kinds = [r[0] for r in machine.store.db.execute("SELECT kind FROM outbox")]
    assert "alarm" in kinds  # the office hears of it
    for start in (PickupJourney, DropoffJourney):
        with pytest.raises(OutOfService) as refused:
            start(machine.core)
        assert refused.value.said[0].startswith("Máy tạm ngừng phục vụ")
    with pytest.raises(OutOfService, match="waits for a technician"):
        LoadJourney(machine.core, machine.sign_in())
    TechnicianJourney(machine.core, machine.sign_in("technician"))  # the technician is never kept out
    # the result still sits in A01, which the new database thinks empty: found by its sensor
    settled = reconcile(machine.core)
    assert [s.state for s in settled if s.kind == "item"] == ["unknown"]
    settle = SettleJourney(machine.core, machine.sign_in())
    assert [(i["compartment"], i["state"]) for i in settle.items()] == [(sent["compartment"], "uncertain")]
    history.confirm(machine.store, by="technician:an", reason="checked")
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code("000.00.53.H48-220921-0100")
    assert journey.data["compartment"] != sent["compartment"]  # never given to a new item


def test_a_load_never_opens_a_compartment_whose_sensor_shows_an_unknown_item(machine: Machine) -> None:
    for step in ("open", "put", "close"):  # an item the store knows nothing of (a door forced, a lost db)
        machine.person(step, "A01")
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    assert journey.state is Load.DOOR_OPEN and journey.data["compartment"] == "A02"
    assert 1 not in machine.ctl.call("state")["boards"]["0"]["open"]  # A01 was never unlocked
    assert ("outcome-uncertain", None, "A01") in machine.outbox()
    items = SettleJourney(machine.core, machine.sign_in()).items()
    assert [(i["compartment"], i["dossier_code"]) for i in items] == [("A01", "UNKNOWN-A01")]


def test_a_replaced_database_is_flagged(machine: Machine, tmp_path: Path) -> None:
    """A copy (an old backup, another machine's file) put in place of the kiosk's own."""
    other = tmp_path / "other"
    other.mkdir()
    open_store(other).close()
    machine.store.close()
    for f in machine.cfg.data_dir.glob("kiosk.db*"):
        f.unlink()
    shutil.copy(other / "kiosk.db", machine.cfg.data_dir / "kiosk.db")
    reopen(machine)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "replaced"


def test_a_database_of_another_kiosk_is_foreign_and_cannot_be_confirmed(machine: Machine) -> None:
    machine.store.close()
    machine.store = Store.open(machine.cfg.data_dir, kiosk_id="HG-VT-02", clock=machine.clock)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "foreign"
    with pytest.raises(ValueError, match="belongs to kiosk HG-VT-01"):
        history.confirm(machine.store, by="technician:an", reason="looks fine")


def test_reopening_the_kiosks_own_database_raises_nothing(machine: Machine) -> None:
    load(machine)
    reopen(machine)
    reopen(machine)
    assert flags.all_flags(machine.store) == []


def test_a_damaged_marker_is_unverifiable_not_a_crash(machine: Machine) -> None:
    (machine.cfg.data_dir / history.MARKER).write_text("{not json")
    reopen(machine)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "unverifiable"


def test_the_disk_flag_follows_the_free_space(machine: Machine) -> None:
    """Below the floor no new journey starts and an alarm goes out, once; with room again, the
    kiosk serves by itself."""
    high = machine.cfg.model_copy(
        update={"kiosk": machine.cfg.kiosk.model_copy(update={"min_free_mb": 10**6})}
    )
    machine.core.cfg = high
    for _ in range(2):
        with pytest.raises(OutOfService):
            PickupJourney(machine.core)
    alarms = machine.store.db.execute("SELECT payload FROM outbox WHERE kind = 'alarm'").fetchall()
    assert len(alarms) == 1 and "disk nearly full" in alarms[0][0]
    TechnicianJourney(machine.core, machine.sign_in("technician"))
    machine.core.cfg = machine.cfg
    PickupJourney(machine.core)
    assert flags.get(machine.store, flags.DISK_LOW) is None


def test_a_stored_row_recovery_cannot_read_becomes_uncertain_not_a_crash(machine: Machine) -> None:
    """What broke: an assignment's 10^12-day hold raised OverflowError once the result was placed,
    and every restart then crashed in recovery."""
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    journey.data["hold_days"] = 10**12  # as the backend sent it, before answers were bounded
    machine.store.db.execute(
        "UPDATE journey SET data = ? WHERE id = ?", [json.dumps(journey.data), journey.id]
    )
    machine.person("put", journey.data["compartment"])
    machine.person("close", journey.data["compartment"])
    settled = reconcile(machine.core)  # a crash at the open door: settled from the row
    assert [s.outcome for s in settled if s.kind == "load"] == [
        "completed"
    ]  # the site's hold, not 10^12 days
    other = LoadJourney(machine.core, machine.sign_in())
    other.submit_code("000.00.53.H48-220921-0100")
    machine.store.db.execute("UPDATE journey SET data = '{not json' WHERE id = ?", [other.id])
    settled = reconcile(machine.core)
    assert [s.outcome for s in settled if s.kind == "load"] == ["uncertain"]
    state = machine.store.db.execute(
        "SELECT state FROM item WHERE dossier_code = '000.00.53.H48-220921-0100'"
    )
    assert state.fetchone() == ("uncertain",)
    assert [s for s in reconcile(machine.core) if s.kind != "signin"] == []  # the next start is quiet


def test_a_failed_write_leaves_the_journey_where_the_store_says(machine: Machine) -> None:
    """What broke: on a full disk the screen was told "opening" for a change that had been rolled
    back. Here the write fails for real (SQLite refuses it); the journey stays where it was, and
    no unlock frame was sent."""
    journey = LoadJourney(machine.core, machine.sign_in())
    machine.store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.Error):
        journey.submit_code(CODE)
    machine.store.db.execute("PRAGMA query_only = OFF")
    assert journey.state is Load.SCANNING
    row = machine.store.db.execute("SELECT state FROM journey WHERE id = ?", [journey.id]).fetchone()
    assert row == ("scanning",)
    assert machine.ctl.call("state")["boards"]["0"]["open"] == []  # no unlock frame went out


# -- the kiosk key ------------------------------------------------------------------------------------


def test_a_deleted_key_is_never_silently_made_anew(machine: Machine) -> None:
    """What broke: with pickup-token.key deleted, a new key was made at the next start, and every
    held result's PIN and QR, and every staff PIN, stopped working without a word."""
    from kiosk.core import Core
    from kiosk.pickup_codes import KeyFileError

    load(machine)
    key = machine.cfg.data_dir / "pickup-token.key"
    key.unlink()
    with pytest.raises(KeyFileError, match="is missing, but this database's pickup codes"):
        Core(machine.cfg, machine.store, machine.lockers)
    assert not key.exists()  # nothing made over the old codes
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    with pytest.raises(KeyFileError, match="is not the key this database's pickup codes"):
        Core(machine.cfg, machine.store, machine.lockers)


def test_a_key_lost_for_good_is_replaced_by_a_technician(short_tmp: Path) -> None:
    m = CliMachine(short_tmp)
    try:
        m.data.mkdir(mode=0o700)
        store = Store.open(m.data, kiosk_id="HG-VT-01")
        from kiosk import staff

        staff.add(store, "CB-0042", "Lan", "officer", "482916", by="test")
        store.close()
        (m.data / "pickup-token.key").unlink()
        argv = [sys.executable, "-m", "commands", "--config", str(m.config), "staff", "add"]
        refused = subprocess.run(
            [*argv, "CB-0043", "--name", "Hoa"], input="482916\n", capture_output=True, text=True, timeout=60
        )
        assert refused.returncode == 1 and "kiosk key replace" in refused.stderr, refused.stderr
        assert m.kiosk("key", "replace").returncode == 1  # a reason is required
        done = m.kiosk("key", "replace", "--reason", "disk replaced, no backup of the key")
        assert (
            done.returncode == 0
            and "Enrol each member of staff again" in done.stdout
            and "CB-0042" in done.stdout
        )
        assert mode(m.data / "pickup-token.key") == 0o600
        assert "kiosk-key-replaced" in m.audit_actions()
        enrol = subprocess.run(
            [*argv, "CB-0042", "--name", "Lan"], input="482916\n", capture_output=True, text=True, timeout=60
        )
        assert enrol.returncode == 0, enrol.stderr
    finally:
        m.stop()


def test_a_held_result_of_a_replaced_key_goes_to_an_officer(machine: Machine) -> None:
    from kiosk import rekey

    sent = load(machine)
    done = rekey.replace_key(machine.store, by="technician:an", reason="lost")
    assert done.held == [(CODE, sent["compartment"])]
    assert ("outcome-uncertain", CODE, sent["compartment"]) in machine.outbox()
    reopen(machine)  # the new key is this database's now
    from kiosk import staff
    from tests.machine import STAFF

    staff_id, name, pin = STAFF["officer"]
    staff.add(machine.store, staff_id, name, "officer", pin, by="technician:an")  # enrolled again
    items = SettleJourney(machine.core, machine.sign_in()).items()
    assert [i["dossier_code"] for i in items] == [CODE]


def test_kiosk_run_with_a_refused_key_shows_out_of_service(short_tmp: Path) -> None:
    """What broke: a refused key ended kiosk run with exit 1 and a black screen that systemd
    restarted every two seconds."""

    m = CliMachine(short_tmp)
    try:
        assert m.kiosk("lockers").returncode == 0
        open_store(m.data).close()
        key = m.data / "pickup-token.key"
        key.write_bytes(b"k" * 32)
        key.chmod(0o644)
        said, status, err = m.run_until_shown()
        assert said.startswith("ready: the out-of-service screen is shown")
        assert status == 1 and "chmod 600" in err and "Traceback" not in err, err
    finally:
        m.stop()


@pytest.mark.parametrize("name", [history.MARKER, "pickup-token.key"])
def test_a_fifo_in_place_of_the_marker_or_the_key_never_hangs_a_start(short_tmp: Path, name: str) -> None:
    """What broke: a FIFO put at kiosk-identity.json or pickup-token.key blocked every process at
    start, before anything was shown or logged."""
    m = CliMachine(short_tmp)
    try:
        assert m.kiosk("lockers").returncode == 0
        (m.data / name).unlink(missing_ok=True)
        os.mkfifo(m.data / name, 0o600)
        done = m.kiosk("staff", "list")  # opens the store; a staff command reads the key only when adding
        assert done.returncode in (0, 1)
        if name == history.MARKER:
            status = m.kiosk("history", "status")
            assert status.returncode == 1 and "is not a regular file" in status.stdout
        else:
            from kiosk import config
            from kiosk.core import Core
            from kiosk.lockers import Lockers
            from kiosk.pickup_codes import KeyFileError

            store = Store.open(m.data, kiosk_id="HG-VT-01")
            cfg = config.load(m.config)
            with pytest.raises(KeyFileError, match="is not a regular file"):
                Core(cfg, store, Lockers(cfg, store, {}))
            store.close()
    finally:
        m.stop()


def test_an_old_copy_of_the_kiosks_own_database_put_back_is_flagged(machine: Machine, tmp_path: Path) -> None:
    """What broke: an old backup of this kiosk's own kiosk.db has the marker's identity, so it
    passed, and a token already used opened its compartment again (which may hold another result
    since)."""
    history.mark(machine.store)
    machine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = tmp_path / "kiosk.db"
    shutil.copy(machine.cfg.data_dir / "kiosk.db", backup)  # the nightly copy
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    pickup.tick()
    history.mark(machine.store)  # the journey ended: how far the log has come
    machine.store.close()
    for f in machine.cfg.data_dir.glob("kiosk.db*"):
        f.unlink()
    shutil.copy(backup, machine.cfg.data_dir / "kiosk.db")  # put back
    reopen(machine)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "replaced" and "ends at row" in raised.detail
    with pytest.raises(OutOfService):
        PickupJourney(machine.core)  # the used token cannot be tried again


def test_a_lost_write_ahead_log_is_flagged(machine: Machine) -> None:
    """After a power cut, the -wal deleted: the database silently goes back to its last checkpoint."""
    machine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    load(machine)  # committed, in the write-ahead log only
    history.mark(machine.store)
    main_file = (machine.cfg.data_dir / "kiosk.db").read_bytes()  # what the disk holds without the log
    machine.store.close()
    for f in machine.cfg.data_dir.glob("kiosk.db*"):
        f.unlink()
    (machine.cfg.data_dir / "kiosk.db").write_bytes(main_file)
    reopen(machine)
    raised = history.problem(machine.store)
    assert raised is not None and raised.value == "replaced"
