"""Code parsing: tables of what a scanner or a person may give, and properties over random input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.codes import (
    CodeRejected,
    DossierCode,
    PickupToken,
    ReceiptQR,
    Rejection,
    StaffBadge,
    parse,
)

MAC = "q3Jx0bV1uA7dLk2mN9pR4s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "000.00.53.H48-220921-0099",
            DossierCode("000.00.53.H48-220921-0099", True, "000.00.53.H48", date(2022, 9, 21), 99),
        ),
        (
            "  000.00.19.h26-250701-0001\r\n",
            DossierCode("000.00.19.H26-250701-0001", True, "000.00.19.H26", date(2025, 7, 1), 1),
        ),
        ("G22.39-240517-0012", DossierCode("G22.39-240517-0012", False)),
        ("G09.20-20260609-0092637", DossierCode("G09.20-20260609-0092637", False)),
        (
            "000.00.53.H48-229999-0099",
            DossierCode("000.00.53.H48-229999-0099", True, "000.00.53.H48", None, 99),
        ),
    ],
)
def test_dossier_codes(text: str, expected: DossierCode) -> None:
    assert parse(text) == expected


def test_receipt_qr_with_labelled_text() -> None:
    text = (
        "Mã hồ sơ: 000.00.53.H48-220921-0099\n"
        "Thủ tục: 1.001612.000.00.00.H48 - Đăng ký khai sinh\n"
        "Ngày hẹn trả: 25/09/2022"
    )
    got = parse(text)
    assert isinstance(got, ReceiptQR)
    assert got.dossier.code == "000.00.53.H48-220921-0099" and got.dossier.regulated
    assert got.procedure == "1.001612.000.00.00.H48"
    assert got.appointment == date(2022, 9, 25)


def test_receipt_qr_with_an_unusual_code_after_a_label() -> None:
    got = parse("MaHoSo=G22.39-240517-0012;MaTTHC=2.002492;NgayHenTra=20/05/2024")
    assert isinstance(got, ReceiptQR)
    assert got.dossier == DossierCode("G22.39-240517-0012", False)
    assert (got.procedure, got.appointment) == ("2.002492", date(2024, 5, 20))


@pytest.mark.parametrize(
    "url",
    [
        "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo=000.00.53.H48-220921-0099",
        "https://dichvucong.haugiang.gov.vn/tra-cuu?code=000.00.53.H48-220921-0099&lang=vi",
        "https://motcua.hcmc.gov.vn/ho-so/000.00.53.H48-220921-0099",
    ],
)
def test_receipt_qr_as_portal_url(url: str) -> None:
    got = parse(url)
    assert isinstance(got, ReceiptQR)
    assert got.dossier.code == "000.00.53.H48-220921-0099" and got.portal_url == url


def test_pickup_token() -> None:
    text = f"DKP2|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|abcdefghijkl|{MAC}"
    got = parse(text)
    assert isinstance(got, PickupToken)
    assert (got.kiosk_id, got.compartment, got.expires, got.loading, got.mac) == (
        "HG-VT-01", "A05", 1764000000, "abcdefghijkl", MAC,
    )  # fmt: skip
    assert got.dossier.regulated
    assert got.signed_part == text.rsplit("|", 1)[0]


def test_a_legacy_pickup_token_names_no_loading() -> None:
    text = f"DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|{MAC}"
    got = parse(text)
    assert isinstance(got, PickupToken) and got.loading is None
    assert got.signed_part == text.rsplit("|", 1)[0]


def test_staff_badge() -> None:
    assert parse("DKS1|CB-0042") == StaffBadge("CB-0042")


@pytest.mark.parametrize(
    ("text", "rejection"),
    [
        ("", Rejection.EMPTY),
        ("   \n", Rejection.EMPTY),
        ("x" * 600, Rejection.TOO_LONG),
        ("000.00.53.H48\x00-220921-0099", Rejection.UNREADABLE),
        (
            "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F",
            Rejection.PAYMENT_QR,
        ),
        ("https://evil.example.com/?code=000.00.53.H48-220921-0099", Rejection.FOREIGN_URL),
        ("https://dichvucong.gov.vn.evil.com/?code=000.00.53.H48-220921-0099", Rejection.FOREIGN_URL),
        ("https://dichvucong.gov.vn/p/home/index.html", Rejection.NO_DOSSIER_IN_URL),
        ("DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|soon|" + MAC, Rejection.BAD_TOKEN),
        ("DKP1|HG-VT-01|hello|A05|1764000000|" + MAC, Rejection.BAD_TOKEN),
        ("DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|short", Rejection.BAD_TOKEN),
        ("DKS1|", Rejection.BAD_BADGE),
        ("DKS1|a b", Rejection.BAD_BADGE),
        ("hello world", Rejection.UNKNOWN),
        ("12345678", Rejection.UNKNOWN),
        ("Xin chào: không có mã", Rejection.UNKNOWN),
        ("A--B--1234567", Rejection.UNKNOWN),
        # what broke the kiosk: a digit from another script where int() is called …
        ("DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|²|" + MAC, Rejection.BAD_TOKEN),
        ("DKP2|HG-VT-01|000.00.53.H48-220921-0099|A05|١٧٦٤٠٠٠٠٠٠|abcdefghijkl|" + MAC, Rejection.BAD_TOKEN),
        # … and a URL that urllib refuses to split
        ("http://[::1/ma=000.00.53.H48-220921-0099", Rejection.UNREADABLE),
        ("https://[dichvucong.gov.vn/?code=000.00.53.H48-220921-0099", Rejection.UNREADABLE),
        # other scripts' digits and letters are not a second spelling of a code
        ("000.00.53.H48-٢٢٠٩٢١-0099", Rejection.UNKNOWN),
        ("000.00.53.H48-２２０９２１-0099", Rejection.UNKNOWN),
        ("Mã hồ sơ: 000.00.53.H48-220921-00٩٩", Rejection.UNKNOWN),
        ("g22.39-240517-0012\u0131", Rejection.UNKNOWN),
        # format characters: a bidi override or a zero-width space hides what the code says
        ("000.00.53.H48-220921-\u202e9900", Rejection.UNREADABLE),
        ("000.00.53.H48-220921\u200b-0099", Rejection.UNREADABLE),
        ("000.00.53.H48-220921-0099\ud800", Rejection.UNREADABLE),
        # a token in anything but its one spelling
        ("DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|01764000000|" + MAC, Rejection.BAD_TOKEN),
        ("DKP1|HG-VT-01|000.00.53.h48-220921-0099|A05|1764000000|" + MAC, Rejection.BAD_TOKEN),
        ("DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|" + MAC + "A", Rejection.BAD_TOKEN),
        ("DKP2|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|" + MAC, Rejection.BAD_TOKEN),
        ("DKP2|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|short|" + MAC, Rejection.BAD_TOKEN),
    ],
)
def test_rejections_have_a_reason_in_both_languages(text: str, rejection: Rejection) -> None:
    with pytest.raises(CodeRejected) as err:
        parse(text)
    assert err.value.rejection is rejection
    assert rejection.vi and rejection.en


def test_two_different_codes_in_a_receipt_without_a_label_is_not_guessed() -> None:
    with pytest.raises(CodeRejected):
        parse("Hồ sơ: 000.00.53.H48-220921-0099 hoặc 000.00.53.H48-220921-0100")


@given(st.text(max_size=600))
def test_any_text_is_parsed_or_rejected_never_crashes(text: str) -> None:
    try:
        got = parse(text)
    except CodeRejected as exc:
        assert isinstance(exc.rejection, Rejection)
    else:
        assert got.kind in ("dossier", "receipt", "pickup", "staff")


@given(
    unit=st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True),
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    seq=st.integers(0, 9999),
)
def test_every_regulated_code_round_trips(unit: str, day: date, seq: int) -> None:
    code = f"{unit}-{day:%y%m%d}-{seq:04d}"
    got = parse(code)
    assert got == DossierCode(code, True, unit, day, seq)
    labelled = parse(f"Mã hồ sơ: {code}")
    assert isinstance(labelled, ReceiptQR) and labelled.dossier == got


# -- total parsing: any text at all is a code or a CodeRejected --------------------------------------

VALID = [
    "000.00.53.H48-220921-0099",
    "G22.39-240517-0012",
    f"DKP2|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|abcdefghijkl|{MAC}",
    f"DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|{MAC}",
    "DKS1|CB-0042",
    "Mã hồ sơ: 000.00.53.H48-220921-0099\nThủ tục: 1.001612.000.00.00.H48\nNgày hẹn trả: 25/09/2022",
    "MaHoSo=G22.39-240517-0012;MaTTHC=2.002492;NgayHenTra=20/05/2024",
    "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo=000.00.53.H48-220921-0099",
    "https://motcua.hcmc.gov.vn/ho-so/000.00.53.H48-220921-0099",
]
# what a hostile QR would put in a code: other scripts' digits, letters that case-fold to ASCII,
# URL syntax, format and control characters, separators
NASTY = "٣²３٠೧੭߀𝟘ıſKﬁ[]@:%/?#=|&\u202e\u200b\ufeff\x00\x7f\ud800\n\r\t {}"


def _checked(text: str) -> None:
    try:
        got = parse(text)
    except CodeRejected as exc:
        assert isinstance(exc.rejection, Rejection)
        return
    assert got.kind in ("dossier", "receipt", "pickup", "staff")
    dossier = getattr(got, "dossier", got)
    if isinstance(dossier, DossierCode):
        # what is accepted has one spelling: ASCII, upper case
        assert dossier.code.isascii() and dossier.code == dossier.code.upper()
    if isinstance(got, PickupToken):
        # a scanner's or a file's leading byte-order mark is dropped: the same token, not a second one
        assert got.signed_part + "|" + got.mac == text.strip().lstrip("\ufeff")


@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(0, 200), st.sampled_from(NASTY) | st.characters()), min_size=1, max_size=4
    ),
)
def test_mutated_codes_are_parsed_or_rejected_never_crash(base: str, edits: list[tuple[int, str]]) -> None:
    text = base
    for at, ch in edits:
        i = at % (len(text) + 1)
        text = text[:i] + ch + text[i + 1 :]
    _checked(text)


@given(st.sampled_from(VALID), st.integers(0, 200), st.text(alphabet=NASTY, max_size=8))
def test_inserted_text_is_parsed_or_rejected_never_crash(base: str, at: int, inserted: str) -> None:
    i = at % (len(base) + 1)
    _checked(base[:i] + inserted + base[i:])


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(NASTY), max_size=120))
def test_arbitrary_unicode_is_parsed_or_rejected_never_crash(text: str) -> None:
    _checked(text)
    for prefix in ("DKP1|", "DKP2|", "DKS1|", "https://", "http://x.gov.vn/", "Mã hồ sơ: "):
        _checked(prefix + text)
