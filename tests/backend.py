"""The stand-in backend as its own process on a loopback port, with its admin API at hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from kiosk import config

KIOSK = "HG-VT-01"
SECRET = "s3cret-for-tests-only"


class StandIn:
    def __init__(
        self,
        root: Path,
        *,
        seed: int = 0,
        tls: tuple[Path, Path] | None = None,
        client_ca: Path | None = None,
        holder_key: Path | None = None,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "hardware_sim.backend.cli", "--data", str(root / "backend"),
                "--client", f"{KIOSK}:{SECRET}", "--port", "0", "--seed", str(seed)]  # fmt: skip
        if tls:
            args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        if client_ca:
            args += ["--tls-client-ca", str(client_ca)]
        if holder_key:
            args += ["--holder-key", str(holder_key)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("ready "), line
        self.url = line.split()[1]
        self.admin = requests.Session()
        if tls:
            self.admin.verify = str(tls[0])
        self.secret_file = root / "backend-secret"
        # 0600 from the first byte: the sync refuses a secret file other users could read
        fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(SECRET + "\n")
        self.secret_file.chmod(0o600)  # made earlier by another test, with another mode

    def section(self, **changes: Any) -> config.BackendSection:
        raw = {"url": self.url, "client_id": KIOSK, "client_secret_file": str(self.secret_file)} | changes
        return config.BackendSection.model_validate(raw)

    def faults(self, **faults: Any) -> None:
        self.admin.post(f"{self.url}/_admin/faults", json=faults, timeout=5).raise_for_status()

    def get(self, what: str, **params: str) -> Any:
        response = self.admin.get(f"{self.url}/_admin/{what}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def post(self, what: str, body: dict[str, Any]) -> Any:
        response = self.admin.post(f"{self.url}/_admin/{what}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.admin.close()
        self.proc.terminate()
        self.proc.wait(5)
