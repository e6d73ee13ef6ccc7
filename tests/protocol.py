"""``expected_protocol``: run the production LockBus against a table of (sent, replied) pairs.

As PyMeasure's ``pymeasure.test.expected_protocol``: every pair must be consumed exactly, in order,
and nothing else may be written. A reply of None means the device stays silent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from drivers.lockboard.bus import BusTiming, HookPolarity, LockBus
from drivers.lockboard.protocols import codec_for

Pair = tuple[bytes, bytes | None]


class ScriptedLink:
    url = "scripted://"

    def __init__(self, pairs: Sequence[Pair]) -> None:
        self.pairs = list(pairs)
        self.pending = b""
        self.flushes = 0

    @property
    def is_open(self) -> bool:
        return True

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def flush(self) -> None:
        self.flushes += 1
        self.pending = b""

    def write(self, data: bytes) -> None:
        assert self.pairs, f"unexpected write {data.hex(' ')}: the table is used up"
        sent, reply = self.pairs.pop(0)
        assert data == sent, f"wrote {data.hex(' ')}, the table expected {sent.hex(' ')}"
        self.pending += reply or b""

    def read(self, size: int, deadline: float) -> bytes:
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


@contextlib.contextmanager
def expected_protocol(
    protocol: str,
    pairs: Sequence[Pair],
    polarity: dict[int, HookPolarity] | None = None,
    timing: BusTiming | None = None,
) -> Iterator[LockBus]:
    link = ScriptedLink(pairs)
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    def monotonic() -> float:
        clock[0] += 0.001  # each look at the clock moves it, so deadlines pass without waiting
        return clock[0]

    bus = LockBus(
        link,  # type: ignore[arg-type]
        codec_for(protocol),
        name="table",
        polarity=polarity,
        timing=timing or BusTiming(),
        monotonic=monotonic,
        sleep=sleep,
    )
    yield bus
    assert not link.pairs, f"{len(link.pairs)} pair(s) of the table were never sent"
    assert link.flushes >= 1
