"""The ``kiosk`` and ``kiosk-sim`` commands end to end, as processes, over a real pty."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware_sim.control import ControlClient
from kiosk import audit
from kiosk.store import Store

CONFIG = """
[kiosk]
id = "HG-VT-01"
data_dir = "{data}"

[ui]
speech = false  # a test's kiosk run stays silent: espeak-ng only where a test means it

[[bus]]
name = "lockbus0"
url = "{url}"
protocol = "cu16"
reply_timeout_ms = 60
poll_interval_ms = 10
unlock_confirm_ms = 250

[[bus.board]]
address = 1
hook = "normally-closed"

[[compartment]]
id = "A01"
bus = "lockbus0"
board = 0
lock = 1
size = "S"
position = "low"

[[compartment]]
id = "A02"
bus = "lockbus0"
board = 0
lock = 2
size = "M"

[[compartment]]
id = "C01"
bus = "lockbus0"
board = 1
lock = 1
size = "L"
"""


class Machine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.link = root / "lockbus0"
        self.config = root / "kiosk.toml"
        self.data = root / "data"
        self.config.write_text(CONFIG.format(data=self.data, url=self.link))
        self.sim = subprocess.Popen(
            [sys.executable, "-m", "hardware_sim", "lockboard", "--protocol", "cu16",
             "--boards", "0,1", "--nc-boards", "1", "--link", str(self.link), "--release-ms", "5"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.sim.stdout and self.sim.stdout.readline().startswith("ready")
        self.ctl = ControlClient(root / "lockbus0.ctl")

    def kiosk(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "commands", "--config", str(self.config), *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def run_until_shown(self) -> tuple[str, int, str]:
        """``kiosk run`` offscreen until it says its screen is shown, then SIGTERM, as systemd
        stops it: (what it said, its exit status, its stderr)."""
        import os
        import signal

        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        argv = [sys.executable, "-m", "commands", "--config", str(self.config), "run"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        said = proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        return said, proc.returncode, err

    def audit_actions(self) -> list[str]:
        store = Store.open(self.data, kiosk_id="HG-VT-01")
        try:
            return [r[0] for r in store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
        finally:
            store.close()

    def stop(self) -> None:
        self.sim.terminate()
        self.sim.wait(5)


@pytest.fixture
def machine(short_tmp: Path) -> Iterator[Machine]:
    m = Machine(short_tmp)
    yield m
    m.stop()


def test_lockers_lists_hook_item_and_contents(machine: Machine) -> None:
    machine.ctl.call("open", 0, 2)
    machine.ctl.call("put", 0, 2)
    done = machine.kiosk("lockers")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "BUS",
        "BOARD",
        "LOCK",
        "SIZE",
        "POS",
        "HOOK",
        "ITEM",
        "HOLDS",
        "SERVICE",
    ]
    assert lines[1].split()[:8] == ["A01", "lockbus0", "0", "1", "S", "low", "locked", "absent"]
    assert lines[2].split()[6:8] == ["unlocked", "present"]
    assert lines[3].split()[6] == "locked"  # C01 on the normally-closed board


def test_open_proves_the_unlock_and_audits_it(machine: Machine) -> None:
    done = machine.kiosk("open", "a01", "--reason", "thay khóa", "--by", "binh")
    assert done.returncode == 0, done.stderr
    assert "A01 is open: the board reports its lock released." in done.stdout
    assert machine.ctl.call("state")["boards"]["0"]["open"] == [1]
    assert machine.audit_actions()[-2:] == ["technician-open-requested", "technician-opened"]


def test_open_of_a_jammed_door_fails_plainly(machine: Machine) -> None:
    machine.ctl.call("jam", 1, 1, "on")
    done = machine.kiosk("open", "C01", "--reason", "test")
    assert done.returncode == 1
    assert done.stderr.startswith("C01 did not open: door jammed")
    assert "is open" not in done.stdout
    assert machine.audit_actions()[-2:] == ["technician-open-requested", "technician-open-failed"]


def test_open_on_a_board_that_dies_is_unconfirmed(machine: Machine) -> None:
    machine.ctl.call("silent", 0, "on")
    done = machine.kiosk("open", "A01", "--reason", "test")
    assert done.returncode == 1
    assert "A01 may be open but the board could not confirm it" in done.stderr
    assert machine.audit_actions()[-1] == "technician-open-unconfirmed"


def test_open_needs_a_known_compartment_and_a_reason(machine: Machine) -> None:
    done = machine.kiosk("open", "Z99", "--reason", "x")
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "error: there is no compartment 'Z99'; known: A01, A02, C01",
    )
    done = machine.kiosk("open", "A01", "--reason", "  ")
    assert done.returncode == 1 and "give a reason" in done.stderr


def test_doctor_reports_every_board(machine: Machine) -> None:
    done = machine.kiosk("doctor")
    assert done.returncode == 0, done.stdout
    assert "ok    board 0: answers" in done.stdout and "ok    board 1: answers" in done.stdout
    machine.ctl.call("silent", 1, "on")
    done = machine.kiosk("doctor")
    assert done.returncode == 1
    assert "ok    board 0" in done.stdout
    assert "FAIL  board 1: board 1 on lockbus0 does not answer" in done.stdout


def test_a_device_that_is_not_there(machine: Machine) -> None:
    machine.ctl.call("link", "down")
    done = machine.kiosk("doctor")
    assert done.returncode == 1
    assert f"FAIL  cannot open {machine.link}: No such file or directory" in done.stdout
    done = machine.kiosk("open", "A01", "--reason", "x")
    assert done.returncode == 1 and "A01 did not open: cannot open" in done.stderr
    done = machine.kiosk("lockers")
    assert done.returncode == 1 and "unknown" in done.stdout


def test_audit_verify_finds_tampering(machine: Machine) -> None:
    assert machine.kiosk("open", "A01", "--reason", "x").returncode == 0
    done = machine.kiosk("audit", "verify")
    assert done.returncode == 0 and "The chain is intact" in done.stdout
    store = Store.open(machine.data, kiosk_id="HG-VT-01")
    store.db.execute("DROP TRIGGER audit_log_no_update")
    store.db.execute("UPDATE audit_log SET detail = '{}' WHERE action = 'technician-open-requested'")
    assert not audit.verify(store.db).ok
    store.close()
    done = machine.kiosk("audit", "verify")
    assert done.returncode == 1 and "TAMPERED: row" in done.stdout and "was edited" in done.stdout


def test_bad_config_exits_2_naming_file_and_key(short_tmp: Path) -> None:
    path = short_tmp / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{short_tmp}"\nidd = 1\n')
    done = subprocess.run(
        [sys.executable, "-m", "commands", "--config", str(path), "doctor"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"error: config file {path} is not valid:\n"
        "  - kiosk.idd: unknown key; expected one of: id, data_dir, office, tracking_url, log_level,"
        " procedures, group_shared, min_free_mb\n"
    )


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ('data_dir = ""', "kiosk.data_dir: expected at least 1 character(s)"),
        ('data_dir = "/tmp/x\\u0000y"', "kiosk.data_dir: contains a control character"),
        ("data_dir = " + "[" * 100_000 + "]" * 100_000, "kiosk.data_dir: nested too deeply"),
    ],
)
def test_a_hostile_config_exits_2_naming_the_key_and_makes_nothing(
    short_tmp: Path, setting: str, says: str
) -> None:
    """What broke it: a NUL in data_dir (a traceback), an array nested 100,000 deep (RecursionError)
    and an empty data_dir (a database made in the working directory)."""
    path = short_tmp / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "K1"\n{setting}\n')
    cwd = short_tmp / "cwd"
    cwd.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "commands", "--config", str(path), "lockers"],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: config file {path} is not valid:\n  - {says}")
    assert list(cwd.iterdir()) == []


LOOKUP_SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / "lookup.toml"


def test_a_bad_procedure_catalogue_exits_2_naming_its_file(short_tmp: Path) -> None:
    path = short_tmp / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{short_tmp}"\nprocedures = "p.toml"\n')
    (short_tmp / "p.toml").write_text('[[procedure]]\nkey = "birth"\nvi = "Khai sinh"\n')
    done = subprocess.run(
        [sys.executable, "-m", "commands", "--config", str(path), "scenario", str(LOOKUP_SCENARIO)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"error: config file {short_tmp / 'p.toml'} is not valid:\n"
        "  - procedure[0] (birth).en: required key is missing\n"
    )


def test_config_from_environment(machine: Machine) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "commands", "audit", "verify"],
        capture_output=True, text=True, env={"KIOSK_CONFIG": str(machine.config), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_sim_ctl_errors_are_plain(machine: Machine) -> None:
    def ctl(*words: str) -> subprocess.CompletedProcess[str]:
        argv = [
            sys.executable,
            "-m",
            "hardware_sim",
            "ctl",
            "--socket",
            str(machine.root / "lockbus0.ctl"),
            *words,
        ]
        return subprocess.run(argv, capture_output=True, text=True)

    assert ctl("close", "0", "1").returncode == 0
    done = ctl("put", "0", "3")
    assert (done.returncode, done.stderr.strip()) == (1, "error: door 3 of board 0 is closed: open it first")
    done = ctl("fly", "0")
    assert done.returncode == 1 and "unknown command 'fly'" in done.stderr
    done = ctl("jam", "x")
    assert done.returncode == 1 and "usage: jam BOARD LOCK [on|off]" in done.stderr
    done = ctl("close", "7", "1")
    assert done.returncode == 1 and "no board 7" in done.stderr
