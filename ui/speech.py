"""Spoken prompts: each new screen's words read aloud with espeak-ng (its Vietnamese voice for
Vietnamese), when ``[ui] speech`` is on and espeak-ng is installed; silent otherwise. The speech
runs as its own process, never waited for; a new screen cuts the last one short."""

from __future__ import annotations

import logging
import shutil
import subprocess
from itertools import count
from pathlib import Path

log = logging.getLogger("kiosk.ui.speech")
VOICES = {"vi": "vi", "en": "en"}


class Speaker:
    def __init__(self, enabled: bool, *, program: str = "espeak-ng", record_to: Path | None = None) -> None:
        """``record_to``: write each prompt to a WAV file there instead of the loudspeaker (for
        tests and for checking the voice without a speaker)."""
        self.program = shutil.which(program) if enabled else None
        if enabled and self.program is None:
            log.warning("speech is on but %s is not installed: the screens stay silent", program)
        self.record_to = record_to
        self._speaking: subprocess.Popen[bytes] | None = None
        self._n = count(1)

    def say(self, text: str, language: str) -> None:
        if self.program is None or not text.strip():
            return
        if self._speaking is not None and self._speaking.poll() is None:
            self._speaking.terminate()
        argv = [self.program, "-v", VOICES.get(language, "vi"), "-s", "140"]
        if self.record_to is not None:
            argv += ["-w", str(self.record_to / f"prompt-{next(self._n):04d}.wav")]
        self._speaking = subprocess.Popen([*argv, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        if self._speaking is not None:
            self._speaking.wait(10)
