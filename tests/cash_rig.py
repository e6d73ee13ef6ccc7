"""``CashRig``: the bill-validator simulator on a real pty, the production NoteValidator on it,
and the control client. For the cash tests and for any test that takes money through it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from drivers.cash.codec import NoteEvent, NoteEventKind
from drivers.cash.validator import NoteValidator
from hardware_sim.cash import DEFAULT_NOTES, CashSim
from hardware_sim.control import ControlClient

# Short deadlines keep fault tests fast; still far above a pty's round trip.
FAST_REPLY_S = 0.08


class CashRig:
    def __init__(
        self, root: Path, *, retries: int = 3, max_protocol: int = 8, notes: tuple[int, ...] = DEFAULT_NOTES,
        reply_timeout_s: float = FAST_REPLY_S,
    ) -> None:  # fmt: skip
        self.link = root / "cash"
        self.sim = CashSim(self.link, notes=notes, max_protocol=max_protocol).start_in_thread()
        self.ctl = ControlClient(self.sim.control_path)
        self.validator = NoteValidator.from_url(
            str(self.link), reply_timeout_s=reply_timeout_s, retries=retries
        )

    def polls(self, n: int) -> list[NoteEvent]:
        """The events of ``n`` polls, without the conditions every poll repeats."""
        quiet = {NoteEventKind.DISABLED, NoteEventKind.CHANNELS_DISABLED}
        return [e for _ in range(n) for e in self.validator.poll() if e.kind not in quiet]

    def close(self) -> None:
        self.validator.close()
        self.sim.stop()


@contextlib.contextmanager
def cash_rig(root: Path, **kw: float) -> Iterator[CashRig]:
    rig = CashRig(root, **kw)  # type: ignore[arg-type]
    try:
        yield rig
    finally:
        rig.close()
