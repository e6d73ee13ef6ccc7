"""The log scanner finds a citizen's value in any spelling a log could use, and nothing else."""

from __future__ import annotations

from tests.logscan import CitizenData, leaks


def test_it_finds_each_kind_and_its_other_spellings() -> None:
    data = CitizenData()
    data.add(name="Nguyễn Thị Mai", phone="0912345678", pin="482913", token="DKP2.abc.def",
             code="000.00.53.H48-220921-0099")  # fmt: skip
    lines = [
        "INFO kiosk.sync: delivered 3 events",
        "DEBUG kiosk.ui: pickup for NGUYỄN THỊ MAI",
        "DEBUG drivers.scanner: read 444b50322e6162632e646566",
        "WARNING sync: sms to 84912345678 failed",
        "ERROR kiosk: bad PIN 482913",
        "INFO kiosk: dossier 000.00.53.H48-220921-0099 picked up",
        "INFO kiosk: compartment A01 opened in 0.8 ms",
    ]
    found = leaks(lines, data)
    assert [f.split(":")[0] for f in found] == ["names", "tokens", "phones", "pins", "codes"]


def test_clean_lines_pass() -> None:
    data = CitizenData()
    data.add(pin="482913", code="000.00.53.H48-220921-0099")
    assert leaks(["INFO kiosk: 1 pickup, 0 faults", "event 4829 delivered"], data) == []


def test_digits_inside_a_longer_run_are_not_a_pin() -> None:
    """Six digits of a PIN turn up by chance in a journey's hex id or a hash."""
    data = CitizenData()
    data.add(pin="187187", phone="0912345678")
    assert leaks(["INFO kiosk.journeys: load 91871874: scanning -> opening", "hash a0912345678b"], data) == []
    assert leaks(["pin=187187;", "to 0912345678."], data) == ["pins: pin=187187;", "phones: to 0912345678."]
