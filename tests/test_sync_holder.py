"""A holder-only result, end to end: the stand-in's admin is given the applicant's ID number in
clear and keeps only its keyed hash (kiosk/holder.py, ``kiosk-backend --holder-key``); the sync
brings ``requires_holder`` and ``holder_hash`` into the assignment table; the kiosk's own key
matches the card's number against it. The ID number is in neither database; a feed whose flags
are out of the contract's bounds is refused whole."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from hardware_sim.backend import cli
from kiosk.holder import holder_hash, holder_key, same_holder, write_key
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import BadAnswer
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.hostile import Hostile, answer
from tests.test_sync_hostile import section_for
from tests.test_sync_payment import clocked_store

CODE = "000.00.53.H48-220921-0099"
OTHER = "000.00.53.H48-220921-0100"
HOLDER = "001204012345"  # a CCCD's 12 digits
KEY = bytes(range(32, 80))


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The province's key, provisioned on the backend and on the kiosk alike."""
    folder = Path(tmp_path_factory.mktemp("holder-key"))
    write_key(folder, KEY)
    return folder


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory, keys: Path) -> Iterator[StandIn]:
    b = StandIn(Path(tmp_path_factory.mktemp("holder")), holder_key=keys / "holder-id.key")
    yield b
    b.stop()


store = pytest.fixture(clocked_store, name="store")


def worker_for(store: Store, backend: StandIn) -> SyncWorker:
    section = backend.section()
    return SyncWorker(
        store, BackendClient(section, KIOSK), section, sleep=lambda s: None, rng=random.Random(1)
    )


LAND = "Cấp Giấy chứng nhận quyền sử dụng đất"


def result(code: str, **more: Any) -> dict[str, Any]:
    return {"dossier_code": code, "citizen": "Ng*** V** A*", "procedure": LAND, "fee_due": 0} | more


def cached(store: Store, code: str) -> tuple[int, str | None]:
    row = store.db.execute(
        "SELECT requires_holder, holder_hash FROM assignment WHERE dossier_code = ?", [code]
    ).fetchone()
    assert row is not None
    return int(row[0]), row[1]


def test_the_holder_flag_and_hash_reach_the_kiosk_and_the_id_number_does_not(
    backend: StandIn, store: Store, keys: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    backend.post(
        "assignments", {"kiosk_id": KIOSK, "assignments": [result(CODE, holder_id=HOLDER), result(OTHER)]}
    )
    worker_for(store, backend).pull_assignments()
    required, hashed = cached(store, CODE)
    assert required == 1 and hashed == holder_hash(KEY, CODE, HOLDER)
    kiosk_key = holder_key(keys)
    assert kiosk_key is not None and same_holder(kiosk_key, CODE, HOLDER, hashed)
    assert not same_holder(kiosk_key, CODE, "001204012346", hashed)
    assert cached(store, OTHER) == (0, None)  # anyone with the code and PIN, as before
    for db in (store.path, *backend_files(backend)):
        assert HOLDER.encode() not in db.read_bytes(), db


def backend_files(backend: StandIn) -> list[Path]:
    folder = next(Path(a) for a in backend.proc.args[1:] if str(a).endswith("backend"))  # type: ignore[union-attr]
    return [p for p in folder.iterdir() if p.name.startswith("backend.db")]


def test_a_holder_flag_without_an_id_and_a_withdrawal_keep_their_words(
    backend: StandIn, store: Store
) -> None:
    code = "000.00.53.H48-220921-0101"
    backend.post("assignments", {"kiosk_id": KIOSK, "assignments": [result(code, requires_holder=True)]})
    worker = worker_for(store, backend)
    worker.pull_assignments()
    assert cached(store, code) == (1, None)  # holder only, and no hash: the kiosk sends them to an officer
    backend.post(
        "assignments", {"kiosk_id": KIOSK, "assignments": [result(code, holder_id=HOLDER, active=False)]}
    )
    worker.pull_assignments()
    assert (
        store.db.execute("SELECT COUNT(*) FROM assignment WHERE dossier_code = ?", [code]).fetchone()[0] == 0
    )


def test_the_admin_refuses_an_id_it_cannot_hash(backend: StandIn, short_tmp: Path) -> None:
    for holder in ("12345", "00120401234５", 1204012345, "001204012345\n"):
        body = {"kiosk_id": KIOSK, "assignments": [result(CODE, holder_id=holder)]}
        response = requests.post(f"{backend.url}/_admin/assignments", json=body, timeout=5)
        assert response.status_code == 400 and "12 digits" in response.json()["error"], holder
    keyless = StandIn(short_tmp / "keyless")
    try:
        body = {"kiosk_id": KIOSK, "assignments": [result(CODE, holder_id=HOLDER)]}
        response = keyless.admin.post(f"{keyless.url}/_admin/assignments", json=body, timeout=5)
        assert response.status_code == 400 and "--holder-key" in response.json()["error"]
    finally:
        keyless.stop()


def test_a_key_file_others_can_read_or_too_short_is_refused_at_start(
    short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = short_tmp / "loose.key"
    loose.write_bytes(os.urandom(32))
    loose.chmod(0o644)
    short = short_tmp / "short.key"
    short.write_bytes(os.urandom(16))
    short.chmod(0o600)
    for key, says in ((loose, "chmod 600"), (short, "at least 32")):
        assert cli.main(["--data", str(short_tmp / "b"), "--port", "0", "--holder-key", str(key)]) == 2
        assert says in capsys.readouterr().err


@pytest.mark.parametrize(
    "spoiled",
    [
        {"holder_hash": holder_hash(KEY, CODE, HOLDER).upper()},
        {"holder_hash": holder_hash(KEY, CODE, HOLDER)[:63]},
        {"holder_hash": HOLDER},  # the number in clear, where a hash belongs
        {"requires_holder": "true"},
        {"requires_holder": 1},
    ],
)
def test_a_feed_with_holder_fields_out_of_bounds_is_refused_whole(
    store: Store, short_tmp: Path, spoiled: dict[str, Any]
) -> None:
    hostile = Hostile()
    try:
        secret = short_tmp / "backend-secret"
        secret.write_text("hostile-secret-for-tests-only\n")
        secret.chmod(0o600)
        section = section_for(hostile.url, secret)
        rows = [result(OTHER, active=True), result(CODE, active=True) | spoiled]
        feed = {"assignments": rows, "cursor": "2", "more": False}
        hostile.spoil[f"GET /v1/kiosks/{KIOSK}/assignments"] = lambda r: answer(body=feed)
        worker = SyncWorker(store, BackendClient(section, KIOSK), section, sleep=lambda s: None)
        with pytest.raises(BadAnswer, match=r"assignments\.1"):
            worker.pull_assignments()
        assert store.db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 0
    finally:
        hostile.stop()
