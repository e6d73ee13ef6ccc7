"""The core never imports Qt (DESIGN §4.6): only ui/ may. And nothing in kiosk/ reaches ui/ (DESIGN §3):
the commands that show a window live in commands/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = ("PyQt6", "PyQt5", "PySide6", "PySide2")
# Besides ui/ itself, only what tests and measures the UI may load Qt.
OF_THE_UI = {
    Path("tests/test_ui.py"),
    Path("tests/test_ui_guard.py"),
    Path("tests/test_watchdog.py"),  # the screen's health loop asks its threads
    Path("tests/test_demo.py"),
    Path("tests/test_screenshots.py"),  # every screen drawn offscreen, as make screenshots draws it
    Path("bench/ui.py"),
    Path("bench/memory.py"),  # the screen's process over 1,000 journeys
}


def qt_imports(path: Path, root: Path = ROOT, of: tuple[str, ...] = QT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [
            f"{path.relative_to(root)}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in of
        ]
    return found


def test_nothing_outside_ui_imports_qt() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("ui", ".venv", "build", ".demo") or parts[0].startswith("."):
            continue
        if path.relative_to(ROOT) in OF_THE_UI or (parts[0] == "tests" and path.name.startswith("test_ui_")):
            continue  # tests/test_ui_<topic>.py: the UI's tests, one file a topic
        offenders += qt_imports(path)
    assert offenders == []


def test_importing_the_core_loads_no_qt() -> None:
    code = (
        "import sys, commands.main, kiosk.assembly, kiosk.lockers, drivers.lockboard.bus, "
        "hardware_sim.lockboard, hardware_sim.machine, hardware_sim.demo, sync; "
        f"print([m for m in sys.modules if m.split('.')[0] in {QT!r}])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_checker_sees_a_qt_import(tmp_path: Path) -> None:
    fake = tmp_path / "probe.py"
    fake.write_text("import os\nfrom PyQt6.QtWidgets import QApplication\nimport PySide6\n")
    assert qt_imports(fake, tmp_path) == ["probe.py:2 imports PyQt6.QtWidgets", "probe.py:3 imports PySide6"]


def test_nothing_in_the_core_imports_the_ui() -> None:
    """Lazy imports inside functions count too: ``kiosk run`` lives in commands/, not kiosk/."""
    offenders = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        offenders += qt_imports(path, of=("ui", "commands", *QT))
    assert offenders == []
