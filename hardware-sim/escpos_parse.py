"""Cutting an ESC/POS byte stream into commands: the subset a receipt printer gets from the kiosk.

Pure. ``parse(buf)`` returns the whole commands at the front of ``buf`` and how many bytes they
used; an incomplete command at the end waits for more bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A


@dataclass(frozen=True)
class Cmd:
    name: str
    arg: int = 0
    data: bytes = b""


# ESC x n: three-byte commands and what they set; the rest of ESC x n are accepted and ignored.
ESC_ONE_ARG = {ord("t"): "codepage", ord("a"): "align", ord("E"): "bold", ord("!"): "mode",
               ord("d"): "feed", ord("J"): "feed-dots", ord("%"): "user-set", ord("-"): "ignore",
               ord("M"): "ignore", ord("G"): "ignore", ord("{"): "ignore", ord("V"): "ignore",
               ord("3"): "ignore", ord("r"): "ignore", ord("c"): "ignore"}  # fmt: skip


def parse(buf: bytes) -> tuple[list[Cmd], int]:
    cmds: list[Cmd] = []
    pos = 0
    while pos < len(buf):
        found = _one(buf, pos)
        if found is None:
            break
        cmd, pos = found
        cmds.append(cmd)
    return cmds, pos


def _one(buf: bytes, pos: int) -> tuple[Cmd, int] | None:
    b = buf[pos]
    if b == DLE:
        return _need(
            buf, pos, 3, lambda: Cmd("status", buf[pos + 2]) if buf[pos + 1] == 0x04 else Cmd("ignore")
        )
    if b == ESC:
        return _esc(buf, pos)
    if b == GS:
        return _gs(buf, pos)
    if b == LF:
        return Cmd("newline"), pos + 1
    if b < 0x20:
        return Cmd("ignore"), pos + 1
    end = pos
    while end < len(buf) and buf[end] >= 0x20:
        end += 1
    return Cmd("text", data=buf[pos:end]), end


def _need(buf: bytes, pos: int, n: int, make: Callable[[], Cmd]) -> tuple[Cmd, int] | None:
    """``make()`` once ``n`` bytes of the command are in."""
    if len(buf) - pos < n:
        return None
    return make(), pos + n


def _esc(buf: bytes, pos: int) -> tuple[Cmd, int] | None:
    if len(buf) - pos < 2:
        return None
    op = buf[pos + 1]
    if op == ord("@"):
        return Cmd("init"), pos + 2
    if op == ord("&"):
        return _user_chars(buf, pos)
    name = ESC_ONE_ARG.get(op, "ignore")
    return _need(buf, pos, 3, lambda: Cmd(name, buf[pos + 2]))


def _user_chars(buf: bytes, pos: int) -> tuple[Cmd, int] | None:
    """ESC & y c1 c2 [x d1…d(y·x)] for each code c1…c2: defines user characters."""
    if len(buf) - pos < 5:
        return None
    y, c1, c2 = buf[pos + 2], buf[pos + 3], buf[pos + 4]
    at = pos + 5
    for _ in range(max(0, c2 - c1 + 1)):
        if at >= len(buf):
            return None
        at += 1 + y * buf[at]
    if at > len(buf):
        return None
    return Cmd("define-chars", y, buf[pos + 2 : at]), at


def _gs(buf: bytes, pos: int) -> tuple[Cmd, int] | None:
    if len(buf) - pos < 3:
        return None
    op = buf[pos + 1]
    if op == ord("!"):
        return Cmd("size", buf[pos + 2]), pos + 3
    if op == ord("V"):
        m = buf[pos + 2]
        return _need(buf, pos, 4 if m in (65, 66) else 3, lambda: Cmd("cut"))
    if op == ord("v"):  # GS v 0 m xL xH yL yH data
        if len(buf) - pos < 8:
            return None
        width = buf[pos + 4] | buf[pos + 5] << 8
        height = buf[pos + 6] | buf[pos + 7] << 8
        end = pos + 8 + width * height
        return (Cmd("raster", width, buf[pos + 8 : end]), end) if end <= len(buf) else None
    if op == ord("(") and buf[pos + 2] == ord("k"):  # GS ( k pL pH cn fn …
        if len(buf) - pos < 5:
            return None
        end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
        return (Cmd("2d", data=buf[pos + 5 : end]), end) if end <= len(buf) else None
    return Cmd("ignore"), pos + 3
