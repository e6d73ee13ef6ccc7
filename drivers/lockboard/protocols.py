"""The table of lock-board families by the name used in config (``protocol = "cu48"``)."""

from __future__ import annotations

from drivers.lockboard.codec import LockboardCodec
from drivers.lockboard.cu16 import CU16
from drivers.lockboard.cu48 import CU48

CODECS: dict[str, LockboardCodec] = {"cu48": CU48(), "cu16": CU16()}
PROTOCOLS = tuple(CODECS)


def codec_for(protocol: str) -> LockboardCodec:
    try:
        return CODECS[protocol]
    except KeyError:
        raise ValueError(f"unknown lock-board protocol {protocol!r}; known: {', '.join(PROTOCOLS)}") from None
