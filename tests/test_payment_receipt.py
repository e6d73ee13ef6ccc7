"""A pickup's receipt says what was paid at the kiosk and how, and prints in Vietnamese."""

from __future__ import annotations

from pathlib import Path

from drivers.printer.document import Field, Text
from drivers.printer.render import PrinterProfile, VietnameseMode, render_bytes
from kiosk.journeys.pickup import Pickup
from kiosk.receipts import PaidBy, pickup_receipt
from tests.machine import Machine
from tests.printing import AT, OFFICE, print_offline
from tests.test_journey_fee_qr import FEE, bank_says, pickup_at_the_fee, with_fees
from tests.test_journey_pickup import CODE, load


def fields(doc: object) -> list[tuple[str, str]]:
    return [(e.label, e.value) for e in doc.elements if isinstance(e, Field)]  # type: ignore[attr-defined]


def test_the_receipt_of_a_fee_paid_by_qr(machine: Machine) -> None:
    with_fees(machine)
    sent = load(machine, fee=FEE)
    pickup = pickup_at_the_fee(machine, sent, auto_open=False)
    assert pickup.receipt is None
    pickup.pay_by_qr()
    reference = pickup.data["reference"]
    bank_says(machine, reference, FEE)
    pickup.tick()
    assert pickup.state is Pickup.VERIFIED and pickup.receipt is not None
    shown = fields(pickup.receipt)
    assert ("Mã hồ sơ / Dossier", CODE) in shown and ("Phí / Fee", "50.000 đồng") in shown
    assert ("Hình thức / Method", "Chuyển khoản VietQR") in shown and (
        "Số tiền / Amount",
        "50.000 đồng",
    ) in shown
    assert ("Mã thanh toán / Reference", reference) in shown
    assert Text("Đã thanh toán / Paid", bold=True, align="center") in pickup.receipt.elements


def test_a_fee_paid_in_two_ways_prints_both_and_renders(tmp_path: Path) -> None:
    paid = [PaidBy(20_000, "cash", "KPAAAAAAAAAAAAAA"), PaidBy(30_000, "vietqr", "KPBBBBBBBBBBBBBB")]
    doc = pickup_receipt(OFFICE, CODE, AT, "A01", fee=50_000, paid=paid)
    methods = [v for k, v in fields(doc) if k == "Hình thức / Method"]
    assert methods == ["Tiền mặt", "Chuyển khoản VietQR"]
    profile = PrinterProfile("TM-T20II", "80mm")
    text, _ = print_offline(
        render_bytes(doc, profile, VietnameseMode.TEXT), tmp_path, profile.name, profile.paper
    )
    assert "Đã thanh toán / Paid" in text and "Tiền mặt" in text and "20.000 đồng" in text


def test_a_pickup_with_no_fee_says_nothing_of_payment() -> None:
    doc = pickup_receipt(OFFICE, CODE, AT, "A01")
    assert not any("Phí" in label for label, _ in fields(doc))
