"""Sample dossiers for the stand-in backend: realistic Vietnamese names (masked, as the province
sends them), procedures a commune or district one-stop office handles, and dossier codes in the
regulated shape (Decree 61/2018/ND-CP, Circular 01/2018/TT-VPCP: unit code, date, sequence)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from kiosk.names import masked

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hạnh",
    "Hùng",
    "Khoa",
    "Lan",
    "Mai",
    "Nam",
    "Oanh",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Uyên",
    "Vinh",
    "Xuân",
    "Yến",
]
PROCEDURES: list[tuple[str, int, str]] = [  # (procedure, fee in đồng, size hint)
    ("Cấp bản sao trích lục hộ tịch", 8_000, "S"),
    ("Đăng ký khai sinh", 0, "S"),
    ("Đăng ký kết hôn", 0, "S"),
    ("Chứng thực bản sao từ bản chính", 2_000, "S"),
    ("Cấp Phiếu lý lịch tư pháp", 200_000, "S"),
    ("Đăng ký biến động quyền sử dụng đất", 0, "M"),
    ("Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 100_000, "M"),
    ("Cấp giấy phép xây dựng nhà ở riêng lẻ", 75_000, "L"),
    ("Đăng ký hộ kinh doanh", 100_000, "S"),
    ("Xác nhận tình trạng hôn nhân", 0, "S"),
]
UNIT = "000.00.53.H48"  # a receiving unit's code, as in the province's codes


def sample(count: int, kiosk_id: str, *, seed: int = 2026, today: date | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    day = today or date(2026, 11, 23)
    out = []
    for n in range(1, count + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        procedure, fee, size = rng.choice(PROCEDURES)
        received = day - timedelta(days=rng.randint(1, 20))
        out.append(
            {
                "dossier_code": f"{UNIT}-{received:%y%m%d}-{n:04d}",
                "citizen": masked(name),
                "procedure": procedure,
                "fee_due": fee,
                "hold_days": 30 if size == "L" else None,
                "size_hint": size,
                "kiosk": kiosk_id,
            }
        )
    return out
