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


class DatabaseDamaged(StoreError):
    """The database file is damaged (a corrupt page, not a database at all): nothing it says can be
    trusted, so the kiosk stops serving until a technician restores it."""

    def __init__(self, path: object, detail: str) -> None:
        super().__init__(
            f"the kiosk database {path} is damaged ({detail}). The kiosk is out of service: restore "
            f"kiosk.db from the latest backup, then start the kiosk again (README: A damaged database)"
        )
        self.detail = detail


class ItemFoundInside(KioskError):
    """The sensor shows an item in a compartment the store says is empty (a database lost or
    replaced, a door forced): it is never given to a new item. Nothing was sent."""

    def __init__(self, compartment_id: str) -> None:
        super().__init__(f"the sensor shows an item the kiosk does not know inside {compartment_id}")
        self.compartment_id = compartment_id


class DoorFoundOpen(KioskError):
    """The door read open before its unlock was sent: no unlock could prove anything, and what
    is inside may have been disturbed. Nothing was sent."""

    def __init__(self, compartment_id: str) -> None:
        super().__init__(f"the door of {compartment_id} was already open before the unlock")
        self.compartment_id = compartment_id


class OutOfService(KioskError):
    """The kiosk takes no new journey of this kind now (kiosk/flags.py says why); ``said`` is what
    the person at the screen is told."""

    def __init__(self, flag: str, said: tuple[str, str]) -> None:
        super().__init__(said[1])
        self.flag = flag
        self.said = said
