"""What a scanned or typed code is, parsed. Pure: text in, a typed value or ``CodeRejected`` out.

Kinds: a kiosk pickup token (our own QR, issue 4 verifies its MAC), a dossier code (the regulated
shape of Circular 01/2018/TT-VPCP is recognised, other well-formed codes accepted), the QR on
receipts and appointment slips (Circular 01/2023/TT-VPCP: text with the dossier code, or a URL of a
public-service portal carrying it), and a staff badge. Everything else is rejected with a reason.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_LENGTH = 512  # a receipt QR with procedure and dates fits in well under this

PICKUP_PREFIX = "DKP2|"  # a token that names its loading (kiosk/pickup_codes.py)
LEGACY_PICKUP_PREFIX = "DKP1|"  # issued before loadings were named; honoured for those items only
STAFF_PREFIX = "DKS1|"

# Every pattern is ASCII-only (re.ASCII): \d would otherwise take any script's digits, and one
# value must have one spelling.
A = re.ASCII
# 000.00.53.H48-220921-0099: receiving unit (Circular 10/2016/TT-BTTTT), yymmdd, daily sequence.
REGULATED = re.compile(r"(?P<unit>\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(?P<date>\d{6})-(?P<seq>\d{4})", A)
# Other systems' codes (G09.20-20260609-0092637, G22.39-240517-0012): letters, digits, dots, dashes.
LENIENT = re.compile(r"[A-Z0-9](?:[A-Z0-9]|[.\-](?=[A-Z0-9])){5,39}", A)
REGULATED_ANY_CASE = re.compile(REGULATED.pattern, A | re.IGNORECASE)
PROCEDURE = re.compile(r"\b(?P<code>[12]\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?)\b", A)
DAY = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b", A)
STAFF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,31}", A)
PORTAL_HOST = re.compile(r"(?:^|\.)gov\.vn\Z", A)
COMPARTMENT = re.compile(r"[A-Z][0-9]{2,3}", A)
# The canonical spellings inside a token: no leading zero, no padding, one case.
EXPIRES = re.compile(r"[1-9][0-9]{0,11}", A)
LOADING = re.compile(r"[A-Za-z0-9_-]{12}", A)
MAC = re.compile(r"[A-Za-z0-9_-]{22}", A)  # 16 bytes of base64url, unpadded
# Unicode categories a scanned or typed code never holds: controls, format characters (bidi
# overrides, zero-width), surrogates, private use, unassigned.
UNREADABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
URL_CODE_KEYS = ("mahoso", "ma_ho_so", "code", "dossiercode", "dossier_code", "hoso", "mhs", "ma")


class Rejection(enum.Enum):
    EMPTY = ("Không đọc được mã. Vui lòng quét lại.", "Nothing was read. Please scan again.")
    TOO_LONG = ("Mã quá dài, không phải mã hồ sơ.", "The code is too long to be a dossier code.")
    UNREADABLE = (
        "Mã có ký tự lạ. Vui lòng quét lại.",
        "The code has unexpected characters. Please scan again.",
    )
    PAYMENT_QR = (
        "Đây là mã QR thanh toán, không phải mã hồ sơ.",
        "This is a payment QR (VietQR), not a dossier code.",
    )
    FOREIGN_URL = (
        "Đường dẫn này không thuộc cổng dịch vụ công.",
        "This link is not from a public-service portal.",
    )
    NO_DOSSIER_IN_URL = (
        "Đường dẫn không chứa mã hồ sơ.",
        "The link does not carry a dossier code.",
    )
    BAD_TOKEN = ("Mã nhận kết quả không hợp lệ.", "The pickup code is not valid.")
    BAD_BADGE = ("Thẻ cán bộ không hợp lệ.", "The staff badge is not valid.")
    UNKNOWN = (
        "Máy không nhận ra mã này. Vui lòng kiểm tra lại mã, hoặc quét mã QR trên phiếu hẹn hoặc trong tin"
        " nhắn.",
        "This code is not recognised. Please check it, or scan the QR on your appointment slip or SMS.",
    )

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en


class CodeRejected(ValueError):
    def __init__(self, rejection: Rejection, detail: str = "") -> None:
        super().__init__(rejection.en + (f" ({detail})" if detail else ""))
        self.rejection = rejection
        self.detail = detail


@dataclass(frozen=True)
class DossierCode:
    code: str
    regulated: bool
    unit: str | None = None  # receiving unit, regulated shape only
    received: date | None = None
    sequence: int | None = None

    kind = "dossier"


@dataclass(frozen=True)
class ReceiptQR:
    dossier: DossierCode
    procedure: str | None = None
    appointment: date | None = None
    portal_url: str | None = None

    kind = "receipt"


@dataclass(frozen=True)
class PickupToken:
    kiosk_id: str
    dossier: DossierCode
    compartment: str
    expires: int  # Unix seconds
    mac: str  # base64url; verified by the core, not here
    loading: str | None = None  # the loading it was issued for; None on a legacy (DKP1) token

    kind = "pickup"

    @property
    def signed_part(self) -> str:
        """Exactly the text that was signed: parsing accepts only canonical spellings, so this is
        also exactly what was scanned, up to the MAC."""
        head = f"{self.kiosk_id}|{self.dossier.code}|{self.compartment}|{self.expires}"
        if self.loading is None:
            return f"{LEGACY_PICKUP_PREFIX}{head}"
        return f"{PICKUP_PREFIX}{head}|{self.loading}"


@dataclass(frozen=True)
class StaffBadge:
    staff_id: str

    kind = "staff"


ScannedCode = DossierCode | ReceiptQR | PickupToken | StaffBadge


def parse(text: str) -> ScannedCode:
    """Tell apart and parse one scanned or typed code; ``CodeRejected`` says why not."""
    text = _clean(text)
    for prefix, parser in _BY_PREFIX:
        if text.startswith(prefix):
            return parser(text)
    if text.startswith("000201") and "A000000727" in text:
        raise CodeRejected(Rejection.PAYMENT_QR)
    if re.match(r"(?i)https?://", text):
        return _portal_url(text)
    if "\n" in text or ":" in text or "=" in text:
        return _receipt_text(text)
    return parse_dossier_code(text)


def dossier_of(parsed: ScannedCode) -> DossierCode | None:
    """The dossier a code names, whatever kind of code it is (a staff badge names none)."""
    if isinstance(parsed, DossierCode):
        return parsed
    if isinstance(parsed, ReceiptQR | PickupToken):
        return parsed.dossier
    return None


def parse_dossier_code(text: str) -> DossierCode:
    """A dossier code, upper-cased (a typed ``h48`` is the same code); ASCII only, so no other
    script's digits or letters that upper-case to ASCII ("ı" to "I") give a second spelling."""
    code = text.strip()
    if not code.isascii():
        raise CodeRejected(Rejection.UNKNOWN)
    code = code.upper()
    whole = REGULATED.fullmatch(code)
    if whole:
        return _regulated(whole)
    if LENIENT.fullmatch(code) and re.search(r"[0-9]", code) and "-" in code:
        return DossierCode(code, regulated=False)
    raise CodeRejected(Rejection.UNKNOWN)


def _clean(text: str) -> str:
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise CodeRejected(Rejection.EMPTY)
    if len(text) > MAX_LENGTH:
        raise CodeRejected(Rejection.TOO_LONG, f"{len(text)} characters")
    # printable ASCII (the common case, and every pickup token) has no character of those
    # categories: the per-character look-up is for the rest
    plain = text.isascii() and text.isprintable()
    if not plain and any(
        unicodedata.category(ch) in UNREADABLE_CATEGORIES and ch not in "\t\r\n" for ch in text
    ):
        raise CodeRejected(Rejection.UNREADABLE)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _regulated(m: re.Match[str]) -> DossierCode:
    yymmdd = m["date"]
    try:  # every code was issued after 2000; strptime's %y would put 69-99 in the 1900s
        received = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        received = None  # a code is not refused over its date; the backend knows it
    return DossierCode(m.group(0), True, m["unit"], received, int(m["seq"]))


def _pickup(text: str) -> PickupToken:
    """``DKP2|kiosk|code|compartment|expires|loading|mac`` (or the legacy six-part ``DKP1``), each
    part in its one canonical spelling: a token is a bearer secret, and a second spelling of it
    (leading zeros, another case) must not be a second valid token."""
    parts = text.split("|")
    legacy = parts[0] + "|" == LEGACY_PICKUP_PREFIX
    if len(parts) != (6 if legacy else 7):
        raise CodeRejected(Rejection.BAD_TOKEN, "wrong shape")
    kiosk_id, code, compartment, expires = parts[1:5]
    loading, mac = (None, parts[5]) if legacy else (parts[5], parts[6])
    shapes = [(STAFF_ID, kiosk_id), (COMPARTMENT, compartment), (EXPIRES, expires), (MAC, mac)]
    if loading is not None:
        shapes.append((LOADING, loading))
    if not all(pattern.fullmatch(part) for pattern, part in shapes):
        raise CodeRejected(Rejection.BAD_TOKEN, "wrong shape")
    try:
        dossier = parse_dossier_code(code)
    except CodeRejected:
        raise CodeRejected(Rejection.BAD_TOKEN, "no dossier code in it") from None
    if dossier.code != code:
        raise CodeRejected(Rejection.BAD_TOKEN, "not in its canonical spelling")
    return PickupToken(kiosk_id, dossier, compartment, int(expires), mac, loading)


def _badge(text: str) -> StaffBadge:
    staff_id = text[len(STAFF_PREFIX) :]
    if not STAFF_ID.fullmatch(staff_id):
        raise CodeRejected(Rejection.BAD_BADGE)
    return StaffBadge(staff_id)


_BY_PREFIX = ((PICKUP_PREFIX, _pickup), (LEGACY_PICKUP_PREFIX, _pickup), (STAFF_PREFIX, _badge))


def _portal_url(text: str) -> ReceiptQR:
    try:  # urllib refuses some URLs outright ("http://[::1" is not a valid IPv6 host)
        url = urlsplit(text)
        host = (url.hostname or "").lower()
    except ValueError:
        raise CodeRejected(Rejection.UNREADABLE, "a link that cannot be read") from None
    if not PORTAL_HOST.search(host):  # parse() only sends http(s) URLs here
        raise CodeRejected(Rejection.FOREIGN_URL, host or "no host")
    query = {k.lower(): v for k, v in parse_qsl(url.query)}
    candidates = [query[k] for k in URL_CODE_KEYS if k in query]
    candidates += [unquote(seg) for seg in reversed(url.path.split("/")) if seg]
    for candidate in candidates:
        try:
            return ReceiptQR(parse_dossier_code(candidate), portal_url=text)
        except CodeRejected:
            continue
    raise CodeRejected(Rejection.NO_DOSSIER_IN_URL)


def _receipt_text(text: str) -> ReceiptQR:
    """A receipt QR carrying labelled text; the dossier code is the one regulated-shape code in it,
    else the value after a "code" label."""
    # found case-blind in ASCII only: upper-casing the whole text first would let non-ASCII
    # letters become ASCII ones
    found = {m.group(0).upper(): m for m in REGULATED_ANY_CASE.finditer(text)}
    if len(found) == 1:
        dossier = parse_dossier_code(next(iter(found)))
    else:
        labelled = re.search(r"(?i)(?:m[aã] h[oồ] s[oơ]|mahoso|ma_ho_so|code)\s*[:=]\s*([^\s;,|]+)", text)
        if not labelled:
            raise CodeRejected(Rejection.UNKNOWN)
        dossier = parse_dossier_code(labelled.group(1))
    procedure = PROCEDURE.search(text)
    return ReceiptQR(dossier, procedure["code"] if procedure else None, _appointment(text))


def _appointment(text: str) -> date | None:
    label = re.search(r"(?i)(?:ng[aà]y h[eẹ]n( tr[aả])?|appointment|ngayhentra)", text)
    days = list(DAY.finditer(text, label.end() if label else 0))
    for m in days[:1]:
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None
    return None
