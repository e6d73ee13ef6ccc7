"""``kiosk cash status`` against the simulator on a pty: what it prints and its exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from commands.main import main
from hardware_sim.control import ControlClient
from kiosk.assembly import validator_from_config
from kiosk.config import CashSection
from tests.cash_rig import CashRig, cash_rig


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[CashRig]:
    with cash_rig(short_tmp) as r:
        yield r


def config(root: Path, cash: str | None) -> Path:
    cfg = root / "kiosk.toml"
    text = f'[kiosk]\nid = "HG-VT-01"\ndata_dir = "{root}/data"\noffice = "UBND phường Vị Thanh"\n'
    cfg.write_text(text + (f"[cash]\n{cash}\n" if cash else ""), encoding="utf-8")
    return cfg


def kiosk_cash(cfg: Path) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--config", str(cfg), "cash", "status"], out=out), out.getvalue()


def test_status_prints_what_the_validator_says_of_itself(rig: CashRig, short_tmp: Path) -> None:
    code, text = kiosk_cash(config(short_tmp, f'url = "{rig.link}"'))
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0] == f"Bill validator at {rig.link} (SSP, address 0, 9600 baud)"
    assert lines[1:6] == [
        "  unit:     banknote validator", "  firmware: 0400", "  country:  VND", "  protocol: 8",
        "  serial:   25132842",
    ]  # fmt: skip
    assert lines[6] == "  channel 1: 10.000 đồng" and lines[11] == "  channel 6: 500.000 đồng"
    assert lines[-1] == "The validator answers: 6 channel(s)."
    assert rig.ctl.call("state")["enabled"] is False  # a look, not a payment: it takes no note


def test_status_of_a_silent_validator_names_the_port_and_what_to_check(rig: CashRig, short_tmp: Path) -> None:
    rig.ctl.call("silent", "on")
    code, text = kiosk_cash(config(short_tmp, f'url = "{rig.link}"\nreply_timeout_ms = 50\nretries = 1'))
    assert code == 1
    assert f"the bill validator on {rig.link} does not answer (no reply to SYNC in 2 tries)" in text
    assert "check its power, the serial cable, and that it is set to SSP at 9600 baud with address 0" in text
    assert text.splitlines()[-1] == "The kiosk cannot take cash until the validator answers."


def test_status_of_a_validator_that_is_not_plugged_in(short_tmp: Path) -> None:
    code, text = kiosk_cash(config(short_tmp, f'url = "{short_tmp}/ttyUSB9"'))
    assert code == 1
    assert "cannot open it: No such file or directory" in text and "USB-serial adapter" in text


def test_status_without_a_cash_section_says_how_to_add_one(short_tmp: Path) -> None:
    cfg = config(short_tmp, None)
    code, text = kiosk_cash(cfg)
    assert code == 1
    said = 'No bill validator is configured: add a [cash] section with its port, e.g. url = "/dev/ttyUSB1"'
    assert text.strip() == f"{said}, to {cfg}."


def test_validator_from_config_carries_the_section() -> None:
    section = CashSection(url="loop://", address=3, baudrate=19200, reply_timeout_ms=250, retries=5)
    v = validator_from_config(section)
    link = (v.link.url, v.link.baudrate, v.link.stopbits)
    assert link == ("loop://", 19200, 2)  # SSP is 8N2, as ITL's own library opens the port
    assert (v.address, v.reply_timeout_s, v.retries) == (3, 0.25, 5)


def test_the_real_entry_point_exits_1_without_a_traceback(short_tmp: Path) -> None:
    cfg = config(short_tmp, f'url = "{short_tmp}/ttyUSB9"')
    done = subprocess.run([sys.executable, "-m", "commands", "--config", str(cfg), "cash", "status"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot open it" in done.stdout


def test_kiosk_sim_cash_as_a_process_with_its_control_verbs(short_tmp: Path) -> None:
    link = short_tmp / "nv9"
    sim = subprocess.Popen(
        [sys.executable, "-m", "hardware_sim", "cash", "--link", str(link), "--notes", "10000,20000,50000"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert sim.stdout and sim.stdout.readline().startswith(f"ready: {link} (control: {link}.ctl)")

        def ctl(*words: str) -> subprocess.CompletedProcess[str]:
            argv = [sys.executable, "-m", "hardware_sim", "ctl", "--socket", f"{link}.ctl", *words]
            return subprocess.run(argv, capture_output=True, text=True)

        code, text = kiosk_cash(config(short_tmp, f'url = "{link}"'))
        assert code == 0 and "  channel 3: 50.000 đồng" in text and "channel 4" not in text
        done = ctl("jam", "safe")
        assert (done.returncode, done.stderr.strip()) == (
            1,
            "error: no note is in the validator to jam: insert one first",
        )
        control = ControlClient(f"{link}.ctl")
        assert control.send("jam", "sideways")["error"] == "usage: jam safe|unsafe"
        assert control.send("insert", "many")["error"] == "usage: insert VALUE"
        assert control.call("insert", 10000)["outcome"] == "not drawn in: the validator is disabled"
    finally:
        sim.terminate()
        sim.wait(5)


def test_status_of_a_validator_too_old_for_protocol_6_says_what_to_do(short_tmp: Path) -> None:
    with cash_rig(short_tmp, max_protocol=5) as rig:
        code, text = kiosk_cash(config(short_tmp, f'url = "{rig.link}"'))
    assert code == 1
    assert "  it answered, but: the bill validator on" in text
    assert "refused HOST PROTOCOL VERSION 8, 7, 6 (its firmware is older than protocol 6: update it" in text


def test_status_is_not_asked_while_a_cash_payment_of_a_stopped_kiosk_is_open(
    rig: CashRig, short_tmp: Path
) -> None:
    """Its SYNC would make the validator forget a reply the kiosk has not read yet (a credit): the
    technician is told to let the kiosk read it first, and the validator is not touched."""
    from kiosk.store import Store
    from tests.test_sync_payment import ask

    cfg = config(short_tmp, f'url = "{rig.link}"')
    (short_tmp / "data").mkdir(mode=0o700, exist_ok=True)
    store = Store.open(short_tmp / "data", kiosk_id="HG-VT-01")
    try:
        reference = ask(store)
        store.db.execute("UPDATE payment SET method = 'cash' WHERE reference = ?", [reference])
    finally:
        store.close()
    code, text = kiosk_cash(cfg)
    assert code == 1 and "Start the kiosk (kiosk run) first" in text and "firmware" not in text
