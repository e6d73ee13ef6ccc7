"""VietQR payloads (issue 14, part 1): the published vectors of ../shared/protocols/vietqr.md, what
is built parses back, any string parses totally, and ``kiosk vietqr``'s exit codes."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.main import main
from kiosk import vietqr
from kiosk.vietqr import VietQR, VietQRError

STATIC = "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
DYNAMIC = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540510000"
    "5802VN62150811Chuyen tien630453E6"
)
DOSSIER = "000.00.53.H48-220921-0099"  # a regulated dossier code: 25 characters, the purpose's limit


def test_the_published_vectors_are_built_and_read_back() -> None:
    assert vietqr.build(VietQR("970416", "257678859")) == STATIC
    dynamic = VietQR("970416", "257678859", amount=10_000, purpose="Chuyen tien")
    assert vietqr.build(dynamic) == DYNAMIC
    assert vietqr.parse(STATIC) == VietQR("970416", "257678859")
    assert vietqr.parse(DYNAMIC) == dynamic and vietqr.parse(DYNAMIC).dynamic


def test_a_dossier_code_fits_the_purpose_exactly() -> None:
    assert len(DOSSIER) == vietqr.PURPOSE_MAX
    payload = vietqr.build(VietQR("970436", "0071000888999", amount=8_000, purpose=DOSSIER))
    assert vietqr.parse(payload).purpose == DOSSIER


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"bank_bin": "97041"}, "6 digits"),
        ({"bank_bin": "９７０４１６"}, "6 digits"),  # full-width digits are not a BIN
        ({"account": ""}, "account"),
        ({"account": "12 34"}, "account"),
        ({"amount": 0}, "positive"),
        ({"amount": -5}, "positive"),
        ({"amount": 10**13}, "positive"),
        ({"purpose": DOSSIER + "X"}, "at most 25"),
        ({"purpose": "Lệ phí"}, "ASCII"),
        ({"purpose": "a\nb"}, "ASCII"),
        ({"service": "QRPUSH"}, "service"),
    ],
)
def test_what_a_bank_would_refuse_is_refused_by_name(fields: dict[str, object], says: str) -> None:
    values: dict[str, object] = {"bank_bin": "970416", "account": "257678859", **fields}
    with pytest.raises(VietQRError, match=says):
        VietQR(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (STATIC[:-1] + "0", "CRC"),  # one digit of the CRC changed
        (STATIC.replace("970416", "970417"), "CRC"),  # the BIN changed, the CRC not
        (STATIC[:-8], "CRC"),
        ("", "CRC"),
        ("0002016304" + vietqr.crc("0002016304"), "merchant account"),
        ("Mã QR", "ASCII"),
    ],
)
def test_a_payload_that_is_not_a_vietqr_says_why(payload: str, says: str) -> None:
    with pytest.raises(VietQRError, match=says):
        vietqr.parse(payload)


def test_a_field_cut_short_is_refused_even_with_a_good_crc() -> None:
    body = "000201010211385300" + "6304"
    with pytest.raises(VietQRError, match="says 53 characters"):
        vietqr.parse(body + vietqr.crc(body))


ascii_purpose = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25)


@given(
    bank_bin=st.from_regex(r"\A[0-9]{6}\Z"),
    account=st.from_regex(r"\A[0-9A-Z]{1,19}\Z"),
    amount=st.none() | st.integers(min_value=1, max_value=vietqr.AMOUNT_MAX),
    purpose=st.none() | ascii_purpose,
)
def test_what_is_built_parses_back_to_itself(
    bank_bin: str, account: str, amount: int | None, purpose: str | None
) -> None:
    qr = VietQR(bank_bin, account, amount=amount, purpose=purpose)
    assert vietqr.parse(vietqr.build(qr)) == qr


def read(text: str) -> VietQR | VietQRError:
    """What ``parse`` gives, or the error it raised: anything else escaping fails the test."""
    try:
        return vietqr.parse(text)
    except VietQRError as exc:
        return exc


@given(st.text(max_size=300))
def test_any_string_parses_to_a_vietqr_or_a_vietqr_error(text: str) -> None:
    read_as = read(text)
    assert isinstance(read_as, VietQR) or str(read_as)  # an error always says why


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
def test_any_ascii_with_a_good_crc_parses_totally(body: str) -> None:
    payload = body + "6304" + vietqr.crc(body + "6304")
    read_as = read(payload)
    if isinstance(read_as, VietQR):  # what is accepted is a payment a bank could make
        assert vietqr.parse(vietqr.build(read_as)) == read_as
    else:
        assert str(read_as)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["vietqr", *argv], out=out), out.getvalue()


def test_kiosk_vietqr_prints_a_static_or_a_dynamic_payload_without_a_config() -> None:
    assert run("--bin", "970416", "--account", "257678859") == (0, STATIC + "\n")
    dynamic = run(
        "--bin", "970416", "--account", "257678859", "--amount", "10000", "--purpose", "Chuyen tien"
    )
    assert dynamic == (0, DYNAMIC + "\n")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--bin", "97041", "--account", "1"], "6 digits"),
        (["--bin", "970416", "--account", "1", "--amount", "10.000"], "whole number"),
        (["--bin", "970416", "--account", "1", "--amount", "1e4"], "whole number"),
        (["--bin", "970416", "--account", "1", "--amount", "-5"], "whole number"),
        (["--bin", "970416", "--account", "1", "--amount", "0"], "positive"),
        (["--bin", "970416", "--account", "1", "--amount", "１０"], "whole number"),
        (["--bin", "970416", "--account", "1", "--purpose", DOSSIER + "X"], "at most 25"),
        (["--bin", "970416", "--account", "1", "--purpose", "Lệ phí hộ tịch"], "ASCII"),
    ],
)
def test_kiosk_vietqr_refuses_in_plain_words_and_exits_1(argv: list[str], says: str) -> None:
    code, said = run(*argv)
    assert code == 1 and said.startswith("error: ") and says in said and "Traceback" not in said
