"""Events and the outbox, compartment assignment, pickup codes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import audit, codes, events
from kiosk.assignment import SIZES, choose, fits
from kiosk.compartments import Compartment
from kiosk.core import Core
from kiosk.pickup_codes import (
    KeyFileError,
    check_secret,
    hash_secret,
    load_key,
    make_token,
    new_pin,
    pepper_of,
    token_is_genuine,
)
from kiosk.store import Store
from tests.machine import Machine


def store_at(tmp_path: Path) -> Store:
    return Store.open(tmp_path, kiosk_id="HG-VT-01", clock=lambda: datetime(2026, 11, 23, 8, tzinfo=UTC))


# -- events ----------------------------------------------------------------------------------------


def test_events_are_sequenced_chained_and_keep_secrets_out_of_the_audit_log(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    first = events.emit(store, "result-loaded", actor="officer:lan", dossier_code="000.00.53.H48-220921-0099",
                        compartment="A05", pin="123456", token="DKP1|…", expires="2026-12-07")  # fmt: skip
    second = events.emit(store, "maintenance", actor="kiosk", compartment="B02", problem="door jammed")
    assert (first.seq, second.seq) == (1, 2)
    assert first.uuid != second.uuid
    # the second event points at the audit entry written for the first
    head_after_first = store.db.execute(
        "SELECT hash FROM audit_log WHERE action = 'event:result-loaded'"
    ).fetchone()
    assert second.prev_audit_hash == head_after_first[0]
    details = [json.loads(r[0]) for r in store.db.execute("SELECT detail FROM audit_log")]
    assert all("pin" not in d and "token" not in d for d in details)
    assert events.pending(store)[0].payload["pin"] == "123456"  # the backend needs it to send the SMS
    assert audit.verify(store.db).ok


def test_an_event_rolled_back_with_its_change_leaves_no_sequence_gap(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    with pytest.raises(RuntimeError), store.transaction():
        events.emit(store, "maintenance", actor="kiosk", problem="x")
        raise RuntimeError("power cut before commit")
    assert (
        events.emit(store, "maintenance", actor="kiosk", problem="y").seq == 1
    )  # AUTOINCREMENT never reuses


def test_an_unknown_event_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        events.emit(store_at(tmp_path), "result-teleported", actor="kiosk")


# -- assignment ------------------------------------------------------------------------------------


def comp(cid: str, size: str = "S", position: str = "high", **kw: object) -> Compartment:
    fields: dict[str, object] = {
        "bus": "b", "board": 0, "lock": 1, "in_config": True, "in_service": True, "service_note": None,
        "holds": None, "holds_kind": None, "holds_state": None, "door": "closed",
    }  # fmt: skip
    fields.update(kw)
    return Compartment(cid, size=size, position=position, **fields)  # type: ignore[arg-type]


def test_smallest_fitting_then_low_when_asked() -> None:
    row = [
        comp("A01", "L", "low"),
        comp("A02", "M", "high"),
        comp("A03", "M", "low"),
        comp("A04", "S", "high"),
    ]
    assert choose(row, "M").id == "A02"  # type: ignore[union-attr]
    assert choose(row, "M", prefer_low=True).id == "A03"  # type: ignore[union-attr]
    assert choose(row, "S", prefer_low=True).id == "A03"  # type: ignore[union-attr]  # low before small
    assert choose(row, "L").id == "A01"  # type: ignore[union-attr]
    assert choose(row, "L", exclude={"A01"}) is None  # "no compartment free" is an answer


def test_never_out_of_service_full_or_unknown() -> None:
    row = [comp("A01", in_service=False), comp("A02", holds="X"), comp("A03", door="unknown"),
           comp("A04", in_config=False), comp("A05", door="open")]  # fmt: skip
    assert choose(row, "S") is None


compartments = st.lists(
    st.builds(
        comp, cid=st.from_regex(r"[A-C]0[1-9]", fullmatch=True), size=st.sampled_from(SIZES),
        position=st.sampled_from(["low", "high"]), in_service=st.booleans(),
        holds=st.none() | st.just("000.00.53.H48-220921-0099"),
        door=st.sampled_from(["closed", "open", "unknown"]),
    ),
    unique_by=lambda c: c.id, max_size=12,
)  # fmt: skip


@given(compartments, st.sampled_from(SIZES), st.booleans())
def test_assignment_properties(row: list[Compartment], size: str, low: bool) -> None:
    chosen = choose(row, size, prefer_low=low)
    usable = [c for c in row if c.usable and fits(c, size)]
    if chosen is None:
        assert usable == []
        return
    assert chosen.usable and fits(chosen, size)  # never out of service, full, unknown, too small
    if not low or not any(c.position == "low" for c in usable):
        assert SIZES.index(chosen.size) == min(SIZES.index(c.size) for c in usable)


@given(compartments, st.lists(st.sampled_from(SIZES), max_size=15))
def test_filling_up_never_gives_a_compartment_twice(row: list[Compartment], sizes: list[str]) -> None:
    taken: list[str] = []
    for size in sizes:
        chosen = choose(row, size, exclude=taken)
        if chosen is not None:
            assert chosen.id not in taken
            taken.append(chosen.id)


# -- pickup codes ------------------------------------------------------------------------------------


PEPPER = pepper_of(b"k" * 32)


def test_pins_are_six_digits_and_stored_only_as_slow_keyed_hashes() -> None:
    pins = {new_pin() for _ in range(200)}
    assert all(len(p) == 6 and p.isdigit() for p in pins) and len(pins) > 150
    stored = hash_secret("042917", PEPPER)
    assert stored.startswith("kscrypt$16384$8$1$") and "042917" not in stored
    assert check_secret("042917", stored, PEPPER) and not check_secret("042918", stored, PEPPER)
    for bad in (
        "md5$abc",
        "garbage",
        "kscrypt$x$8$1$AA$AA",
        "kscrypt$1099511627776$8$1$AA$AA",
        "scrypt$$$$$",
    ):
        assert not check_secret("042917", bad, PEPPER)  # a damaged row is no match, never a crash


def test_a_copied_database_alone_cannot_find_a_pin() -> None:
    """The hash is keyed by the kiosk key, which is not in the database: without it even the right
    PIN does not verify, so trying all million PINs against a copied row finds nothing."""
    stored = hash_secret("042917", PEPPER)
    assert not check_secret("042917", stored, pepper_of(b"\0" * 32))
    assert not check_secret("042917", stored, b"")
    legacy = "$".join(["scrypt", "16384", "8", "1", *_legacy_parts("042917")])
    assert check_secret("042917", legacy, PEPPER)  # a result loaded before the upgrade still picks up


def _legacy_parts(pin: str) -> list[str]:
    import base64
    import hashlib

    salt = b"s" * 16
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
    return [base64.urlsafe_b64encode(x).rstrip(b"=").decode() for x in (salt, digest)]


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_the_key_is_made_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        key = load_key(tmp_path)
    finally:
        os.umask(old)
    assert len(key) == 32 and load_key(tmp_path) == key
    assert (tmp_path / "pickup-token.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("content", "mode", "says"),
    [
        (b"", 0o600, "holds 0 bytes; a key must be at least 32"),
        (b"short", 0o600, "holds 5 bytes"),
        (b"k" * 32, 0o644, "chmod 600"),
        (b"k" * 32, 0o640, "chmod 600"),
    ],
)
def test_an_empty_short_or_readable_key_is_refused(
    tmp_path: Path, content: bytes, mode: int, says: str
) -> None:
    path = tmp_path / "pickup-token.key"
    path.write_bytes(content)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=says) as err:
        load_key(tmp_path)
    assert str(path) in str(err.value)


def test_a_token_signed_with_an_empty_key_never_opens(machine: Machine) -> None:
    """The attack that worked: a key file emptied (or never written), and a token made with the
    empty key. The kiosk now refuses to start on such a key at all."""
    key_file = machine.cfg.data_dir / "pickup-token.key"
    key_file.write_bytes(b"")
    with pytest.raises(KeyFileError):
        Core(machine.cfg, machine.store, machine.lockers)


def test_tokens_verify_offline_and_any_change_breaks_them(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    assert load_key(tmp_path) == key and (tmp_path / "pickup-token.key").stat().st_mode & 0o777 == 0o600
    text = make_token(key, "HG-VT-01", "000.00.53.H48-220921-0099", "A05", 1764000000, "abcdefghijkl")
    token = codes.parse(text)
    assert isinstance(token, codes.PickupToken) and token_is_genuine(key, token)
    for forged in (text.replace("A05", "A06"), text.replace("1764000000", "1864000000")):
        parsed = codes.parse(forged)
        assert isinstance(parsed, codes.PickupToken) and not token_is_genuine(key, parsed)
    (tmp_path / "other").mkdir()
    assert not token_is_genuine(load_key(tmp_path / "other"), token)  # another kiosk's key
