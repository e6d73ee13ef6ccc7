"""Bill-validator errors. Codec errors come from bytes alone; the rest from talking to a validator."""

from __future__ import annotations

from pathlib import Path

from drivers.errors import DeviceError

# The generic responses of SSP (DATA[0] of a reply) other than OK, as a technician reads them.
GENERIC_RESPONSES = {
    0xF2: "command not known",
    0xF3: "wrong number of parameters",
    0xF4: "parameter out of range",
    0xF5: "command cannot be processed",
    0xF6: "software error",
    0xF8: "fail",
    0xFA: "key not set (an encrypted eSSP unit: not supported)",
}


class CashError(DeviceError):
    """Base of every bill-validator error."""


class CodecError(CashError):
    """Bytes that are not a valid SSP frame or reply. The only error the codec raises."""


class CrcError(CodecError):
    def __init__(self, body: bytes, expected: int, got: int) -> None:
        super().__init__(f"bad CRC in SSP frame {body.hex(' ')}: expected {expected:04X}, got {got:04X}")
        self.body = body


class FrameError(CodecError):
    """A frame cut short, with a zero length, or a reply whose fields do not add up."""


class ValidatorSilent(CashError):
    def __init__(self, url: str, address: int, baudrate: int, detail: str = "no reply") -> None:
        super().__init__(
            f"the bill validator on {url} does not answer ({detail}): check its power, the "
            f"serial cable, and that it is set to SSP at {baudrate} baud with address {address}"
        )
        self.url = url
        self.address = address


class BadReply(CashError):
    """Replies came but none was the answer to the command sent: bad CRC, cut short, the wrong
    sequence flag or address, or a reply that does not parse, on every try."""

    def __init__(self, url: str, command: str, detail: str) -> None:
        super().__init__(
            f"the bill validator on {url} answered {command} with no usable reply ({detail}): "
            "check the cable for noise and that only one program uses the port"
        )
        self.url = url
        self.command = command
        self.detail = detail


class CommandRefused(CashError):
    """The validator answered, with a generic response other than OK."""

    def __init__(self, url: str, command: str, code: int, reason: int | None = None) -> None:
        meaning = GENERIC_RESPONSES.get(code, "an unknown response")
        why = "" if reason is None else f", reason {reason:02X}"
        super().__init__(f"the bill validator on {url} refused {command}: {code:02X} {meaning}{why}")
        self.url = url
        self.command = command
        self.code = code
        self.reason = reason


class LinkStateRefused(CashError):
    """The state file cannot be used: another link's, or not a state file at all."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the bill validator's state file {path} was ignored: {reason}")
        self.path = path
        self.reason = reason


class LinkStateUnwritable(CashError):
    """The state file cannot be written: a POLL sent now could lose its credit in a crash."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"cannot write the bill validator's state file {path} ({reason}): the kiosk takes no cash "
            "until it can; check that the data folder is writable and the disk is not full"
        )
        self.path = path


class SetupRefused(CashError):
    """The validator's SETUP names notes the kiosk cannot count as đồng: another country's dataset,
    or a value no Vietnamese note has (a unit reprogrammed to credit a note of billions)."""

    def __init__(self, url: str, country: str, notes: str) -> None:
        super().__init__(
            f"the bill validator on {url} says it takes {country!r} notes worth {notes}: not the "
            "Vietnamese notes (100 to 500.000 đồng) the kiosk counts; load the VND dataset with "
            "ITL's tools, or have the unit checked. The kiosk takes no cash from it"
        )
        self.url = url
        self.country = country
