"""The wording of the screens (issue 13, item 14): the proofreader's rules kept in every string of
the catalogues, amounts and opening hours written as a person reads them, and the maintenance
findings in Vietnamese without English inside."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from drivers.lockboard.bus import BoardStatus
from drivers.lockboard.errors import BoardSilent
from drivers.printer.errors import PrinterNotReady
from kiosk import maintenance
from kiosk.office import Opening
from ui import readable
from ui.i18n import LOCALE_DIR
from ui.window import MESSAGES


def catalogue(language: str) -> dict[str, str]:
    with (LOCALE_DIR / f"{language}.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# what the proofreader corrected, and must not come back (Vietnamese)
WRONG_VI = {
    r";": "full stops, not semicolons",
    r"(?i)\bngăn\b(?! tủ)": "one word for a compartment: ngăn tủ",
    r"trang đầu": "one word for the start screen: màn hình chính",
    r"Đồng ý": "the button says Tiếp tục",
    r"(?i)\bgõ\b": "Nhập, not Gõ",
    r"(?i)quầy một cửa": "Bộ phận Một cửa",
}


@pytest.mark.parametrize(("pattern", "rule"), WRONG_VI.items())
def test_no_vietnamese_string_breaks_a_rule_of_the_proofreader(pattern: str, rule: str) -> None:
    broken = [s for s in catalogue("vi").values() if re.search(pattern, s)]
    assert broken == [], rule


def test_no_english_string_joins_sentences_with_a_semicolon() -> None:
    assert [s for s in catalogue("en").values() if ";" in s] == []


def test_a_translation_asks_only_for_values_the_screen_gives() -> None:
    """A placeholder the screen does not fill would fail the screen; the message screen also gives
    the office's opening hours (``hours``), for the fee's heading."""
    headings = {key for key, _ in MESSAGES.values()}
    for language in ("vi", "en"):
        for key, text in catalogue(language).items():
            allowed = placeholders(key) | ({"hours"} if key in headings else set())
            assert placeholders(text) <= allowed, (language, key, text)


def test_a_fee_is_written_with_its_thousands_grouped_in_each_language() -> None:
    assert readable.amount(8000, "vi") == "8.000"
    assert readable.amount(1_250_000, "vi") == "1.250.000"
    assert readable.amount(8000, "en") == "8,000"
    assert readable.amount(500, "vi") == "500"
    shown = readable.shown({"fee_due": 8000, "code": "000.00.53.H48-220921-0099", "compartment": "A05"}, "vi")
    assert shown == {"fee_due": "8.000", "code": "000.00.53.H48-220921-0099", "compartment": "A05"}


def test_opening_hours_say_the_days_once_for_their_periods() -> None:
    openings = [Opening.parse(p) for p in ("mon-fri 07:30-11:30", "mon-fri 13:30-17:00", "sat 07:30-11:30")]
    assert (
        readable.hours(openings, "vi")
        == "Thứ Hai – Thứ Sáu: 7:30 – 11:30, 13:30 – 17:00 · Thứ Bảy: 7:30 – 11:30"
    )
    assert readable.hours(openings, "en").startswith(
        "Monday – Friday: 7:30 – 11:30, 13:30 – 17:00 · Saturday"
    )
    assert readable.hours([], "vi") == "—"
    assert readable.shown({"hours": openings[:1]}, "en") == {"hours": "Monday – Friday: 7:30 – 11:30"}


def test_the_maintenance_findings_say_in_vietnamese_what_is_wrong() -> None:
    jammed = maintenance.out_of_service_finding("B02", "door jammed")
    assert (jammed.vi, jammed.en) == (
        "Ngăn tủ B02 ngừng sử dụng: cửa bị kẹt",
        "B02 out of service: door jammed",
    )
    typed = maintenance.out_of_service_finding("A03", "bản lề gãy")  # a technician's own words, kept
    assert typed.vi.endswith(": bản lề gãy")
    silent = maintenance.board_finding("lockbus0", 1, BoardSilent("lockbus0", 1))
    assert (
        silent.vi
        == "lockbus0 bo mạch 1: không trả lời (kiểm tra nguồn, dây RS485 A/B và công tắc DIP địa chỉ)"
    )
    assert "does not answer" in silent.en  # the driver's own detail, for the technician
    assert maintenance.board_finding("lockbus0", 0, BoardStatus(0, (True,), None)).ok
    assert maintenance.trouble_vi(PrinterNotReady(["paper out"])) == "máy in chưa sẵn sàng, xem nắp và giấy"
    assert maintenance.queue_finding(3, 1.25).vi == "Hàng đợi đồng bộ: 3 sự kiện, cũ nhất 1,2 giờ"
    for finding in (jammed, silent):
        assert not re.search(r"\b(door|board|jammed|answer|not)\b", finding.vi), finding.vi


def test_a_wrapped_office_name_never_leaves_its_last_word_alone() -> None:
    """The walker's "phường Vị / Thanh": the place name's last two words are held together."""
    assert readable.no_widow("Bộ phận Một cửa UBND phường Vị Thanh").endswith("Vị\u00a0Thanh")
    assert readable.no_widow("Một") == "Một" and readable.no_widow("") == ""
