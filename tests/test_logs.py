"""Logs go to standard error with their level, for the journal; none holds a citizen's data."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from tests.logscan import CitizenData, leaks
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load, pick_up


def in_a_process(code: str) -> subprocess.CompletedProcess[str]:
    """Logging is set up once a process: each test's own, so pytest's capture stays as it was."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_under_systemd_each_line_starts_with_its_priority() -> None:
    code = (
        "import logging; from kiosk import logs; logs.configure('INFO', {'JOURNAL_STREAM': '8:1'}); "
        "logging.getLogger('kiosk.x').error('boom'); logging.getLogger('kiosk.x').info('fine'); "
        "logging.getLogger('kiosk.x').debug('not shown')"
    )
    err = in_a_process(code).stderr
    assert err.splitlines() == ["<3>kiosk.x: boom", "<6>kiosk.x: fine"]


def test_at_a_terminal_a_line_has_its_time_and_level() -> None:
    code = (
        "import logging; from kiosk import logs; logs.configure('WARNING', {}); "
        "logging.getLogger('a').warning('w'); logging.getLogger('a').info('not shown')"
    )
    err = in_a_process(code).stderr
    assert err.rstrip().endswith(" WARNING a: w") and "not shown" not in err


def test_a_load_and_a_pickup_log_no_citizen_data_even_at_debug(
    machine: Machine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = load(machine)
    pick_up(machine, sent)
    data = CitizenData()
    data.add(pin=sent["pin"], token=sent["token"], code=CODE, phone=sent.get("phone", ""))
    lines = [r.getMessage() for r in caplog.records]
    assert any("pickup" in line for line in lines)  # the journeys were logged, only without the data
    assert leaks(lines, data) == []


def test_even_at_debug_no_request_path_is_logged_by_urllib3() -> None:
    code = (
        "import logging; from kiosk import logs; logs.configure('DEBUG', {}); "
        "print(logging.getLogger('urllib3.connectionpool').isEnabledFor(logging.DEBUG), "
        "logging.getLogger('kiosk.x').isEnabledFor(logging.DEBUG))"
    )
    out = in_a_process(code).stdout
    assert out.split() == ["False", "True"]
