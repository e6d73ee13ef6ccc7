"""Bill-validator errors. Codec errors come from bytes alone; the rest from talking to a validator."""

from __future__ import annotations

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
