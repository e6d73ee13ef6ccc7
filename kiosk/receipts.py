"""The receipts the kiosk prints, built from domain facts. Vietnamese first, English second.

A drop-off receipt is what a citizen may need to prove they handed in a dossier: it carries the
dossier code, procedure, time, compartment and kiosk, and a QR to track the dossier. A pickup whose
fee was paid at the kiosk gets a receipt of the payment: the fee, each way it was paid (the sum,
the method, the payment's reference to quote) and "Đã thanh toán / Paid".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from drivers.printer.document import QR, Document, Field, Rule, Text

VIETNAM = timezone(timedelta(hours=7), "ICT")
# Every tone mark on every vowel, and đ/Đ: the technician's test of a printer's Vietnamese.
TONE_TEST_LINES = (
    "a à ả ã á ạ ă ằ ẳ ẵ ắ ặ â ầ ẩ ẫ ấ ậ đ",
    "e è ẻ ẽ é ẹ ê ề ể ễ ế ệ i ì ỉ ĩ í ị",
    "o ò ỏ õ ó ọ ô ồ ổ ỗ ố ộ ơ ờ ở ỡ ớ ợ",
    "u ù ủ ũ ú ụ ư ừ ử ữ ứ ự y ỳ ỷ ỹ ý ỵ",
    "Đ Ă Â Ê Ô Ơ Ư Ấ Ầ Ẩ Ẫ Ậ Ắ Ằ Ẳ Ẵ Ặ Ế Ề Ể Ễ Ệ",
    "Ố Ồ Ổ Ỗ Ộ Ớ Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự Ý Ỳ Ỷ Ỹ Ỵ",
)


@dataclass(frozen=True)
class Office:
    name: str  # e.g. "Bộ phận Một cửa UBND phường Vị Thanh"
    kiosk_id: str


def local(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def _header(office: Office, title_vi: str, title_en: str) -> tuple[Text | Rule, ...]:
    return (
        Text(office.name, bold=True, align="center"),
        Text(title_vi, bold=True, align="center", big=True),
        Text(title_en, align="center"),
        Rule(),
    )


def dropoff_receipt(
    office: Office, dossier_code: str, procedure: str, at: datetime, compartment: str, tracking_url: str
) -> Document:
    return Document(
        "drop-off receipt",
        (
            *_header(office, "BIÊN NHẬN NỘP HỒ SƠ", "Dossier drop-off receipt"),
            Field("Mã hồ sơ / Dossier", dossier_code),
            Field("Thủ tục / Procedure", procedure),
            Field("Thời gian / Time", local(at)),
            Field("Ngăn / Compartment", compartment),
            Field("Máy / Kiosk", office.kiosk_id),
            Rule(),
            Text("Hồ sơ đã được gửi vào ngăn tủ. Cán bộ một cửa sẽ tiếp nhận và báo kết quả qua tin nhắn."),
            Text("Your dossier is in the locker. An officer will take it in and notify you by SMS."),
            QR(tracking_url, "Quét để tra cứu hồ sơ / Scan to track"),
            Text("Giữ biên nhận này / Keep this receipt", align="center"),
        ),
    )


METHODS = {"vietqr": "Chuyển khoản VietQR", "cash": "Tiền mặt"}  # as the receipt names them


@dataclass(frozen=True)
class PaidBy:
    """One way a fee was paid: the sum received, the method ("vietqr", "cash"), the reference."""

    received: int
    method: str
    reference: str


def dong(value: int) -> str:
    return f"{value:,}".replace(",", ".") + " đồng"


def pickup_receipt(
    office: Office, dossier_code: str, at: datetime, compartment: str, *, fee: int = 0,
    paid: Sequence[PaidBy] = (),
) -> Document:  # fmt: skip
    """The pickup's receipt; with what was paid at the kiosk, when a fee was."""
    payment: tuple[Field | Rule | Text, ...] = ()
    if paid:
        payment = (
            Rule(),
            Field("Phí / Fee", dong(fee)),
            *(line for by in paid for line in (
                Field("Hình thức / Method", METHODS.get(by.method, by.method)),
                Field("Số tiền / Amount", dong(by.received)),
                Field("Mã thanh toán / Reference", by.reference),
            )),
            Text("Đã thanh toán / Paid", bold=True, align="center"),
            *_excess(sum(by.received for by in paid) - fee),
        )  # fmt: skip
    return Document(
        "pickup receipt",
        (
            *_header(office, "BIÊN NHẬN TRẢ KẾT QUẢ", "Result pickup receipt"),
            Field("Mã hồ sơ / Dossier", dossier_code),
            Field("Thời gian / Time", local(at)),
            Field("Ngăn / Compartment", compartment),
            Field("Máy / Kiosk", office.kiosk_id),
            *payment,
            Rule(),
            Text("Đã trả kết quả. Cảm ơn ông/bà. / Result handed over. Thank you.", align="center"),
        ),
    )


def _excess(excess: int) -> tuple[Field | Text, ...]:
    """Money taken over the fee (a note the kiosk could not give change for): what to claim back."""
    if excess <= 0:
        return ()
    return (
        Field("Tiền thừa / Over-paid", dong(excess)),
        Text("Liên hệ Bộ phận Một cửa để nhận lại. / Ask the one-stop office for it back."),
    )


def load_slip(office: Office, officer: str, at: datetime, loaded: list[tuple[str, str]]) -> Document:
    """The officer's slip after loading results: one line per (dossier code, compartment)."""
    rows = tuple(Field(compartment, code) for code, compartment in loaded)
    return Document(
        "officer load slip",
        (
            *_header(office, "PHIẾU NẠP KẾT QUẢ", "Results loaded"),
            Field("Cán bộ / Officer", officer),
            Field("Thời gian / Time", local(at)),
            Field("Số hồ sơ / Count", str(len(loaded))),
            Rule(),
            *rows,
        ),
    )


def technician_test_page(office: Office, at: datetime, profile: str, mode: str) -> Document:
    return Document(
        "technician test page",
        (
            *_header(office, "TRANG IN THỬ", "Printer test page"),
            Field("Máy / Kiosk", office.kiosk_id),
            Field("Thời gian / Time", local(at)),
            Field("Máy in / Profile", profile),
            Field("Tiếng Việt / Mode", mode),
            Rule(),
            *(Text(line) for line in TONE_TEST_LINES),
            Text("Nguyễn Thị Ánh Tuyết — Đường Trần Hưng Đạo, TP. Vị Thanh"),
            QR("DKTEST|" + office.kiosk_id, "Mã QR thử / Test QR"),
        ),
    )
