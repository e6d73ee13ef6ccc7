"""QR decoding backends for the camera: zxing-cpp (default) and pyzbar (optional).

zxing-cpp measured about 13x faster than pyzbar at 640x480 and finds more codes. pyzbar needs the
system's libzbar0 and the ``pyzbar`` extra; asking for it without them is a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from drivers.scanner.errors import ScannerError

Frame = np.ndarray[Any, np.dtype[np.uint8]]


class DecoderUnavailable(ScannerError):
    pass


class Decoder(Protocol):
    name: str

    def decode(self, gray: Frame) -> list[str]: ...


class ZxingDecoder:
    """zxing-cpp, two binarizers in turn: a fixed threshold first (fast; reads blurred codes on
    even light), the local average second (uneven light, glare). On the benchmark corpus at
    640x480 this reads 89% of codes at 0.8 ms p50, against 81.5% at 1.7 ms for the local average
    alone (bench/qr.py)."""

    name = "zxing-cpp"

    def __init__(self) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        self._binarizers = (zxingcpp.Binarizer.FixedThreshold, zxingcpp.Binarizer.LocalAverage)

    def decode(self, gray: Frame) -> list[str]:
        for binarizer in self._binarizers:
            found = self._zx.read_barcodes(gray, formats=self._formats, binarizer=binarizer)
            texts = [b.text for b in found if b.valid]
            if texts:
                return texts
        return []


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # the package, or libzbar0 under it
            raise DecoderUnavailable(
                f"the pyzbar decoder is not available ({exc}); install it with "
                "`apt-get install libzbar0` and `pip install 'dossier-kiosk[pyzbar]'`, or use zxing"
            ) from exc
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, gray: Frame) -> list[str]:
        found = self._pyzbar.decode(gray, symbols=self._symbols)
        return [r.data.decode("utf-8", "replace") for r in found]


DECODERS: dict[str, Callable[[], Decoder]] = {"zxing": ZxingDecoder, "pyzbar": PyzbarDecoder}


def decoder_for(name: str) -> Decoder:
    try:
        factory = DECODERS[name]
    except KeyError:
        raise DecoderUnavailable(f"unknown decoder {name!r}; known: {', '.join(DECODERS)}") from None
    return factory()
