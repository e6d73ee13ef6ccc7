"""The core's error types. ``str(err)`` is a message the person who meets it can act on."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the core raises on purpose."""


class ConfigError(KioskError):
    """The config file is missing, unreadable or wrong. Names the file, the key, what was expected."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"config file {path} is not valid:\n{lines}")


class UnknownCompartment(KioskError):
    def __init__(self, compartment_id: str, known: list[str]) -> None:
        shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
        super().__init__(f"there is no compartment {compartment_id!r}; known: {shown}")
        self.compartment_id = compartment_id


class StoreError(KioskError):
    """The SQLite store cannot be opened or migrated."""


class DoorFoundOpen(KioskError):
    """The door read open before its unlock was sent: no unlock could prove anything, and what
    is inside may have been disturbed. Nothing was sent."""

    def __init__(self, compartment_id: str) -> None:
        super().__init__(f"the door of {compartment_id} was already open before the unlock")
        self.compartment_id = compartment_id
