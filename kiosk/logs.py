"""Where the kiosk's processes log: standard error, which systemd's journal collects.

Under systemd ($JOURNAL_STREAM set) each line starts with its syslog priority (``<3>`` for an
error), which the journal reads as the line's level (``journalctl -p warning`` then works) and
strips; the journal stamps the time itself. At a terminal a line carries its time and level.
Nothing that identifies a citizen is logged at any level (DESIGN §5): dossier codes of journeys,
scanned codes, receipt bytes and look-up paths are left out where they are logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

# logging's levels to syslog's priorities (sd-daemon(3))
PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}
HIGHEST_FIRST = sorted(PRIORITIES.items(), reverse=True)  # a record takes the first level it reaches
TERMINAL = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        priority = next((p for level, p in HIGHEST_FIRST if record.levelno >= level), 7)
        # a traceback's lines follow the first without a prefix: the journal keeps them as one entry's
        return f"<{priority}>{record.name}: " + super().format(record)


def configure(level: str | int, environ: Mapping[str, str] = os.environ) -> None:
    """Replaces whatever handler the process had: one handler on standard error."""
    handler = logging.StreamHandler()
    under_systemd = bool(environ.get("JOURNAL_STREAM"))
    handler.setFormatter(JournalFormatter("%(message)s") if under_systemd else logging.Formatter(TERMINAL))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # urllib3 logs each request's path at debug, and a look-up's path holds the dossier's code
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.getEffectiveLevel()))
