"""``kiosk holder-key install FILE`` / ``status``: the province's key installed 0600 with a
fingerprint to compare, never printed or audited itself; a wrong file refused with a plain message."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from commands.holder import fingerprint
from commands.main import main
from kiosk import holder
from kiosk.store import Store

KEY = bytes(range(32)) + b"province"


def config(root: Path) -> Path:
    cfg = root / "kiosk.toml"
    cfg.write_text(f'[kiosk]\nid = "HG-VT-01"\ndata_dir = "{root}/data"\n', encoding="utf-8")
    return cfg


def kiosk(cfg: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--config", str(cfg), "holder-key", *args], out=out), out.getvalue()


def test_install_copies_the_key_for_its_owner_only_and_prints_a_fingerprint(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    usb = tmp_path / "usb-holder.key"
    usb.write_bytes(KEY)
    os.chmod(usb, 0o644)  # as a USB stick's file is: the copy is tightened, not the source refused
    code, text = kiosk(cfg, "install", str(usb))
    assert code == 0, text
    installed = tmp_path / "data" / holder.KEY_FILE
    assert installed.read_bytes() == KEY and stat.S_IMODE(installed.stat().st_mode) == 0o600
    assert fingerprint(KEY) in text and KEY.hex() not in text
    code, text = kiosk(cfg, "status")
    assert code == 0 and fingerprint(KEY) in text and "0 held result(s)" in text
    store = Store.open(tmp_path / "data", kiosk_id="HG-VT-01")
    try:
        audited = store.db.execute(
            "SELECT action, detail FROM audit_log WHERE action LIKE 'holder-key%'"
        ).fetchall()
    finally:
        store.close()
    assert len(audited) == 1 and fingerprint(KEY) in audited[0][1] and KEY.hex() not in audited[0][1]


def test_status_without_a_key_says_what_that_means_and_how_to_install_it(tmp_path: Path) -> None:
    code, text = kiosk(config(tmp_path), "status")
    assert code == 1
    assert "go to an officer" in text and "kiosk holder-key install FILE" in text


def test_a_short_missing_or_huge_file_is_refused_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    short, huge = tmp_path / "short.key", tmp_path / "huge.key"
    short.write_bytes(b"x" * 16)
    huge.write_bytes(b"x" * 10_000)
    for path, said in (
        (short, "at least 32 bytes"),
        (huge, "larger than"),
        (tmp_path / "none", "no such file"),
    ):
        code, _ = kiosk(cfg, "install", str(path))
        assert code == 1, path
        assert said in capsys.readouterr().err, path
    assert not (tmp_path / "data" / holder.KEY_FILE).exists()


def test_fingerprints_differ_by_key_and_say_nothing_of_it() -> None:
    other = KEY[:-1] + b"X"
    assert fingerprint(KEY) != fingerprint(other)
    assert len(fingerprint(KEY).replace(" ", "")) == 16
