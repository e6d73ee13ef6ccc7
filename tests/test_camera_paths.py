"""The camera's decoding path (issue 13) loses nothing the previous path read.

The previous path (numpy's float grey, a fixed-threshold pass, then the local average) is kept in
bench/qr.py as the reference; the current one is what ``CameraScanner`` runs on every frame. Both
read the same small corpora drawn from fixed seeds: phone-like colour photos (bench/photos.py) and
the simulated camera's grey frames. No timing here: speed is bench/qr.py's (`make bench`).
"""

from __future__ import annotations

from bench import photos
from bench.qr import previous_path, sim_corpus
from drivers.scanner.camera import gray
from drivers.scanner.decoders import ZxingDecoder

DECODER = ZxingDecoder()


def current_path(frame):  # type: ignore[no-untyped-def]
    return DECODER.decode(gray(frame))


def compare(corpus):  # type: ignore[no-untyped-def]
    """(frames the previous path read, frames with a code) after checking each frame both ways."""
    read_before = with_code = 0
    for i, (truth, frame) in enumerate(corpus):
        before, now = previous_path(frame), current_path(frame)
        if truth is None:
            assert before == [] == now, f"frame {i} has no code and gave {now}"
            continue
        with_code += 1
        assert set(now) <= {truth}, f"frame {i} read as something else: {now}"
        if truth in before:
            read_before += 1
            # the same text, so the same bytes: the code holds truth.encode("utf-8")
            assert now == before, f"frame {i} was read as {before} before and as {now} now"
            assert now[0].encode("utf-8") == truth.encode("utf-8")
    return read_before, with_code


def test_every_code_the_previous_path_read_on_photos_is_read_the_same() -> None:
    corpus = [(p.text, p.bgr) for p in photos.corpus(seed=13, with_code=36, without=12)]
    read_before, with_code = compare(corpus)
    assert with_code == 36 and read_before >= 20  # hard photos, not hopeless ones: something is compared
    assert any(t is not None and not t.isascii() for t, _ in corpus)  # a Vietnamese payload is in there


def test_every_code_the_previous_path_read_from_the_simulated_camera_is_read_the_same() -> None:
    read_before, with_code = compare(sim_corpus((640, 480), seed=13, with_code=30, without=10))
    assert with_code == 30 and read_before >= 20
