"""The simulator's control channel: a Unix socket speaking one JSON object per line.

Request ``{"cmd": "close", "args": ["0", "1"]}``; answer ``{"ok": true, "result": …}`` or
``{"ok": false, "error": "…"}``. ``kiosk-sim ctl`` is its command-line client.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

CONTROL_ENV = "KIOSK_SIM_CTL"

Dispatch = Callable[[str, list[str]], Any]


class CommandError(Exception):
    """A control command that cannot be carried out; its text goes back to the client."""


async def serve(path: Path, dispatch: Dispatch) -> asyncio.AbstractServer:
    path.unlink(missing_ok=True)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(json.dumps(answer(line, dispatch)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_unix_server(handle, path=str(path))
    os.chmod(path, 0o660)
    return server


def answer(line: bytes, dispatch: Dispatch) -> dict[str, Any]:
    try:
        request = json.loads(line)
        cmd, args = request["cmd"], [str(a) for a in request.get("args", [])]
    except (ValueError, KeyError, TypeError):
        return {"ok": False, "error": 'expected a JSON object like {"cmd": "state", "args": []}'}
    try:
        return {"ok": True, "result": dispatch(cmd, args)}
    except CommandError as exc:
        return {"ok": False, "error": str(exc)}


class ControlClient:
    """A blocking client, for the ``ctl`` command and for tests."""

    def __init__(self, path: Path | str, timeout: float = 5.0) -> None:
        self.path = str(path)
        self.timeout = timeout

    def call(self, cmd: str, *args: object) -> Any:
        reply = self.send(cmd, *args)
        if not reply.get("ok"):
            raise CommandError(reply.get("error", "the simulator refused the command"))
        return reply.get("result")

    def send(self, cmd: str, *args: object) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
            sock.sendall(json.dumps({"cmd": cmd, "args": [str(a) for a in args]}).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        result: dict[str, Any] = json.loads(data)
        return result
