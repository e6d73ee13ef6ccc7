"""Receipts as bytes: status bits, TCVN-3, every mode on every kind of profile, the rendered image."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageChops

from drivers.printer import status as rt
from drivers.printer.errors import StatusUnreadable
from drivers.printer.render import PrinterProfile, VietnameseMode, render_bytes
from drivers.printer.vietnamese import LOWER, UPPER, decode_tcvn3, encodable, encode_tcvn3, vietnamese_letters
from kiosk.receipts import TONE_TEST_LINES, technician_test_page
from tests.printing import AT, OFFICE, dropoff, listing, print_offline

DATA = Path(__file__).parent / "data"
EPSON = PrinterProfile("TM-T20II", "80mm")
CHEAP = PrinterProfile("POS-5890", "58mm")

# -- real-time status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, rt.PrinterStatus()),  # healthy: bits 1 and 4 only
        ({1: 0x1A, 2: 0x16, 4: 0x12}, rt.PrinterStatus(offline=True, cover_open=True)),
        ({1: 0x1A, 2: 0x32, 4: 0x72}, rt.PrinterStatus(offline=True, stopped_for_paper=True, paper_out=True)),
        ({1: 0x12, 2: 0x12, 4: 0x1E}, rt.PrinterStatus(paper_near_end=True)),
    ],
)
def test_status_table(answers: dict[int, int], expected: rt.PrinterStatus) -> None:
    assert rt.decode(answers) == expected
    assert rt.encode(expected) == answers


@pytest.mark.parametrize("nonsense", [0x00, 0xFF, 0x13, 0x92, 0x02])
def test_a_byte_that_is_not_a_status_is_refused(nonsense: int) -> None:
    with pytest.raises(StatusUnreadable, match="not a status"):
        rt.decode({1: 0x12, 2: nonsense, 4: 0x12})


def test_problems_say_what_to_do() -> None:
    assert rt.PrinterStatus(paper_out=True, stopped_for_paper=True, offline=True).problems == [
        "the paper has run out: load a new roll"
    ]
    assert rt.PrinterStatus(cover_open=True).problems == ["the cover is open: close it"]
    assert rt.PrinterStatus(paper_near_end=True).can_print


@given(st.dictionaries(st.sampled_from(rt.QUERIES), st.integers(0, 255), min_size=3, max_size=3))
def test_any_answer_is_a_status_or_unreadable(answers: dict[int, int]) -> None:
    with contextlib.suppress(StatusUnreadable):
        rt.decode(answers)


# -- TCVN-3 -----------------------------------------------------------------------------------


def test_every_vietnamese_letter_is_in_tcvn3() -> None:
    letters = vietnamese_letters()
    assert len(letters) == 146 and all(encodable(ch) for ch in letters)


def test_upper_case_d_with_stroke_is_mended() -> None:
    # escpos-printer-db maps U+00D0 (Ð) where TCVN-3 has U+0110 (Đ) at A7 of the upper page.
    assert UPPER["Đ"] == 0xA7 and "Ð" not in UPPER
    assert LOWER["đ"] == 0xAE


def test_tcvn3_switches_page_only_when_needed() -> None:
    data, page = encode_tcvn3("ĐÃ NHẬN hồ sơ", (30, 31))
    assert data == b"\x1bt\x1f\xa7\xb7 NH\xcbN h\x1bt\x1e\xe5 s\xac"
    assert page == 30
    assert encode_tcvn3("ơ", (30, 31), current=30)[0] == b"\xac"  # the page carries over


@given(st.text(alphabet=vietnamese_letters() + "abcXYZ 0123:-/", max_size=60))
def test_tcvn3_round_trip(text: str) -> None:
    data, _ = encode_tcvn3(text, (30, 31))
    decoded, upper, i = [], False, 0
    while i < len(data):  # split at page switches and decode each run with its page
        if data[i : i + 2] == b"\x1bt":
            upper = data[i + 2] == 31
            i += 3
            continue
        decoded.append(decode_tcvn3(data[i : i + 1], upper))
        i += 1
    assert "".join(decoded) == text


# -- receipts as bytes ----------------------------------------------------------------------------


def test_dropoff_receipt_bytes_in_tcvn3_text_mode_are_as_expected() -> None:
    expected = (DATA / "dropoff-tm-t20ii-80mm-text.bin").read_bytes()
    assert render_bytes(dropoff(), EPSON, VietnameseMode.TEXT) == expected


def test_dropoff_receipt_in_user_characters_is_as_expected() -> None:
    got = listing(render_bytes(dropoff(), CHEAP, VietnameseMode.USER_CHARS))
    assert got == (DATA / "dropoff-pos5890-58mm-user-chars.listing").read_text()


def test_text_mode_needs_a_tcvn3_profile() -> None:
    assert CHEAP.best_mode() is VietnameseMode.USER_CHARS and EPSON.best_mode() is VietnameseMode.TEXT
    with pytest.raises(ValueError, match="POS-5890 has no TCVN-3 pages"):
        render_bytes(dropoff(), CHEAP, VietnameseMode.TEXT)


MODES = [
    (EPSON, VietnameseMode.TEXT), (EPSON, VietnameseMode.USER_CHARS), (EPSON, VietnameseMode.RASTER_LINES),
    (EPSON, VietnameseMode.RASTER), (CHEAP, VietnameseMode.USER_CHARS), (CHEAP, VietnameseMode.RASTER_LINES),
    (CHEAP, VietnameseMode.RASTER),
]  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "mode"), MODES, ids=lambda v: getattr(v, "value", getattr(v, "name", ""))
)
def test_text_from_outside_is_printed_never_refused_nor_sent_as_commands(
    profile: PrinterProfile, mode: VietnameseMode, tmp_path: Path
) -> None:
    """What broke: a procedure named with "§" (or "©", "≥", a U+2028) raised half-way through a
    receipt, after the dossier was in; and ESC @, GS V, a NUL in a catalogue reached the printer."""
    from kiosk.receipts import Office, dropoff_receipt

    odd = "Trợ cấp § 5 ≥ 80% © \x1b@\x1dV\x00\u2028 xong"
    doc = dropoff_receipt(
        Office(f"UBND § {odd}", "HG-VT-01"), "000.00.53.H48-220921-0099", odd, AT, "A05", "x"
    )
    data = render_bytes(doc, profile, mode)
    assert b"\x1b@\x1dV" not in data and b"\x00\xe2\x80\xa8" not in data
    clean = render_bytes(
        dropoff_receipt(Office("UBND", "HG-VT-01"), "X-1", "x", AT, "A05", "x"), profile, mode
    )
    assert data.count(b"\x1dV") == clean.count(b"\x1dV") and data[-8:] == clean[-8:]  # all of it, to the cut
    text, _ = print_offline(data, tmp_path, profile.name, profile.paper)
    assert "\ufffd" not in text


@pytest.mark.parametrize(
    ("profile", "mode"),
    [(EPSON, VietnameseMode.TEXT), (EPSON, VietnameseMode.USER_CHARS), (EPSON, VietnameseMode.RASTER_LINES),
     (EPSON, VietnameseMode.RASTER), (CHEAP, VietnameseMode.USER_CHARS), (CHEAP, VietnameseMode.RASTER_LINES),
     (CHEAP, VietnameseMode.RASTER)],
    ids=lambda v: getattr(v, "value", getattr(v, "name", "")),
)  # fmt: skip
def test_no_question_mark_in_any_mode_on_any_profile(
    profile: PrinterProfile, mode: VietnameseMode, tmp_path: Path
) -> None:
    text, png = print_offline(render_bytes(dropoff(), profile, mode), tmp_path, profile.name, profile.paper)
    printed_words = "\n".join(line for line in text.splitlines() if not line.startswith("[QR "))
    assert "?" not in printed_words and "\ufffd" not in printed_words
    if mode in (VietnameseMode.TEXT, VietnameseMode.USER_CHARS):
        assert "Thủ tục / Procedure: Đăng ký" in text and "Hồ sơ đã được gửi vào ngăn tủ." in text
    else:
        assert "[image" in text  # the Vietnamese went as pixels
    assert Image.open(png).width == profile.dots


@pytest.mark.parametrize(
    ("profile", "mode"),
    [(EPSON, VietnameseMode.TEXT), (CHEAP, VietnameseMode.USER_CHARS)],
    ids=["tcvn3", "user-chars"],
)
def test_the_test_page_carries_every_tone_mark_exactly(
    profile: PrinterProfile, mode: VietnameseMode, tmp_path: Path
) -> None:
    data = render_bytes(technician_test_page(OFFICE, AT, profile.name, mode.value), profile, mode)
    text, _ = print_offline(data, tmp_path, profile.name, profile.paper)
    printed = " ".join(text.split())  # 58 mm paper wraps the long lines
    for line in TONE_TEST_LINES:
        assert line in printed


def test_user_chars_define_each_letter_once_and_reuse_codes_when_they_run_out() -> None:
    from drivers.printer.userchars import CODES, UserChars
    from drivers.printer.vietnamese import vietnamese_letters

    chars = UserChars()
    first = chars.encode_line("Đăng ký Đăng")
    assert first.count(b"\x1b&") == 3  # Đ, ă, ý: each defined once
    assert chars.encode_line("Đă").count(b"\x1b&") == 0
    letters = vietnamese_letters()
    for i in range(0, len(letters), 20):
        chars.encode_line(letters[i : i + 20])
    non_ascii = [ch for ch in letters if ord(ch) > 0x7E]
    assert len(non_ascii) == 134 and chars.definitions >= 134  # each at least once; evicted ones again
    assert not any(ord(ch) < 0x7F for ch in chars.codes)  # plain a, e, i, o, u, y stay the printer's own
    assert len(chars.codes) == len(CODES) and len(set(chars.codes.values())) == len(CODES)


def test_printed_image_matches_the_reference(tmp_path: Path) -> None:
    _, png = print_offline(
        render_bytes(dropoff(), EPSON, VietnameseMode.TEXT), tmp_path, EPSON.name, EPSON.paper
    )
    got = Image.open(png).convert("L")
    reference = Image.open(DATA / "dropoff-tm-t20ii-80mm-text.png").convert("L")
    assert got.size == reference.size
    diff = ImageChops.difference(got, reference)
    differing = diff.point(lambda v: 255 if v > 64 else 0).histogram()[255] / (got.width * got.height)
    assert differing < 0.005, f"{differing:.2%} of pixels differ from the reference"
