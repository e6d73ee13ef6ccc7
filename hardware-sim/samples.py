"""The demo's people and dossiers: the results an officer loads and their citizens, a dossier a
citizen looks up, a citizen handing in a dossier without a code, and the staff. Made up, in the
shapes the province uses (dossier codes as Decree 61/2018/ND-CP numbers them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleDossier:
    code: str
    citizen: str  # the whole name: the backend keeps it; the kiosk is sent it masked
    procedure: str
    size: str = "S"
    status: str = "in-process"


# three results an officer loads, each picked up by its citizen in the tour
RESULTS = (
    SampleDossier("000.00.53.H48-261124-0101", "Nguyễn Văn Khoa", "Cấp bản sao trích lục hộ tịch"),
    SampleDossier("000.00.53.H48-261125-0102", "Trần Thị Bích Hạnh", "Đăng ký kết hôn"),
    SampleDossier("000.00.53.H48-261126-0103", "Lê Hoàng Phúc", "Đăng ký biến động quyền sử dụng đất", "M"),
)


@dataclass(frozen=True)
class SampleFee:
    """A result with a fee to pay at the kiosk before its door opens, and how its citizen pays."""

    dossier: SampleDossier
    fee: int  # đồng
    method: str  # "vietqr": the bank's app (the stand-in's pretend bank confirms); "cash": notes
    notes: tuple[int, ...] = ()  # what the citizen puts into the validator, in this order


# two more results, each with a fee: one paid by transfer, one in notes (issue 14)
FEE_RESULTS = (
    SampleFee(
        SampleDossier("000.00.53.H48-261127-0104", "Võ Minh Tuấn", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
        75_000, "vietqr",
    ),
    SampleFee(SampleDossier("000.00.53.H48-261127-0105", "Đặng Thị Mai", "Cấp bản sao trích lục hộ tịch"),
              30_000, "cash", (20_000, 10_000)),
)  # fmt: skip
# a dossier still in process, which a citizen looks up
LOOKED_UP = SampleDossier(
    "000.00.53.H48-261118-0042", "Phạm Thị Oanh", "Đăng ký hộ kinh doanh", status="needs-documents"
)


@dataclass(frozen=True)
class SampleDropoff:
    """A citizen with a dossier but no code: finds its procedure by typing, leaves a phone number."""

    typed: str  # what they type on the procedure screen
    procedure: str  # the procedure's key in kiosk/data/procedures.toml
    phone: str


DROPOFF = SampleDropoff("khai sinh", "birth", "0912345678")


@dataclass(frozen=True)
class StaffMember:
    id: str  # the badge QR says DKS1|id
    name: str
    role: str
    pin: str


OFFICER = StaffMember("CB-0042", "Nguyễn Thị Lan", "officer", "482916")
TECHNICIAN = StaffMember("KT-0007", "Trần Văn Hùng", "technician", "730154")
