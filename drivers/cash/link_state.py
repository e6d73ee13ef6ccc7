"""The frame in flight to the bill validator, kept in a small file so a kiosk that dies mid-poll
loses no credit.

SSP's validator answers a frame that repeats the last one's sequence flag with its last reply, but
only until a new frame (SYNC above all) reaches it. A kiosk killed after a POLL's reply arrived and
before its events were handed over would otherwise SYNC on restart and the credit in that reply
would be gone. So, before a POLL is sent, the file says which frame it was; while the replies of
POLLs settled on behalf of another verb wait for the next ``poll()``, the file holds them too; once
``poll()`` hands its events over, the file is emptied. On ``connect()`` a POLL the file names is
sent again first, identically, and its events go to the first ``poll()``.

The file is written whole into place (a temporary file, fsync, rename, fsync of the folder), so a
SIGKILL or a power cut leaves the old content or the new, never half. What it holds is checked as
any input from outside: a file from another validator, port or address, or one that does not
parse, is refused with ``LinkStateRefused`` and ignored (the caller logs it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from drivers.cash.codec import Command, decode_frame
from drivers.cash.errors import CodecError, LinkStateRefused, LinkStateUnwritable

VERSION = 1
MAX_BYTES = 8192  # a POLL frame and a few replies: far under this
MAX_HELD = 16  # replies waiting for a poll(); a kiosk settles at most one per verb
MAX_REPLY = 255  # an SSP frame's DATA
HEX = re.compile(r"(?:[0-9a-f]{2})*", re.ASCII)  # as written: one spelling only


@dataclass(frozen=True)
class LinkState:
    """A POLL sent and not yet handed over (its frame, as sent), and POLL replies (their data
    after 0xF0) read on behalf of another verb and not yet handed over."""

    url: str
    address: int
    poll_frame: bytes | None = None
    held: tuple[bytes, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return self.poll_frame is None and not self.held


def save(path: Path, state: LinkState) -> None:
    text = json.dumps({
        "version": VERSION, "url": state.url, "address": state.address,
        "poll_frame": None if state.poll_frame is None else state.poll_frame.hex(),
        "held": [data.hex() for data in state.held],
    })  # fmt: skip
    new = path.with_name(path.name + ".new")
    try:
        fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o660)
        try:
            os.write(fd, text.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(new, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            new.unlink()
        raise LinkStateUnwritable(path, exc.strerror or str(exc)) from exc


def load(path: Path, url: str, address: int) -> LinkState | None:
    """What the file says for the validator at ``url``/``address``; None when there is no file.
    ``LinkStateRefused`` for anything else it may hold."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LinkStateRefused(path, f"it cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > MAX_BYTES:
        raise LinkStateRefused(path, f"it is larger than {MAX_BYTES} bytes")
    try:
        found = json.loads(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LinkStateRefused(path, "it is not the JSON this driver writes") from exc
    return _checked(path, found, url, address)


def _checked(path: Path, found: object, url: str, address: int) -> LinkState:
    if not isinstance(found, dict) or found.get("version") != VERSION:
        raise LinkStateRefused(path, f"it is not a version {VERSION} state file")
    written_for = found.get("address")
    if found.get("url") != url or type(written_for) is not int or written_for != address:
        raise LinkStateRefused(
            path, f"it was written for the validator at {_shown(found.get('url'))} address "
            f"{_shown(found.get('address'))}, not {url} address {address}",
        )  # fmt: skip
    frame = found.get("poll_frame")
    held = found.get("held")
    if not isinstance(held, list) or len(held) > MAX_HELD:
        raise LinkStateRefused(path, f"its held replies are not a list of at most {MAX_HELD}")
    return LinkState(
        url, address, None if frame is None else _poll_frame(path, frame, address),
        tuple(_reply(path, data) for data in held),
    )  # fmt: skip


def _poll_frame(path: Path, text: object, address: int) -> bytes:
    raw = _hex(path, text, "the frame in flight")
    try:
        frame = decode_frame(raw)
    except CodecError as exc:
        raise LinkStateRefused(path, f"the frame in flight is not an SSP frame ({exc})") from exc
    if frame.address != address or frame.data != bytes((Command.POLL,)):
        raise LinkStateRefused(path, f"the frame in flight is not a POLL to address {address}")
    return raw


def _reply(path: Path, text: object) -> bytes:
    raw = _hex(path, text, "a held reply")
    if len(raw) > MAX_REPLY:
        raise LinkStateRefused(path, f"a held reply is longer than {MAX_REPLY} bytes")
    return raw


def _hex(path: Path, text: object, what: str) -> bytes:
    if not isinstance(text, str) or len(text) > 2 * MAX_REPLY + 16 or not HEX.fullmatch(text):
        raise LinkStateRefused(path, f"{what} is not a short string of lower-case hex byte pairs")
    return bytes.fromhex(text)


def _shown(value: object) -> str:
    """Text from the file shown in a message: bounded, printable."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
