"""Errors shared by every device kind. Each carries a message a technician can act on."""

from __future__ import annotations


class DeviceError(Exception):
    """Base of every driver error; ``str(err)`` is the technician-facing message."""


class LinkUnavailable(DeviceError):
    """The link named by a URL cannot be opened (device missing, wrong path, no permission)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot open {url}: {reason}")
        self.url = url
        self.reason = reason


class LinkLost(DeviceError):
    """The link went away in the middle of a command (cable pulled, adapter reset)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"lost the link {url} mid-command: {reason}")
        self.url = url
        self.reason = reason
