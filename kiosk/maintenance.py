"""What the technician's maintenance screen reports (headless, so the CLI could say it too):
every lock board, the compartments out of service or holding something unproven, and the sync's
queue. Each finding is said in Vietnamese and English, with ``ok`` telling good from bad."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from drivers.errors import DeviceError, LinkLost, LinkUnavailable
from drivers.lockboard.bus import BoardStatus
from drivers.lockboard.errors import BoardSilent, CodecError
from drivers.printer.errors import PrinterNotReady, PrintInterrupted, StatusUnreadable
from kiosk import board_outage
from kiosk.core import Core
from kiosk.metrics import ProcessMetrics
from kiosk.store import Store

if TYPE_CHECKING:  # the printer stack loads only where a printer is configured
    from drivers.printer.printer import ReceiptPrinter
    from drivers.printer.status import PrinterStatus


@dataclass(frozen=True)
class Finding:
    ok: bool
    vi: str
    en: str


# Why the kiosk itself took a compartment out of service (``service_note``), in Vietnamese: the
# note is stored in English, as the audit and the events carry it. A note a technician typed is
# shown as typed.
NOTES_VI = {
    "door jammed": "cửa bị kẹt",
    "door found open before unlock": "cửa đã mở sẵn trước khi mở khóa",
    "switched on the maintenance screen": "chuyển trên màn hình bảo trì",
}
# What a device error means for a technician, in Vietnamese (the English finding keeps the
# driver's own message, with its details); the first class that matches says it.
TROUBLE_VI: tuple[tuple[type[DeviceError], str], ...] = (
    (BoardSilent, "kiểm tra nguồn, dây RS485 A/B và công tắc DIP địa chỉ"),
    (CodecError, "dữ liệu trả về bị lỗi, kiểm tra dây tín hiệu"),
    (LinkUnavailable, "không mở được cổng kết nối"),
    (LinkLost, "mất kết nối giữa chừng"),
    (PrinterNotReady, "máy in chưa sẵn sàng, xem nắp và giấy"),
    (PrintInterrupted, "đang in thì bị ngắt, có thể đã ra một phần"),
    (StatusUnreadable, "máy in không báo trạng thái"),
)


def trouble_vi(exc: DeviceError) -> str:
    """A device error in Vietnamese words, for the maintenance screen."""
    return next((words for kind, words in TROUBLE_VI if isinstance(exc, kind)), "lỗi thiết bị")


def note_vi(note: str) -> str:
    return NOTES_VI.get(note, note)


def hours_vi(hours: float) -> str:
    """One decimal, with the Vietnamese decimal comma ("0,5 giờ")."""
    return f"{hours:.1f}".replace(".", ",")


def board_finding(bus: str, board: int, result: BoardStatus | DeviceError) -> Finding:
    if isinstance(result, BoardStatus):
        return Finding(True, f"{bus} bo mạch {board}: trả lời bình thường", f"{bus} board {board}: answers")
    return Finding(False, f"{bus} bo mạch {board}: không trả lời ({trouble_vi(result)})",
                   f"{bus} board {board}: not answering ({result})")  # fmt: skip


def out_of_service_finding(compartment: str, note: str | None) -> Finding:
    shown = note or "—"
    return Finding(False, f"Ngăn tủ {compartment} ngừng sử dụng: {note_vi(shown)}",
                   f"{compartment} out of service: {shown}")  # fmt: skip


def queue_finding(depth: int, age_h: float) -> Finding:
    ok = depth == 0 or age_h < 1
    return Finding(ok, f"Hàng đợi đồng bộ: {depth} sự kiện, cũ nhất {hours_vi(age_h)} giờ",
                   f"Sync queue: {depth} events, the oldest {age_h:.1f} h old")  # fmt: skip


def health(core: Core, printer: ReceiptPrinter | None = None) -> list[Finding]:
    found = check_boards(core)
    if printer is not None:
        found.append(check_printer(core.store, printer, core.metrics))
    return found + _compartments(core) + sync_queue(core.store, core.now())


def check_devices(core: Core, printer: ReceiptPrinter | None = None) -> board_outage.Outage:
    """Read every board (and the printer): ``device_state``, which each heartbeat reports, is kept
    fresh while nobody is at the machine, not only when a technician asks; the compartments of a
    board that does not answer are out of use until it does (kiosk/board_outage.py). Returns
    which those are."""
    readings = core.lockers.read_boards()
    _boards_read(core, readings)
    outage = board_outage.follow(core, readings)
    if printer is not None:
        check_printer(core.store, printer, core.metrics)
    return outage


def check_printer(store: Store, printer: ReceiptPrinter, metrics: ProcessMetrics | None = None) -> Finding:
    try:
        status = printer.status()
    except DeviceError as exc:
        _record(store, {"printer": f"not answering: {exc}"})
        if metrics is not None:
            metrics.fault("printer", "printer", exc, at=store.now())
        return Finding(False, f"Máy in không trả lời ({trouble_vi(exc)})", f"Printer not answering ({exc})")
    if metrics is not None:
        metrics.answered("printer")
        metrics.printer_status(paper_out=status.paper_out or status.stopped_for_paper,
                               paper_near_end=status.paper_near_end)  # fmt: skip
    trouble = _printer_trouble(status)
    _record(store, {"printer": "; ".join(en for _, en in trouble) or "ok"})
    if not trouble:
        return Finding(True, "Máy in: sẵn sàng", "Printer: ready")
    ok = status.can_print  # paper nearly out: still prints, but say so
    return Finding(
        ok, "Máy in: " + ", ".join(vi for vi, _ in trouble), "Printer: " + "; ".join(en for _, en in trouble)
    )


def _printer_trouble(status: PrinterStatus) -> list[tuple[str, str]]:
    """What is wrong, Vietnamese first; the one cause, not every bit that follows from it."""
    trouble = []
    if status.cover_open:
        trouble.append(("nắp máy in đang mở", "the cover is open"))
    if status.paper_out or status.stopped_for_paper:
        trouble.append(("hết giấy", "out of paper"))
    elif status.paper_near_end:
        trouble.append(("sắp hết giấy", "paper nearly out"))
    if status.offline and not trouble:
        trouble.append(
            ("máy in ngoại tuyến, kiểm tra nguồn và đèn báo lỗi", "offline: check power and error light")
        )
    return trouble


def _record(store: Store, states: dict[str, str]) -> None:
    """What each device said, as the heartbeat reports it (``device_state``)."""
    now = store.now()
    with store.transaction() as db:
        for device, state in states.items():
            db.execute("INSERT OR REPLACE INTO device_state VALUES (?, ?, ?)", [device, state, now])


def check_boards(core: Core) -> list[Finding]:
    return _boards_read(core, core.lockers.read_boards())


def _boards_read(core: Core, readings: dict[tuple[str, int], BoardStatus | DeviceError]) -> list[Finding]:
    out = []
    states = {}
    for (bus, board), result in sorted(readings.items()):
        name = board_outage.board_name(bus, board)
        states[name] = "ok" if isinstance(result, BoardStatus) else f"{board_outage.NOT_ANSWERING}: {result}"
        out.append(board_finding(bus, board, result))
    _record(core.store, states)
    return out


def _compartments(core: Core) -> list[Finding]:
    out = []
    for c in core.compartments():
        if not c.in_config:
            continue
        if not c.in_service:
            out.append(out_of_service_finding(c.id, c.service_note))
        if c.holds_state == "uncertain":
            out.append(Finding(False, f"Ngăn tủ {c.id}: chưa xác nhận được đồ bên trong",
                               f"{c.id}: what is inside is not proven"))  # fmt: skip
    if not out:
        out.append(Finding(True, "Mọi ngăn tủ đều hoạt động", "Every compartment is in service"))
    return out


def sync_queue(store: Store, now: datetime) -> list[Finding]:
    depth, oldest = store.db.execute(
        "SELECT COUNT(*), MIN(at) FROM outbox WHERE delivered_at IS NULL"
    ).fetchone()
    letters = store.db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0]
    state = dict(store.db.execute("SELECT key, at FROM sync_state").fetchall())
    age_h = 0.0 if oldest is None else (now - datetime.fromisoformat(oldest)).total_seconds() / 3600
    out = [queue_finding(depth, age_h)]
    last = state.get("last_success")
    out.append(Finding(last is not None, f"Đồng bộ thành công lần cuối: {last or 'chưa có'}",
                       f"Last successful sync: {last or 'never'}"))  # fmt: skip
    if letters:
        out.append(
            Finding(
                False, f"{letters} sự kiện bị máy chủ từ chối", f"{letters} events rejected by the backend"
            )
        )
    return out
