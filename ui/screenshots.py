"""``make screenshots``: every screen, in Vietnamese and English, portrait and landscape, saved as
PNG under docs/screens/ for a reviewer who has no machine at hand. Run in a real X server (the
make target starts Xvfb). Each screen is shown as the window shows it for a view the core reports.
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

from PyQt6 import sip
from PyQt6.QtWidgets import QApplication

from kiosk import config, layout
from kiosk.core import Core
from kiosk.journeys.messages import Say
from kiosk.lockers import Lockers
from kiosk.maintenance import Finding
from kiosk.store import Store
from ui.bridge import CoreBridge, View
from ui.i18n import Language
from ui.window import KioskWindow, OutOfServiceWindow

CODE = "000.00.53.H48-220921-0099"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kiosk.toml"  # its compartments and [machine]


def views() -> list[tuple[str, Callable[[KioskWindow], None]]]:
    def view(
        kind: str, state: str, said: tuple[str, str] | None = None, compartment: str = "A05", **extra: object
    ) -> Callable[[KioskWindow], None]:
        data = {
            "compartment": compartment,
            "code": CODE,
            "citizen": "Ng**** V** A*",  # masked, as the kiosk keeps it
            "fee_due": 8000,
            "tracking": f"https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo={CODE}",
        }
        return lambda w: w.show_view(View("j", kind, state, said, data, **extra))  # type: ignore[arg-type]

    def online(w: KioskWindow) -> None:
        w.signed_in = False  # the screens before were a staff member's
        w.home()
        w.idle.set_offline(False)

    def offline(w: KioskWindow) -> None:
        w.signed_in = False
        w.home()
        w.idle.set_offline(True)

    def maintenance(w: KioskWindow) -> None:
        w.show_view(View("t", "technician", "choosing", None))
        w.maintenance.show_findings(
            [
                Finding(True, "lockbus0 bo mạch 0: trả lời bình thường", "lockbus0 board 0: answers"),
                Finding(False, "lockbus0 bo mạch 1: không trả lời", "lockbus0 board 1: not answering"),
                Finding(False, "Ngăn B02 ngừng sử dụng: door jammed", "B02 out of service: door jammed"),
                Finding(True, "Hàng đợi đồng bộ: 0 sự kiện", "Sync queue: 0 events"),
            ]
        )

    def more_time(w: KioskWindow) -> None:
        w.show_view(View("j", "lookup", "waiting-code", None))
        w.ask_more_time()

    # issue 13: chrome
    journey = "4f3a91c2-7d1e-4b7a-9c55-0e2f6a1b3c4d"  # as a journey's id looks: its reference 4F3A-91C2

    def help_after_a_jam(w: KioskWindow) -> None:
        data = {"compartment": "A05", "code": CODE}
        w.show_view(View(journey, "pickup", "jammed", Say.JAMMED.format(compartment="A05"), data, ended=True))
        w.open_help()

    def proof_counting_down(w: KioskWindow) -> None:
        w.leave_help()
        data = {"compartment": "A05", "code": CODE, "tracking": CODE}
        said = Say.DEPOSITED.format()
        w.show_view(View(journey, "dropoff", "deposited", said, data, ended=True, receipt="out of paper"))
        frame = w.message.frame
        assert frame is not None
        frame.show_countdown(w.language, 25)

    def procedure(w: KioskWindow) -> None:
        w.show_view(View("d", "dropoff", "waiting-code", None))
        w.find_procedure()
        for key in ["d", "a", "t", " ", "d", "a", "i"]:
            w.procedure.press(key)

    return [
        ("01-idle", online),
        ("02-scan-or-type", view("pickup", "waiting-code")),
        ("03-pin-wrong", view("pickup", "waiting-code", Say.PIN_WRONG.format(left=4), needs_pin=True)),
        ("04-compartment-open", view("pickup", "door-open", Say.TAKE_RESULT.format(compartment="A05"))),
        ("05-thank-you", view("pickup", "done", Say.THANK_YOU.format(), ended=True)),
        ("06-fee-due", view("pickup", "fee-due")),
        ("07-jammed", view("pickup", "jammed", Say.JAMMED.format(compartment="A05"), ended=True)),
        (
            "08-door-found-open",
            view("pickup", "uncertain", Say.FOUND_OPEN.format(compartment="A05"), ended=True),
        ),
        ("09-not-here", view("pickup", "waiting-code", Say.NOT_HERE.format())),
        ("10-phone", view("dropoff", "waiting-phone")),
        ("11-no-space", view("dropoff", "no-space", Say.NO_SPACE.format(), ended=True)),
        (
            "12-lookup-offline",
            view("lookup", "not-found", Say.STATUS_UNKNOWN_OFFLINE.format(code=CODE), ended=True),
        ),
        ("13-more-time", more_time),
        ("14-staff-pin", view("signin", "waiting-pin")),
        ("15-officer-menu", view("signin", "signed-in", role="officer")),
        (
            "16-officer-list",
            view(
                "collect",
                "choosing",
                items=(("000.00.19.H26-250701-0001", "A07 · 000.00.19.H26-250701-0001"),),
            ),
        ),
        ("17-load-door-open", view("load", "door-open")),
        (
            "18-no-paper-code-on-screen",
            view("dropoff", "deposited", Say.DEPOSITED.format(), ended=True, receipt="printer out of paper"),
        ),
        ("19-idle-network-down", offline),
        ("20-staff-number", view("signin", "waiting-badge")),
        ("21-maintenance", maintenance),
        ("22-dropoff-no-code", view("dropoff", "waiting-code")),
        ("23-find-procedure", procedure),
        (
            "24-jammed-another-opened",
            view(
                "dropoff",
                "door-open",
                Say.PUT_DOSSIER_INSTEAD.format(jammed="A05", compartment="A06"),
                compartment="A06",
            ),
        ),
        ("25-something-went-wrong", view("kiosk", "fault", Say.SOMETHING_WENT_WRONG.format(), ended=True)),
        ("26-out-of-service", view("kiosk", "out-of-service", Say.OUT_OF_SERVICE_NOW.format(), ended=True)),
        ("27-staff-pin-refused", view("signin", "waiting-pin", Say.SIGNIN_REFUSED.format(left=4))),
        ("29-qr-cannot-be-used", view("kiosk", "refused", Say.TOKEN_NOT_VALID.format(), ended=True)),
        # issue 13: chrome (help, and a proof counting down near the end of its long timeout)
        ("30-help-after-a-jam", help_after_a_jam),
        ("31-proof-counting-down", proof_counting_down),
    ]


def example_machine(data_dir: str, orientation: str) -> layout.Machine:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["kiosk"]["data_dir"] = data_dir
    raw["ui"] = {"orientation": orientation}
    return layout.machine_of(config.parse(raw, source=str(EXAMPLE)))


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screens")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="screens") as tmp:
        cfg = config.parse({"kiosk": {"id": "HG-VT-01", "data_dir": tmp}})
        store = Store.open(Path(tmp), kiosk_id=cfg.kiosk.id)
        bridge = CoreBridge(Core(cfg, store, Lockers(cfg, store, {})))
        made = 0
        for orientation in ("portrait", "landscape"):
            for language in ("vi", "en"):
                window = KioskWindow(bridge, Language(language), orientation=orientation, done_return_s=3600,
                                     machine=example_machine(tmp, orientation))  # fmt: skip
                window.show()
                for name, show in views():
                    show(window)
                    app.processEvents()
                    window.grab().save(str(out / f"{name}-{language}-{orientation}.png"))
                    made += 1
                window.allow_close()
                window.close()
                sip.delete(window)  # while the application lives (see ui.app.run)
            damaged = OutOfServiceWindow(cfg.kiosk.office, orientation=orientation)
            damaged.show()
            app.processEvents()
            damaged.grab().save(str(out / f"28-out-of-service-damaged-database-{orientation}.png"))
            made += 1
            damaged.allow_close()
            damaged.close()
            sip.delete(damaged)
        bridge.close()
        store.close()
    print(f"{made} screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
