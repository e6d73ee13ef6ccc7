"""The scripted tour of ``make demo`` without a display: the whole machine, and a person's hand on
the real window (offscreen). An officer loads five results; citizens pick them up by QR and by
code and PIN, two paying a fee first (by VietQR, which the stand-in's pretend bank confirms, and
in notes put into the bill validator's simulator, offline); one hands in a dossier without a code
and gets a receipt; one looks a dossier up; a
lock jams and a technician puts it right; the network is cut and restored. Each step is printed as
it happens, each screen passed saved as ``screens/NN-name.png``, each receipt as
``receipts/NN.png``; it succeeds only when every event the kiosk wrote reached the stand-in
backend exactly once (read back from it).
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardware_sim.backend.admin import pickup_secrets
from hardware_sim.machine import Controls, Machine
from hardware_sim.samples import (
    DROPOFF,
    FEE_RESULTS,
    LOOKED_UP,
    OFFICER,
    RESULTS,
    TECHNICIAN,
    SampleDossier,
)
from kiosk.journeys.messages import amount
from kiosk.names import masked
from ui.demo.kiosk import Kiosk
from ui.demo.touch import Hand, TourFailed

HOME = "Về màn hình chính"  # Back to start
DONE = "Xong"  # Done: on a screen that carries what the person needs (it stays until then)
SKIP = "Bỏ qua"  # Skip: the satisfaction rating on the way out
OK = "Tiếp tục"  # OK (Continue)
IDLE = "Máy nhận và trả hồ sơ 24 giờ"  # the idle screen's title
THANKS = "Xin cảm ơn ông/bà"
REVIEW = "Vui lòng kiểm tra trước khi mở ngăn tủ"
OFFLINE = "Mạng đang gián đoạn"  # the idle screen's notice while the sync cannot reach the backend
PICKUP_CODE = "Đưa mã QR vào máy quét, hoặc nhập mã hồ sơ."
DOOR_OPEN = r"^Ngăn tủ (\w+) đang mở$"
FEE_DUE = "Phí cần nộp: {} đồng"  # Fee to pay
NO_CHANGE = "Máy không trả tiền thừa."  # The machine gives no change: said before a note goes in
PUT_IN = "Đã đưa vào: {} đồng"  # Put in so far
STILL_DUE = "Còn phải nộp: {} đồng"  # Still to pay: the cash screen's heading
# the sync asks about a transfer every second, the pretend bank confirms 2 s after the request
BANK_S = 30
LOADED = (*RESULTS, *(f.dossier for f in FEE_RESULTS))  # what the officer loads, in this order


@dataclass
class Tour:
    machine: Machine
    kiosk: Kiosk
    hand: Hand
    started: float = field(default_factory=time.monotonic)
    where: dict[str, str] = field(default_factory=dict)  # dossier code: its compartment
    sent: dict[str, tuple[str, str]] = field(default_factory=dict)  # dossier code: (PIN, QR token) by SMS
    receipts: list[Path] = field(default_factory=list)

    def say(self, words: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f} s] {words}", flush=True)

    @property
    def controls(self) -> Controls:
        return self.machine.controls

    def shot(self, name: str) -> None:
        path = self.hand.shot(name)
        self.say(f"    screen saved: {path.name}")

    def at_idle(self) -> None:
        self.hand.wait_for(IDLE)

    def home(self, *, rate: str | None = None) -> None:
        """Done with the screen: the rating offered on the way out is given (``rate``: the words of
        a face) or skipped (issue 13)."""
        self.hand.touch(DONE if self.hand.shows(DONE) else HOME)
        if self.hand.shows(SKIP):
            if rate is not None:
                self.shot("rating")
            self.hand.touch(rate or SKIP)
        self.at_idle()

    def door(self, verb: str, compartment: str) -> None:
        """The person at the machine (through the lock simulator's control socket)."""
        self.controls.person(verb, compartment)

    def receipt(self, before: int) -> Path:
        """The receipt the printer simulator cut since ``before`` were there, as ``receipts/NN.png``."""
        printed = self.machine.work / "printed"
        self.hand.wait("the receipt", lambda: len(sorted(printed.glob("*.png"))) > before, timeout=20)
        source = sorted(printed.glob("*.png"))[before]
        target = self.machine.work / "receipts" / f"{len(self.receipts) + 1:02d}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.receipts.append(target)
        self.say(f"    receipt saved: receipts/{target.name}")
        return source


# -- the steps ---------------------------------------------------------------------------------------------


def officer_loads_results(t: Tour) -> None:
    t.say(f"An officer holds her badge to the scanner (DKS1|{OFFICER.id}).")
    t.controls.present(f"DKS1|{OFFICER.id}")
    t.hand.wait_for("Nhập mã PIN cán bộ.")
    t.shot("staff-pin")
    t.say("She types her PIN on the on-screen keys and touches «Tiếp tục» (Continue).")
    t.hand.type(OFFICER.pin)
    t.hand.touch(OK)
    t.hand.wait_for("Chọn công việc")
    t.shot("officer-menu")
    t.say("«Đưa kết quả vào tủ» (Load results).")
    t.hand.touch("Đưa kết quả vào tủ")
    t.hand.wait_for("Quét hoặc nhập mã hồ sơ của kết quả.")
    t.shot("load-scan-a-result")
    for n, dossier in enumerate(LOADED, 1):
        if n == 2:
            t.say(f"Result {n}: she types its code, {dossier.code}, on the keys.")
            t.hand.type(dossier.code)
            t.hand.touch(OK)
        else:
            t.say(f"Result {n}: she scans its code, {dossier.code}.")
            t.controls.present(dossier.code)
        found = t.hand.wait_match(r"^Đặt kết quả vào ngăn tủ (\w+) và đóng cửa lại\.$")
        t.where[dossier.code] = found[1]
        t.say(f"    «{found[0]}» (put it in {found[1]} and close the door)")
        if n == 1:
            t.shot("load-door-open")
        t.door("put", found[1])
        t.door("close", found[1])
        t.hand.wait_for("Quét hoặc nhập mã hồ sơ của kết quả.")
    t.say("Done loading: back to the menu, and «Đăng xuất» (Sign out).")
    t.hand.touch(HOME)
    t.hand.wait_for("Chọn công việc")
    t.hand.touch("Đăng xuất")
    t.at_idle()
    t.shot("idle")


def citizens_are_texted(t: Tour) -> None:
    t.say("The sync worker (its own process) delivers the loads; the backend texts each citizen a PIN and")
    t.say("a QR. The demo reads those texts back from the stand-in backend, as the citizens' phones.")

    def all_sent() -> bool:
        for dossier in LOADED:
            found = pickup_secrets(t.machine.backend, dossier.code)
            if found is not None:
                t.sent[dossier.code] = found
        return len(t.sent) == len(LOADED)

    t.hand.wait("the backend's SMS for every result", all_sent, timeout=30)
    t.say(f"    {len(t.sent)} SMS sent by the backend (PINs and tokens not shown here)")


def pick_up(t: Tour, dossier: SampleDossier, name: str, timeout: float = 15.0) -> None:
    """The door is open: the citizen takes the result and closes it."""
    compartment = t.hand.wait_match(DOOR_OPEN, timeout)[1]
    t.say(f"    «Ngăn tủ {compartment} đang mở» (compartment {compartment} is open), "
          f"for «{masked(dossier.citizen)}»")  # fmt: skip
    t.shot(f"{name}-door-open")
    t.say(f"    The citizen takes the result from {compartment} and closes the door.")
    t.door("take", compartment)
    t.door("close", compartment)
    t.hand.wait_for(THANKS)
    t.shot(f"{name}-thank-you")
    if name == "pickup-qr":
        t.say("    On the way out, one touch on «Rất hài lòng» (very satisfied): counted, nobody named.")
    t.home(rate="Rất hài lòng" if name == "pickup-qr" else None)


def pickup_by_qr(t: Tour) -> None:
    dossier = RESULTS[0]
    t.say("Citizen 1 holds the SMS's QR to the scanner at the idle screen: no touch at all.")
    t.controls.present(t.sent[dossier.code][1])
    pick_up(t, dossier, "pickup-qr")


def at_the_fee(t: Tour, n: int) -> tuple[SampleDossier, int]:
    """Citizen ``n`` of the fee results holds the SMS's QR to the scanner; the fee screen."""
    sample = FEE_RESULTS[n]
    fee = amount(sample.fee, "vi")
    who = len(RESULTS) + 1 + n
    t.say(f"Citizen {who} holds the SMS's QR to the scanner; this result has a fee of {fee} đồng.")
    t.controls.present(t.sent[sample.dossier.code][1])
    t.hand.wait_for(FEE_DUE.format(fee))
    t.say(
        f"    «{FEE_DUE.format(fee)}» (fee to pay): «Quét mã VietQR» (scan a VietQR code) or «Nộp tiền mặt»"
    )
    t.say("    (pay in cash), the door shut until it is paid.")
    return sample.dossier, sample.fee


def fee_by_vietqr(t: Tour) -> None:
    dossier, fee = at_the_fee(t, 0)
    t.shot("fee-due")
    printed = len(list((t.machine.work / "printed").glob("*.png")))
    t.hand.touch("vietqr")
    t.hand.wait_for(f"Chuyển khoản {amount(fee, 'vi')} đồng")
    reference = t.hand.find(r"^Mã thanh toán: (\w+)$")
    to = t.machine.raw["fees"]["name"]
    t.say(f"    The VietQR code, large, to {to}, with the amount and the dossier code;")
    t.say(f"    the payment reference {reference[1] if reference else '?'} and the bank's time counted down.")
    t.shot("fee-vietqr")
    t.say("    The citizen scans it with a bank's app and confirms; the stand-in's pretend bank tells the")
    t.say("    backend a moment later, the sync reads it back, and the door opens by itself.")
    pick_up(t, dossier, "fee-vietqr", timeout=BANK_S)
    t.receipt(printed)


def fee_in_cash(t: Tour) -> None:
    dossier, fee = at_the_fee(t, 1)
    printed = len(list((t.machine.work / "printed").glob("*.png")))
    t.hand.touch("cash")
    t.hand.wait_for(STILL_DUE.format(amount(fee, "vi")))  # the fee screen says "no change" too
    taken = t.hand.find(r"^Máy nhận các tờ tiền: (.*) đồng$")
    t.say(f"    «{NO_CHANGE}» (no change is given), said before a note goes in; the validator takes")
    t.say(f"    only what fits what is due: {taken[1] if taken else '?'} đồng.")
    t.shot("fee-cash")
    put = 0
    for note in FEE_RESULTS[1].notes:
        t.say(
            f"    A {amount(note, 'vi')} đồng note into the slot (the validator simulator's «insert {note}»)."
        )
        t.controls.note(note)
        put += note
        if put < fee:
            t.hand.wait_for(PUT_IN.format(amount(put, "vi")), timeout=20)
            t.say(
                f"    «{PUT_IN.format(amount(put, 'vi'))}»: credited, committed, then counted on the screen."
            )
            t.shot("fee-cash-counted")
    pick_up(t, dossier, "fee-cash", timeout=20)
    t.receipt(printed)


def status_lookup(t: Tour) -> None:
    t.say("A citizen touches «Tra cứu hồ sơ» (Look up a dossier) and types a dossier code.")
    t.hand.touch("Tra cứu hồ sơ")
    t.hand.wait_for(PICKUP_CODE)
    t.hand.type(LOOKED_UP.code)
    t.shot("lookup-typed")
    t.hand.touch(OK)
    t.hand.wait_for("Tình trạng hồ sơ", timeout=20)
    answer = t.hand.find(r"^Hồ sơ .*")
    t.say(f"    The backend answers, through the sync's look-up service: «{answer[0] if answer else '?'}»")
    t.shot("lookup-answer")
    t.home()


def jammed_door(t: Tour) -> None:
    dossier = RESULTS[2]
    where = t.where[dossier.code]
    t.say(f"Fault (the console's «jam lock»): the lock of {where} jams.")
    t.controls.person("jam", where, "on")
    t.say("Citizen 3 holds the QR to the scanner.")
    t.controls.present(t.sent[dossier.code][1])
    t.hand.wait_for("Ngăn tủ không mở được", timeout=20)
    t.say("    «Ngăn tủ không mở được» (the compartment did not open): the citizen is sent to an officer,")
    t.say(f"    {where} is taken out of service, the result stays held.")
    t.shot("pickup-jammed")
    t.home()
    t.say(f"The technician frees the lock of {where} (the console's «free lock»).")
    t.controls.person("jam", where, "off")
    t.say("No badge at hand: the top-left corner held a few seconds, then the top-right one touched;")
    t.say("then the staff number and the PIN.")
    t.hand.hold_corners(t.hand.window.gesture.hold_s)
    t.hand.wait_for("Quét thẻ cán bộ, hoặc nhập mã số cán bộ.")
    t.hand.type(TECHNICIAN.id)
    t.shot("staff-number")
    t.hand.touch(OK)
    t.hand.wait_for("Nhập mã PIN cán bộ.")
    t.hand.type(TECHNICIAN.pin)
    t.hand.touch(OK)
    t.hand.wait_for("Bảo trì thiết bị")
    t.shot("technician-menu")
    t.hand.touch("Bảo trì thiết bị")
    t.hand.wait_for("Kiểm tra thiết bị và hàng đợi đồng bộ")
    t.say("«Kiểm tra thiết bị và hàng đợi đồng bộ» (check the devices and the sync queue).")
    t.hand.touch("Kiểm tra thiết bị và hàng đợi đồng bộ")
    t.hand.wait_for(f"Ngăn tủ {where} ngừng sử dụng")
    t.shot("maintenance-health")
    t.say(f"«Tạm ngừng hoặc dùng lại một ngăn tủ»: {where} back in service.")
    t.hand.touch("Tạm ngừng hoặc dùng lại một ngăn tủ")
    t.hand.wait(f"{where} in the list", lambda: any(b.accessibleName() == where for b in t.hand.buttons()))
    t.hand.touch(where)
    t.hand.wait(f"{where} in service", lambda: t.hand.find(rf"^{where} · \w+$") is not None)
    t.shot("back-in-service")
    t.hand.touch("Xong")
    t.hand.wait_for("Kiểm tra thiết bị và hàng đợi đồng bộ")
    t.hand.touch("Xong")
    t.hand.wait_for("Chọn công việc")
    t.hand.touch("Đăng xuất")
    t.at_idle()
    t.say("Citizen 3 holds the QR to the scanner again.")
    t.controls.present(t.sent[dossier.code][1])
    pick_up(t, dossier, "pickup-after-repair")


def network_cut(t: Tour) -> None:
    t.say("Fault (the console's «cut network»): the province's backend is unreachable.")
    t.controls.network(up=False)


def pickup_by_code_and_pin(t: Tour) -> None:
    dossier = RESULTS[1]
    t.say("Citizen 2 touches «Nhận kết quả» (Pick up a result) and types the dossier code, then the PIN.")
    t.hand.touch("Nhận kết quả")
    t.hand.wait_for(PICKUP_CODE)
    t.hand.type(dossier.code)
    t.shot("pickup-code-typed")
    t.hand.touch(OK)
    t.hand.wait_for("Nhập mã PIN gồm 6 chữ số trong tin nhắn.")
    pin = t.sent[dossier.code][0]
    t.hand.type(pin[:-1])
    t.shot("pickup-pin")
    t.hand.type(pin[-1])  # the sixth box filled: the PIN goes in, with no OK to find
    pick_up(t, dossier, "pickup-pin")


def dropoff_without_a_code(t: Tour) -> None:
    t.say("A citizen touches «Nộp hồ sơ» (Hand in a dossier), has no code:")
    t.say("«Không có mã hồ sơ? Chọn thủ tục» (no dossier code? choose its procedure).")
    t.hand.touch("Nộp hồ sơ")
    t.hand.wait_for("Không có mã hồ sơ? Chọn thủ tục")
    t.shot("dropoff-scan-or-type")
    t.hand.touch("Không có mã hồ sơ? Chọn thủ tục")
    t.hand.wait_for("Hồ sơ của ông/bà thuộc thủ tục nào?")
    t.say(f"    types «{DROPOFF.typed}» and touches «Đăng ký khai sinh»; then a phone number.")
    t.hand.type(DROPOFF.typed)
    t.shot("find-procedure")
    t.hand.touch(DROPOFF.procedure)
    t.hand.wait_for("Nhập số điện thoại di động để nhận tin nhắn báo kết quả.")
    t.hand.type(DROPOFF.phone)
    t.shot("dropoff-phone")
    t.hand.touch(OK)
    t.hand.wait_for(REVIEW)
    t.say("    The review before the door opens: the procedure, the phone masked, the size, a low door;")
    t.say("    «Tiếp tục» (continue).")
    t.shot("dropoff-review")
    t.hand.touch("Tiếp tục")
    compartment = t.hand.wait_match(DOOR_OPEN)[1]
    t.say(f"    «Ngăn tủ {compartment} đang mở»: the citizen puts the dossier in and closes the door.")
    t.shot("dropoff-door-open")
    printed = len(list((t.machine.work / "printed").glob("*.png")))
    t.door("put", compartment)
    t.door("close", compartment)
    t.hand.wait_for(THANKS)
    source = t.receipt(printed)
    code = next((line for line in source.with_suffix(".txt").read_text(encoding="utf-8").splitlines()
                 if "HG-" in line), "")  # fmt: skip
    t.say(f"    The receipt names the kiosk's own dossier code: {' '.join(code.split())}")
    t.shot("dropoff-thank-you")
    t.home()


def idle_while_offline(t: Tour) -> None:
    t.hand.wait_for(OFFLINE, timeout=30)
    t.say(f"    The idle screen says «{OFFLINE}…»; {t.machine.undelivered()} event(s) wait in the outbox.")
    t.shot("idle-network-down")


def network_restored(t: Tour) -> None:
    t.say("Repair (the console's «restore network»): the backend answers again.")
    t.controls.network(up=True)
    t.hand.wait("the outbox to drain", lambda: t.machine.undelivered() == 0, timeout=30)
    t.say("    The sync delivered everything queued; the outbox is empty.")
    t.hand.wait("the idle screen to forget the outage", lambda: not t.hand.shows(OFFLINE), timeout=20)
    t.shot("idle-network-back")


def health_endpoint(t: Tour) -> None:
    """What the office's monitoring reads: ``kiosk sync`` serves both processes' health on
    loopback (README: Health and metrics). The touch screen publishes its part every publish_s."""
    from prometheus_client.parser import text_string_to_metric_families

    health = t.machine.raw.get("health", {})
    base = f"http://127.0.0.1:{int(health['port'])}"

    def healthy() -> dict[str, object] | None:
        try:
            found = json.loads(_fetch(f"{base}/healthz"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) and found.get("status") == "ok" else None

    # the screen's snapshot goes out every publish_s; the first scrape may come before it
    t.hand.wait(f"{base}/healthz to say the kiosk serves (200)", lambda: healthy() is not None, timeout=30)
    said = healthy() or {}
    sync = said.get("sync") if isinstance(said.get("sync"), dict) else {}
    t.say(f"GET {base}/healthz: 200, status ok, version {said.get('version')}, "
          f"outbox {sync.get('queue_depth') if isinstance(sync, dict) else '?'}")  # fmt: skip
    try:
        families = {f.name: f for f in text_string_to_metric_families(_fetch(f"{base}/metrics"))}
    except (OSError, ValueError) as exc:
        raise TourFailed(f"{base}/metrics did not answer in Prometheus' format: {exc}") from exc
    journeys = sum(s.value for s in families["kiosk_journeys"].samples if s.name.endswith("_total"))
    unlocks = next(
        (s.value for s in families["kiosk_unlock_latency_seconds"].samples if s.name.endswith("_count")), 0
    )
    t.say(f"GET {base}/metrics: {len(families)} metric families (prometheus-client's parser), "
          f"{journeys:.0f} journeys ended, {unlocks:.0f} unlocks timed")  # fmt: skip


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return str(answer.read(1 << 20).decode("utf-8", "replace"))


STEPS: tuple[tuple[str, Callable[[Tour], None]], ...] = (
    ("An officer signs in and loads five results", officer_loads_results),
    ("The citizens are texted their PIN and QR", citizens_are_texted),
    ("A citizen picks up by QR at the idle screen", pickup_by_qr),
    ("A citizen pays a fee by VietQR, and picks up", fee_by_vietqr),
    ("A status look-up", status_lookup),
    ("A jammed door, handled", jammed_door),
    ("The network is cut", network_cut),
    ("A citizen picks up by code and PIN (offline)", pickup_by_code_and_pin),
    ("A citizen pays a fee in cash (offline), and picks up", fee_in_cash),
    ("A citizen hands in a dossier without a code (offline) and gets a receipt", dropoff_without_a_code),
    ("The idle screen during the outage", idle_while_offline),
    ("The network is restored and the queue drains", network_restored),
    ("The sync's health endpoint", health_endpoint),
)


def read_back(t: Tour) -> bool:
    t.say("Read back from the stand-in backend: was every event the kiosk wrote applied exactly once?")
    found = t.machine.read_back()
    t.say(f"    the kiosk wrote {found.written} events; the backend applied {found.applied}; "
          f"{found.duplicates_answered} repeated deliveries recognised and not applied again")  # fmt: skip
    for what in ("missing", "twice", "strangers", "not_accepted"):
        if getattr(found, what):
            t.say(f"    {what}: {', '.join(getattr(found, what))}")
    t.say("    exactly once: " + ("yes" if found.exactly_once else "NO"))
    return found.exactly_once


def run(t: Tour) -> int:
    t.at_idle()
    t.shot("idle-at-start")
    for n, (title, step) in enumerate(STEPS, 1):
        print(f"\n== {n}. {title}", flush=True)
        try:
            step(t)
        except TourFailed as exc:
            t.say(f"FAILED: {exc}")
            t.shot("failed")
            return 1
    print("\n== The outcome", flush=True)
    ok = read_back(t)
    t.say(f"{len(t.hand.shots)} screens in {t.hand.screens}, {len(t.receipts)} receipt(s) in "
          f"{t.machine.work / 'receipts'}, every process's log in {t.machine.logs}")  # fmt: skip
    return 0 if ok else 1
