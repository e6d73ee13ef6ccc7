"""What the technician's maintenance screen reports (headless, so the CLI could say it too):
every lock board, the compartments out of service or holding something unproven, and the sync's
queue. Each finding is said in Vietnamese and English, with ``ok`` telling good from bad."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from drivers.errors import DeviceError
from drivers.lockboard.bus import BoardStatus
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
        return Finding(False, f"Máy in không trả lời ({exc})", f"Printer not answering ({exc})")
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
        ok, "Máy in: " + "; ".join(vi for vi, _ in trouble), "Printer: " + "; ".join(en for _, en in trouble)
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
        if isinstance(result, BoardStatus):
            states[name] = "ok"
            out.append(
                Finding(True, f"{bus} bo mạch {board}: trả lời bình thường", f"{bus} board {board}: answers")
            )
        else:
            states[name] = f"{board_outage.NOT_ANSWERING}: {result}"
            out.append(Finding(False, f"{bus} bo mạch {board}: không trả lời ({result})",
                               f"{bus} board {board}: not answering ({result})"))  # fmt: skip
    _record(core.store, states)
    return out


def _compartments(core: Core) -> list[Finding]:
    out = []
    for c in core.compartments():
        if not c.in_config:
            continue
        if not c.in_service:
            note = c.service_note or "—"
            out.append(Finding(False, f"Ngăn {c.id} ngừng sử dụng: {note}", f"{c.id} out of service: {note}"))
        if c.holds_state == "uncertain":
            out.append(Finding(False, f"Ngăn {c.id}: chưa xác nhận được đồ bên trong",
                               f"{c.id}: what is inside is not proven"))  # fmt: skip
    if not out:
        out.append(Finding(True, "Mọi ngăn đều hoạt động", "Every compartment is in service"))
    return out


def sync_queue(store: Store, now: datetime) -> list[Finding]:
    depth, oldest = store.db.execute(
        "SELECT COUNT(*), MIN(at) FROM outbox WHERE delivered_at IS NULL"
    ).fetchone()
    letters = store.db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0]
    state = dict(store.db.execute("SELECT key, at FROM sync_state").fetchall())
    age_h = 0.0 if oldest is None else (now - datetime.fromisoformat(oldest)).total_seconds() / 3600
    queue_ok = depth == 0 or age_h < 1
    out = [Finding(queue_ok, f"Hàng đợi đồng bộ: {depth} sự kiện, cũ nhất {age_h:.1f} giờ",
                   f"Sync queue: {depth} events, the oldest {age_h:.1f} h old")]  # fmt: skip
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
