"""Crash consistency: the journeys at 300 random kill points (``make soak`` runs 2,000; see
tests/crash.py), the sync worker at 200 (tests/sync_crash.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# the harnesses bound themselves (540 s); the suite's 120 s default is for one test, not 500 kills
pytestmark = pytest.mark.timeout(600)


def test_no_event_lost_no_sequence_reused_every_unprovable_outcome_flagged() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.crash", "--points", "300"], capture_output=True, text=True, timeout=540
    )
    print(done.stdout)  # the counts, shown with -s or on failure
    assert done.returncode == 0, done.stdout + done.stderr
    assert "300 kill points, 0 with a broken invariant" in done.stdout


def test_the_sync_worker_killed_anywhere_loses_nothing_and_applies_nothing_twice() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.sync_crash", "--points", "200"],
        capture_output=True,
        text=True,
        timeout=540,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "200 kill points, 0 with a broken invariant" in done.stdout
