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
    """zxing-cpp's local-average binarizer on the frame smoothed a little, then, only on a miss,
    on the frame as it is and with a fixed threshold.

    The slight blur (sigma 0.6 px) takes the sensor's noise and the JPEG's blocks off the
    module edges, which is what most often defeats the local average in a phone-like picture;
    it also leaves fewer false candidates, so a frame without a code costs less than the raw
    frame would. A code it found and could not decode (a checksum error) is tried on the frame
    as it is: a code with modules of two pixels can lose its edges to the blur. The fixed
    threshold reads clean, evenly lit codes the local average misses, and costs a third of it.
    On the corpus of bench/qr.py this reads every code the local average alone or the previous
    fixed-threshold-first path read, and more, in less time than the local average alone."""

    name = "zxing-cpp"
    SMOOTHING_SIGMA = 0.6

    def __init__(self) -> None:
        import cv2  # opencv is a dependency of the camera anyway; imported only with a decoder
        import zxingcpp

        self._cv2 = cv2
        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

    def decode(self, gray: Frame) -> list[str]:
        smooth = np.asarray(self._cv2.GaussianBlur(gray, (0, 0), self.SMOOTHING_SIGMA), dtype=np.uint8)
        seen = self._read(smooth, self._zx.Binarizer.LocalAverage, with_errors=True)
        texts = [b.text for b in seen if b.valid]
        if texts:
            return texts
        if seen:  # a code is there but did not decode smoothed: its modules may be very small
            texts = self._texts(gray, self._zx.Binarizer.LocalAverage)
        return texts or self._texts(gray, self._zx.Binarizer.FixedThreshold)

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
