"""How our event kinds and dossier statuses correspond to the stages a dossier goes through in a
provincial one-stop system (Hệ thống thông tin giải quyết thủ tục hành chính cấp tỉnh) and on the
National Public Service Portal (Cổng Dịch vụ công quốc gia).

Where this comes from: the one-stop mechanism's stages (receiving a dossier, processing it,
asking for more documents, refusing it, returning the result, a citizen withdrawing it) as
Decree 61/2018/NĐ-CP on the one-stop mechanism (amended by Decree 107/2021/NĐ-CP) and its
Circular 01/2018/TT-VPCP lay them out, with the receipt and process-control forms that Circular
prescribes. The numeric or lettered status codes each province's system and the National Portal
use in their integration APIs are *not* reproduced here: they differ between vendors and could not
be checked from this machine. A province's adapter takes its codes from that province's own
integration document and fills in the last column.

Dossier statuses (the province's own code for each goes in its adapter):

| ours            | stage in the one-stop process | in English                                  |
|-----------------|-------------------------------|---------------------------------------------|
| received        | Đã tiếp nhận                  | received by the office                      |
| deposited       | Đã nộp qua máy, chờ tiếp nhận | handed in at a kiosk, not yet received      |
| in-process      | Đang giải quyết               | in process                                  |
| needs-documents | Yêu cầu bổ sung hồ sơ         | additional documents requested              |
| finished        | Đã có kết quả, chờ trả        | finished, the result to be returned         |
| result-returned | Đã trả kết quả                | result returned to the applicant            |
| refused         | Từ chối giải quyết            | refused                                     |
| withdrawn       | Công dân rút hồ sơ            | withdrawn by the applicant                  |

Event kinds:

| ours              | what the one-stop system records                                 | status after    |
|-------------------|------------------------------------------------------------------|-----------------|
| dossier-deposited | a dossier handed in at the kiosk (with the citizen's phone)      | deposited       |
| dossier-collected | an officer took it out of the kiosk: the office receives it      | received        |
| result-loaded     | the result is at the kiosk: an SMS with the PIN and QR is sent   | finished        |
| result-picked-up  | the result handed over (the "trả kết quả" step)                  | result-returned |
| result-withdrawn  | the result taken back to the office after its hold period        | finished        |
| expiry-reminder   | a reminder SMS to the citizen                                    | unchanged       |
| dossier-taken-back| the citizen took the deposited dossier back out of the kiosk     | withdrawn       |
| receipt-not-printed | no receipt printed: the dossier's code is texted to the phone  | unchanged       |
|                   | the citizen gave                                                 |                 |
| satisfaction-tally| citizens' ratings (Decision 766/QĐ-TTg), counts over whole hours | (no dossier)    |
| the others        | the kiosk's own operations (maintenance, back-in-service, alarm, | unchanged       |
|                   | outcome-uncertain, item-settled), for the office                 |                 |
| fee-paid          | the dossier's fee paid (VietQR or cash): its payment status paid | unchanged       |
| cash-credited     | one note taken, for the cashbox's count                          | unchanged       |
| payment-flagged   | a payment for an officer (a refund, a check of the cashbox)      | unchanged       |
| holder-refused    | a holder-only result not handed over (why, never the card)       | unchanged       |

Payments: our ``PUT /v1/payments/{reference}`` has no counterpart in the national portal's
services. A province's adapter would map it onto the dossier's fee list (``DanhSachLePhi`` in
``DongBoHoSoMC``: the fee, its amount, the payment reference as the receipt number) and read the
bank's confirmation from the province's payment platform (the National Portal's payment service or
the province's own bank integration), whose transaction id becomes a ``Confirmation``'s
``transaction``; the status "fees or taxes due" (6) leaves once the fee is paid.
"""

from __future__ import annotations

# The dossier status each event leaves, as the table above says (None: unchanged).
STATUS_AFTER: dict[str, str | None] = {
    "dossier-deposited": "deposited",
    "dossier-collected": "received",
    "result-loaded": "finished",
    "result-picked-up": "result-returned",
    "result-withdrawn": "finished",
    "expiry-reminder": None,
    "maintenance": None,
    "back-in-service": None,
    "alarm": None,
    "outcome-uncertain": None,
    "item-settled": None,
    "dossier-taken-back": "withdrawn",
    "receipt-not-printed": None,
    "satisfaction-tally": None,
    "fee-paid": None,
    "cash-credited": None,
    "payment-flagged": None,
    "holder-refused": None,
}
