"""The contract, ``sync/openapi.yaml``, loaded for checking requests and answers against it.

The file names the real servers; checks here match paths only, so the stand-in on any loopback
port (and any province's address) is checked by the same document.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

SPEC_PATH = Path(str(files("sync") / "openapi.yaml"))
# openapi-core checks no oauth2 scheme and warns on every request; tokens are checked by the
# stand-in's middleware instead.
warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)


@cache
def spec_dict() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return raw


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict({**spec_dict(), "servers": [{"url": "/"}]})
