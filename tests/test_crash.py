"""Crash consistency at 300 random kill points (``make soak`` runs 2,000); see tests/crash.py."""

from __future__ import annotations

import subprocess
import sys


def test_no_event_lost_no_sequence_reused_every_unprovable_outcome_flagged() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.crash", "--points", "300"], capture_output=True, text=True, timeout=540
    )
    print(done.stdout)  # the counts, shown with -s or on failure
    assert done.returncode == 0, done.stdout + done.stderr
    assert "300 kill points, 0 with a broken invariant" in done.stdout
