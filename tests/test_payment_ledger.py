"""kiosk/payments.py on its own: references, what is owed, and the bank's word settled however
often and in whatever order it comes (never counted twice, never more than confirmed)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import payments
from kiosk.config import BeneficiarySection, FeesSection
from kiosk.store import Store

CODE = "000.00.53.H48-220921-0099"


def a_store(root: Path, fee: int = 50_000) -> tuple[Store, dict[str, object]]:
    (root / "data").mkdir(mode=0o700)
    store = Store.open(root / "data", kiosk_id="HG-VT-01")
    now = store.now()
    store.db.execute(
        "INSERT INTO compartment (id, bus, board, lock, size, position, in_service, door, updated_at)"
        " VALUES ('A01', 'lockbus0', 0, 1, 'S', 'high', 1, 'closed', ?)",
        [now],
    )
    cursor = store.db.execute(
        "INSERT INTO item (kind, dossier_code, compartment, state, fee_due, created_at, updated_at)"
        " VALUES ('result', ?, 'A01', 'held', ?, ?, ?)",
        [CODE, fee, now, now],
    )
    return store, {"id": cursor.lastrowid, "dossier_code": CODE}


def test_a_reference_is_kp_and_14_base32_characters() -> None:
    seen = {payments.new_reference() for _ in range(500)}
    assert len(seen) == 500
    assert all(re.fullmatch(r"KP[A-Z2-7]{14}", r) for r in seen)


def test_the_beneficiary_of_a_procedure_else_the_default() -> None:
    fees = FeesSection(bin="970416", account="111", name="A", beneficiary=[
        BeneficiarySection(procedures=["Cấp Phiếu lý lịch tư pháp", "1.001193"], bin="970436", account="222"),
    ])  # fmt: skip
    assert payments.beneficiary(fees, "1.001193").account == "222"
    assert payments.beneficiary(fees, " Cấp Phiếu lý lịch tư pháp ").account == "222"
    assert payments.beneficiary(fees, "Đăng ký khai sinh") == payments.Beneficiary("970416", "111", "A")
    assert payments.beneficiary(fees, None).account == "111"


WORDS = st.lists(
    st.tuples(st.integers(min_value=-10, max_value=200_000), st.integers(min_value=-1, max_value=4)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(words=WORDS, ended=st.booleans())
def test_the_bank_s_word_counts_once_and_never_more_than_confirmed(
    words: list[tuple[int, int]], ended: bool
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store, item = a_store(Path(tmp))
        with store.transaction():
            payment = payments.request(
                store, item=item, method="vietqr", amount=50_000, journey="j", reuse_s=300
            )
            if ended:
                payments.end(store, payment, "cancelled")
        for paid, transactions in words:
            store.db.execute(
                "INSERT OR REPLACE INTO payment_backend (reference, paid_amount, transactions)"
                " VALUES (?, ?, ?)",
                [payment.reference, paid, transactions],
            )
            for _ in range(2):  # the same word read twice adds nothing
                current = payments.get(store, payment.reference)
                word = payments.bank_word(store, payment.reference)
                assert current is not None
                if word is not None:
                    with store.transaction():
                        payments.settle(store, current, word)
            now = payments.get(store, payment.reference)
            assert now is not None and 0 <= now.received <= max(0, max(p for p, _ in words))
        final = payments.get(store, payment.reference)
        assert final is not None
        fee_paid = store.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'fee-paid'").fetchone()[0]
        assert fee_paid <= sum(1 for p, _ in words if p > 0)
        twice = store.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE json_extract(payload, '$.reason') = 'twice'"
        ).fetchone()[0]
        assert twice <= 1
        assert payments.remaining(store, int(item["id"])) == max(0, 50_000 - final.received)
        store.close()


def test_a_payment_keeps_its_item_from_being_archived(tmp_path: Path) -> None:
    from datetime import timedelta

    from kiosk import config, retention

    store, item = a_store(tmp_path)
    with store.transaction():
        payments.request(store, item=item, method="vietqr", amount=50_000, journey="j", reuse_s=300)
    old = "2020-01-01T00:00:00.000+00:00"
    store.db.execute("UPDATE item SET state = 'gone', updated_at = ?", [old])
    cfg = config.parse({"kiosk": {"id": "HG-VT-01", "data_dir": str(tmp_path / "data")}})
    chosen = retention.select(store, cfg, store.clock() + timedelta(days=1))
    assert chosen.tables["item"] == []
    store.close()
