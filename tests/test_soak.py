"""The soak, short (tests/soak.py): two simulated days at 40 dossiers a day through every real
process (lock boards and printer on ptys, the stand-in backend, ``kiosk sync``, the core, ``kiosk
maintain``), the core and the sync each SIGKILLed at least once and the network failing for a
spell; then nothing lost, nothing applied twice, and no citizen data in any line any process
logged (at DEBUG). About 30 s on two idle cores."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.logscan import CitizenData, leaks, log_lines

KINDS = ("names", "phones", "pins", "tokens", "codes")


@pytest.fixture
def soaked() -> Iterator[tuple[Path, dict[str, object], subprocess.CompletedProcess[str]]]:
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None  # it tests faults, not fsyncs
    where = Path(tempfile.mkdtemp(prefix="soak", dir=base))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.soak", "--days", "2", "--per-day", "40", "--seed", "7",
             "--keep", str(where), "--json"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        report = json.loads((where / "report.json").read_text()) if (where / "report.json").exists() else {}
        yield where, report, done
    finally:
        shutil.rmtree(where, ignore_errors=True)


@pytest.mark.timeout(300)
def test_a_short_soak_loses_nothing_applies_nothing_twice_and_logs_no_citizen_data(
    soaked: tuple[Path, dict[str, object], subprocess.CompletedProcess[str]],
) -> None:
    where, report, done = soaked
    assert done.returncode == 0, (report.get("problems"), done.stderr[-3000:])
    assert report["lost"] == report["duplicates applied"] == report["undelivered at the end"] == 0
    assert report["events delivered"] == report["events written"]
    assert isinstance(report["events written"], int) and report["events written"] > 100
    journeys = report["journeys by kind"]
    assert isinstance(journeys, dict)
    for kind in ("load", "pickup", "dropoff", "collect", "signin"):
        assert journeys.get(kind, 0) > 0, kind
    faults = report["faults by kind"]
    assert isinstance(faults, dict)
    assert faults.get("core killed", 0) >= 1 and faults.get("sync killed", 0) >= 1
    assert sum(n for kind, n in faults.items() if kind in ("backend down", "connections cut", "answers lost",
                                                          "server errors", "answers twice")) >= 1  # fmt: skip
    assert report["checks"] == {name: True for name in report["checks"]}  # type: ignore[union-attr]
    # the logs, scanned here as well: every process's stderr, the core and the sync at DEBUG
    values = json.loads((where / "citizens.json").read_text())
    data = CitizenData(**{kind: set(values[kind]) for kind in KINDS})
    assert all(getattr(data, kind) for kind in KINDS), "something of each kind to look for"
    lines = log_lines(where / "logs")
    assert sum("kiosk.journeys" in line for line in lines) > 100  # the core did log its journeys
    assert any("kiosk.sync" in line for line in lines) and any("drivers.link" in line for line in lines)
    assert leaks(lines, data) == []
