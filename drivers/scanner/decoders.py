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
    """zxing-cpp's local-average binarizer, once a frame; more only where it found a code it
    could not decode.

    Most frames hold no code, and on those one local-average pass is all the work (a fixed-
    threshold pass before it used to cost every such frame 0.2-0.3 ms, and on phone photos
    read nothing the local average missed). Where a code was found but failed its checksum, the
    frame is tried again lightly smoothed (sigma 0.6 px: the sensor's noise and the JPEG's blocks
    off the module edges, what most often defeats the local average in a phone-like picture),
    then with a fixed threshold (clean codes in even light). bench/qr.py measures both corpora."""

    name = "zxing-cpp"
    SMOOTHING_SIGMA = 0.6

    def __init__(self) -> None:
        import cv2  # opencv is a dependency of the camera anyway; imported only with a decoder
        import zxingcpp

        self._cv2 = cv2
        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

    def decode(self, gray: Frame) -> list[str]:
        local_average = self._zx.Binarizer.LocalAverage
        seen = self._read(gray, local_average, with_errors=True)
        texts = [b.text for b in seen if b.valid]
        if texts or not seen:
            return texts
        smooth = np.asarray(self._cv2.GaussianBlur(gray, (0, 0), self.SMOOTHING_SIGMA), dtype=np.uint8)
        return self._texts(smooth, local_average) or self._texts(gray, self._zx.Binarizer.FixedThreshold)

    def _texts(self, gray: Frame, binarizer: Any) -> list[str]:
        return [b.text for b in self._read(gray, binarizer) if b.valid]

    def _read(self, gray: Frame, binarizer: Any, with_errors: bool = False) -> list[Any]:
        found = self._zx.read_barcodes(
            gray, formats=self._formats, binarizer=binarizer, return_errors=with_errors
        )
        return list(found)


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
