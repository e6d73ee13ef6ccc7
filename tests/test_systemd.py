"""The services' units (DESIGN §7: each service with least privilege): checked offline by systemd's
own tools, scored by ``systemd-analyze security``, and read for the layout the services rely on:
two users sharing /var/lib/kiosk through the group kiosk, the backend's secret seen by the sync
alone, the UI with no network and no device beyond those it drives."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "systemd"
UI, SYNC, DOCTOR = "kiosk-ui.service", "kiosk-sync.service", "kiosk-doctor.service"
MAINTAIN = "kiosk-maintain.service"
SERVICES = (UI, SYNC, DOCTOR, MAINTAIN)
# `systemd-analyze security` exposure, 0 (safe) to 10: the UI needs its display, touch, serial
# and sound devices, so it may score a little higher.
THRESHOLDS = {SYNC: 4.0, DOCTOR: 4.0, UI: 5.0, MAINTAIN: 4.0}
SECRET = "/etc/kiosk/backend-secret"
TOKEN_KEY = "/var/lib/kiosk/pickup-token.key"
STATE = "/var/lib/kiosk"
DEVICES = {
    UI: {
        "char-drm rw",
        "char-input r",
        "char-ttyUSB rw",
        "char-ttyACM rw",
        "char-video4linux rw",
        "char-alsa rw",
    },
    DOCTOR: {"char-ttyUSB rw"},
}
GROUPS = {
    UI: {"video", "render", "input", "dialout", "audio"},
    DOCTOR: {"dialout"},
    SYNC: set(),
    MAINTAIN: set(),
}
EXPOSURE = re.compile(r"Overall exposure level for (\S+): (\d+\.\d)")

Unit = dict[str, list[tuple[str, str]]]


def unit_files() -> list[Path]:
    return sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".timer", ".socket", ".path"))


def tool(name: str) -> str:
    """A systemd tool's path; a missing one fails the test (never a silent skip): make installs it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: scripts/system-deps.sh installs the systemd package when make "
            f"runs as root; otherwise run: sudo apt-get install -y systemd"
        )
    return found


def run(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "SYSTEMD_COLORS": "0"}
    return subprocess.run(
        [tool(name), *args], capture_output=True, text=True, encoding="utf-8", errors="replace",
        env=env, timeout=60, check=False,
    )  # fmt: skip


def parse_unit(path: Path) -> Unit:
    """Each section's (key, value) pairs in order: systemd's keys repeat, which configparser refuses."""
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if lines and lines[-1].endswith("\\"):
            lines[-1] = f"{lines[-1][:-1]} {line}"
        else:
            lines.append(line)
    sections: Unit = {}
    current: list[tuple[str, str]] | None = None
    for line in lines:
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None and "=" in line, f"{path.name}: not a setting: {line!r}"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def unit(name: str) -> Unit:
    return parse_unit(UNITS / name)


def assigned(name: str, key: str, section: str = "Service") -> list[str]:
    """Every value given to ``key``, in order (an empty one included)."""
    return [v for k, v in unit(name).get(section, []) if k == key]


def effective(name: str, key: str) -> list[str]:
    """A list setting as systemd builds it: assignments add up, an empty one resets the list."""
    items: list[str] = []
    for value in assigned(name, key):
        items = [*items, " ".join(value.split())] if value else []
    return items


def last(name: str, key: str, section: str = "Service") -> str | None:
    values = assigned(name, key, section)
    return values[-1] if values else None


def words(name: str, key: str) -> set[str]:
    return {w for value in effective(name, key) for w in value.split()}


def paths(name: str, key: str) -> set[str]:
    """The paths of a path list, without the "-" (ignore if missing) and "+" prefixes."""
    return {w.lstrip("-+") for w in words(name, key)}


# --- systemd's own checks ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filesystem root as a kiosk has it: the units in /etc/systemd/system, systemd's own units
    beside them, and /opt/kiosk/bin/kiosk a real executable, this checkout's entry point. It
    is copied, not linked: systemd-analyze --root= resolves a symlink's target inside the root too."""
    root = tmp_path_factory.mktemp("root")
    system = root / "etc/systemd/system"
    system.mkdir(parents=True)
    for path in unit_files():
        shutil.copyfile(path, system / path.name)
    vendor = root / "usr/lib/systemd/system"
    for source in {p.resolve() for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))}:
        if source.is_dir():
            shutil.copytree(source, vendor, symlinks=True, dirs_exist_ok=True)
    (root / "lib").symlink_to("usr/lib")
    entry = Path(sys.executable).parent / "kiosk"
    assert os.access(entry, os.X_OK), f"{entry} is missing: run the tests with the project's .venv"
    bin_dir = root / "opt/kiosk/bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(entry, bin_dir / "kiosk")
    return root


def test_every_unit_passes_systemd_analyze_verify(installed: Path) -> None:
    names = [p.name for p in unit_files()]
    assert set(SERVICES) | {"kiosk-doctor.timer", "kiosk-maintain.timer"} <= set(names)
    for name in names:  # checked as committed, byte for byte
        assert (installed / "etc/systemd/system" / name).read_bytes() == (UNITS / name).read_bytes()
    done = run("systemd-analyze", "verify", f"--root={installed}", *names)
    # verify exits 0 on an unknown key or a value it cannot parse, and only says so: any output fails
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_scores_under_its_threshold(name: str) -> None:
    def analyze(tenths: int) -> tuple[int, float]:
        # --threshold= is the exposure in tenths, an integer: 40 is 4.0 ("4.0" is refused)
        done = run(
            "systemd-analyze", "security", "--offline=true", f"--threshold={tenths}", str(UNITS / name)
        )
        found = EXPOSURE.search(done.stdout)
        assert found and found[1] == name, done.stdout + done.stderr
        return done.returncode, float(found[2])

    limit = THRESHOLDS[name]
    status, score = analyze(round(limit * 10))
    print(f"{name}: overall exposure {score} (threshold {limit})")
    assert score <= limit
    assert status == 0
    # and the threshold bites: one tenth under the score reached, the same unit fails
    if score > 0:
        assert analyze(round(score * 10) - 1)[0] != 0


def write_sysusers(root: Path) -> None:
    conf = root / "usr/lib/sysusers.d"
    conf.mkdir(parents=True)
    shutil.copyfile(UNITS / "kiosk.sysusers", conf / "kiosk.conf")
    (root / "etc").mkdir()


def table(path: Path) -> dict[str, list[str]]:
    return {fields[0]: fields for fields in (line.split(":") for line in path.read_text().splitlines())}


def test_sysusers_make_two_users_sharing_the_group_kiosk(tmp_path: Path) -> None:
    write_sysusers(tmp_path)
    dry = run("systemd-sysusers", "--dry-run", f"--root={tmp_path}")
    # a line it refuses (a ":" in a description) is only reported, with the status still 0
    assert dry.returncode == 0 and "kiosk.conf:" not in dry.stdout + dry.stderr, dry.stderr
    done = run("systemd-sysusers", f"--root={tmp_path}")  # writes the root's /etc only
    assert done.returncode == 0, done.stderr
    passwd, group = table(tmp_path / "etc/passwd"), table(tmp_path / "etc/group")
    assert set(passwd) == {"kiosk", "kiosk-sync"}
    assert passwd["kiosk"][3] == group["kiosk"][2]  # kiosk's primary group
    assert passwd["kiosk-sync"][3] == group["kiosk-sync"][2]  # the secret's group: its own
    assert group["kiosk"][3].split(",") == ["kiosk-sync"]
    assert all(shell.endswith("nologin") for *_, shell in passwd.values())


def test_tmpfiles_make_the_shared_directory_for_the_group(tmp_path: Path) -> None:
    write_sysusers(tmp_path)
    assert run("systemd-sysusers", f"--root={tmp_path}").returncode == 0
    conf = tmp_path / "usr/lib/tmpfiles.d"
    conf.mkdir(parents=True)
    shutil.copyfile(UNITS / "kiosk.tmpfiles", conf / "kiosk.conf")
    if os.geteuid() != 0:
        pytest.skip("systemd-tmpfiles must be root to chown; the line is still read by the layout tests")
    done = run("systemd-tmpfiles", "--create", f"--root={tmp_path}")  # owners from the root's /etc
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    made = (tmp_path / STATE.lstrip("/")).stat()
    kiosk = table(tmp_path / "etc/passwd")["kiosk"]
    assert (made.st_mode & 0o7777, made.st_uid, made.st_gid) == (0o2770, int(kiosk[2]), int(kiosk[3]))


# --- the layout, read in the units -------------------------------------------------------------


def test_only_the_sync_can_see_the_backend_secret() -> None:
    for name in (UI, DOCTOR, MAINTAIN):
        assert SECRET in paths(name, "InaccessiblePaths"), name
    for name in SERVICES:  # nothing grants it back
        for key in ("ReadOnlyPaths", "ReadWritePaths", "BindPaths", "BindReadOnlyPaths", "LoadCredential"):
            assert not any("backend-secret" in v for v in assigned(name, key)), (name, key)
    # and the sync never sees the UI's token key
    assert TOKEN_KEY in paths(SYNC, "InaccessiblePaths")


def test_the_ui_and_the_doctor_have_no_network() -> None:
    families = words(UI, "RestrictAddressFamilies")
    assert families == {"AF_UNIX"}  # an allow-list ("~" would make it a deny-list), for lookup.sock
    for name in (DOCTOR, MAINTAIN):
        assert words(name, "RestrictAddressFamilies") == {"none"}
    for name in (UI, DOCTOR, MAINTAIN):
        assert (last(name, "PrivateNetwork"), last(name, "IPAddressDeny")) == ("yes", "any"), name
    assert words(SYNC, "RestrictAddressFamilies") == {"AF_INET", "AF_INET6", "AF_UNIX"}


def test_devices_are_closed_but_for_those_each_service_drives() -> None:
    for name, allowed in DEVICES.items():
        assert last(name, "DevicePolicy") == "closed", name
        assert set(effective(name, "DeviceAllow")) == allowed, name
        assert len(effective(name, "DeviceAllow")) == len(allowed), name
    for name in (SYNC, MAINTAIN):  # none at all
        assert (last(name, "PrivateDevices"), last(name, "DevicePolicy")) == ("yes", "closed"), name
        assert effective(name, "DeviceAllow") == [], name
    for name, groups in GROUPS.items():
        assert words(name, "SupplementaryGroups") == groups, name


def test_the_ui_and_the_sync_are_different_users_sharing_the_group() -> None:
    users = {name: last(name, "User") for name in SERVICES}
    assert users == {UI: "kiosk", DOCTOR: "kiosk", SYNC: "kiosk-sync", MAINTAIN: "kiosk"}
    assert {last(name, "Group") for name in SERVICES} == {"kiosk"}
    declared = {shlex.split(line)[1] for line in sysusers_lines() if line.startswith("u ")}
    assert set(users.values()) <= declared
    # the device groups are given per unit, not to the user: the doctor must not inherit the UI's
    memberships = [shlex.split(line)[1:] for line in sysusers_lines() if line.startswith("m ")]
    assert memberships == [["kiosk-sync", "kiosk"]]


def sysusers_lines() -> list[str]:
    text = (UNITS / "kiosk.sysusers").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_state_directory_is_shared_and_never_taken_by_the_sync() -> None:
    for name in (UI, DOCTOR, MAINTAIN):
        assert (effective(name, "StateDirectory"), last(name, "StateDirectoryMode")) == (["kiosk"], "2770")
    # a StateDirectory=kiosk would chown the whole directory (the UI's key too) to kiosk-sync
    assert "kiosk" not in words(SYNC, "StateDirectory")
    assert STATE in paths(SYNC, "ReadWritePaths")
    tmpfiles = [line.split() for line in (UNITS / "kiosk.tmpfiles").read_text().splitlines()]
    assert ["d", STATE, "2770", "kiosk", "kiosk", "-"] in tmpfiles


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_locked_down(name: str) -> None:
    settings = {
        key: last(name, key)
        for key in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "CapabilityBoundingSet")
    }
    assert settings == {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",  # empty: no capability at all
    }
    umask = last(name, "UMask")
    # group-shared files (DESIGN §7), nothing for other users
    assert umask is not None and int(umask, 8) == 0o007
    for key in ("ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups"):
        assert last(name, key) == "yes", key
    filters = effective(name, "SystemCallFilter")
    assert filters[0] == "@system-service" and "~@privileged @resources" in filters
    # numpy's OpenBLAS calls mbind() (in @resources) at import: refused, not killed
    assert last(name, "SystemCallErrorNumber") == "EPERM"


def test_only_the_ui_may_write_and_execute_memory() -> None:
    # Mesa's llvmpipe, the software renderer, JIT-compiles; nothing in the sync or the doctor does
    assert last(UI, "MemoryDenyWriteExecute") is None
    for name in (SYNC, DOCTOR, MAINTAIN):
        assert last(name, "MemoryDenyWriteExecute") == "yes", name


def test_the_services_still_run_what_they_ran() -> None:
    commands = {name: last(name, "ExecStart") for name in SERVICES}
    assert commands == {
        UI: "/opt/kiosk/bin/kiosk run",
        SYNC: "/opt/kiosk/bin/kiosk sync",
        DOCTOR: "/opt/kiosk/bin/kiosk doctor",
        MAINTAIN: "/opt/kiosk/bin/kiosk maintain",
    }
    assert last(UI, "Conflicts", "Unit") == "getty@tty1.service"
    assert "QT_QPA_PLATFORM=eglfs" in assigned(UI, "Environment")
    assert last(UI, "Restart") == last(SYNC, "Restart") == "always"
    assert last(DOCTOR, "Type") == last(MAINTAIN, "Type") == "oneshot"
    assert last("kiosk-doctor.timer", "OnUnitActiveSec", "Timer") == "15min"


def test_the_ui_and_the_sync_are_watched_by_systemd() -> None:
    """Issue 12: both say READY=1 and WATCHDOG=1 (kiosk/notify.py); only their main process may
    (not espeak-ng, not a child); a watchdog's kill restarts them; no core dump of either."""
    watchdog = {UI: "30", SYNC: "60"}
    for name, seconds in watchdog.items():
        assert (last(name, "Type"), last(name, "NotifyAccess")) == ("notify", "main"), name
        assert last(name, "WatchdogSec") == seconds, name
        # a start slower than the default 90 s (a reconcile behind silent boards, a first reseal)
        start = last(name, "TimeoutStartSec")
        assert start is not None and int(start) >= 120, name
        assert last(name, "Restart") in ("always", "on-failure", "on-watchdog"), name
        assert last(name, "LimitCORE") == "0", name  # memory holds PINs, the backend's secret
        # the default WatchdogSignal=SIGABRT, for faulthandler's stacks in the journal
        assert last(name, "WatchdogSignal") is None, name
    # the screen pings every 15 s, asking each of its threads for an answer within 1 s
    assert int(watchdog[UI]) / 2 > 1
    assert last(DOCTOR, "WatchdogSec") is None


def test_maintenance_runs_daily_sees_no_key_and_yields_to_the_touch_screen() -> None:
    assert last("kiosk-maintain.timer", "OnCalendar", "Timer") == "*-*-* 02:30:00"
    assert last("kiosk-maintain.timer", "Persistent", "Timer") == "yes"  # a night the kiosk was off
    # archives and backups need no secret: the PINs of delivered events are gone, others sealed
    assert {SECRET, TOKEN_KEY, f"{STATE}/outbox-seal.key"} <= paths(MAINTAIN, "InaccessiblePaths")
    assert (last(MAINTAIN, "Nice"), last(MAINTAIN, "IOSchedulingClass")) == ("10", "idle")
