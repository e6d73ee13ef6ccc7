"""Config loading: precedence of the path, and each kind of mistake with its exact message."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk import config
from kiosk.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kiosk.toml"


def base(**extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "kiosk": {"id": "HG-VT-01", "data_dir": "/tmp/unused"},
        "bus": [{"name": "lockbus0", "url": "loop://", "protocol": "cu48"}],
        "compartment": [{"id": "A01", "bus": "lockbus0", "board": 0, "lock": 1, "size": "S"}],
    }
    raw.update(extra)
    return raw


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.parse(raw, source="site.toml")
    assert str(err.value).startswith("config file site.toml is not valid:")
    return err.value.problems


def test_the_shipped_example_is_valid(tmp_path: Path) -> None:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["kiosk"]["data_dir"] = str(tmp_path / "data")
    cfg = config.parse(raw)
    assert len(cfg.compartment) == 24
    assert cfg.boards_of("lockbus0") == [0, 1]
    assert {c.size for c in cfg.compartment} == {"S", "M", "L"}


def test_defaults_a_site_need_not_write() -> None:
    cfg = config.parse(base())
    bus = cfg.bus[0]
    assert (bus.baudrate, bus.reply_timeout_ms, bus.unlock_confirm_ms) == (19200, 150, 1500)
    assert cfg.compartment[0].position == "high"


def test_sections_for_unused_devices_are_optional() -> None:
    cfg = config.parse({"kiosk": {"id": "K1", "data_dir": "/tmp/x"}})
    assert cfg.bus == [] and cfg.compartment == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["kiosk"].update(colour="red"),
            "kiosk.colour: unknown key; expected one of: id, data_dir, office, tracking_url, log_level,"
            " procedures, group_shared, min_free_mb",
        ),
        (lambda r: r["kiosk"].pop("id"), "kiosk.id: required key is missing"),
        (
            lambda r: r["bus"][0].update(protocol="cu99"),
            "bus[0] (lockbus0).protocol: expected 'cu48' or 'cu16', got 'cu99'",
        ),
        (
            lambda r: r["bus"][0].update(baudrate="19200"),
            "bus[0] (lockbus0).baudrate: expected 9600, 19200, 38400, 57600 or 115200, got '19200'",
        ),
        (
            lambda r: r["compartment"][0].update(lock="1"),
            "compartment[0] (A01).lock: expected a whole number, got '1'",
        ),
        (
            lambda r: r["compartment"][0].update(size="XL"),
            "compartment[0] (A01).size: expected 'S', 'M' or 'L', got 'XL'",
        ),
        (
            lambda r: r["bus"][0].update(board=[{"address": 0, "hook": "nc"}]),
            "bus[0] (lockbus0).board[0].hook: expected 'normally-open' or 'normally-closed', got 'nc'",
        ),
        (
            lambda r: r.update(printer="x"),
            "printer: expected a table, got 'x'",
        ),
    ],
)
def test_field_mistakes_are_named(change: Any, expected: str) -> None:
    raw = base()
    change(raw)
    assert problems_of(raw) == [expected]


def test_rules_have_defaults_and_a_site_may_change_them() -> None:
    assert config.parse(base()).rules.hold_days == 14
    rules = config.parse(base(rules={"hold_days": 30, "reminder_days": [7, 2], "door_alarm_s": 300})).rules
    assert (rules.hold_days, rules.reminder_days, rules.door_alarm_s) == (30, [7, 2], 300)


def test_rule_mistakes_are_named() -> None:
    assert problems_of(base(rules={"pin_tries": 0})) == [
        "rules.pin_tries: expected a number of at least 1, got 0"
    ]
    assert problems_of(base(rules={"door_reminder_s": 90, "door_alarm_s": 60})) == [
        "rules: door_alarm_s must be longer than door_reminder_s"
    ]


def test_two_compartments_on_one_lock() -> None:
    raw = base()
    raw["compartment"].append({"id": "A02", "bus": "lockbus0", "board": 0, "lock": 1, "size": "M"})
    assert problems_of(raw) == [
        "compartment[1] (A02).lock: A02 and A01 are both on bus lockbus0 board 0 lock 1; "
        "expected one compartment per lock"
    ]


def test_compartment_on_a_bus_that_does_not_exist() -> None:
    raw = base()
    raw["compartment"][0]["bus"] = "lockbus9"
    assert problems_of(raw) == [
        "compartment[0] (A01).bus: no [[bus]] is named 'lockbus9'; expected one of ['lockbus0']"
    ]


def test_lock_and_board_beyond_the_protocol() -> None:
    raw = base()
    raw["bus"][0]["protocol"] = "cu16"
    raw["compartment"][0].update(lock=17)
    raw["compartment"].append({"id": "A02", "bus": "lockbus0", "board": 3, "lock": 2, "size": "S"})
    raw["bus"][0]["board"] = [{"address": 0}]
    assert problems_of(raw) == ["compartment[0] (A01).lock: cu16 locks are 1–16, not 17"]
    raw = base()
    raw["compartment"][0]["board"] = 12
    assert problems_of(raw) == ["compartment[0] (A01).board: cu48 boards are 0–9, not 12"]


def test_duplicate_ids_and_bus_names() -> None:
    raw = base()
    raw["bus"].append(dict(raw["bus"][0]))
    raw["compartment"].append({"id": "A01", "bus": "lockbus0", "board": 0, "lock": 2, "size": "S"})
    assert problems_of(raw) == [
        "bus.name: 'lockbus0' appears more than once; expected each once",
        "compartment.id: 'A01' appears more than once; expected each once",
    ]


def test_every_problem_is_reported_at_once() -> None:
    raw = base()
    raw["kiosk"]["colour"] = 1
    raw["compartment"][0]["size"] = "XL"
    assert len(problems_of(raw)) == 2


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found; pass --config PATH or set KIOSK_CONFIG"):
        config.load(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nid = "K1\n')
    with pytest.raises(ConfigError, match=r"bad.toml is not valid:\n  - is not valid TOML: .*line 2"):
        config.load(bad)


def test_data_dir_is_created(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    path.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{tmp_path}/a/b"\n')
    config.load(path)
    assert (tmp_path / "a" / "b").is_dir()


def test_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    path = tmp_path / "k.toml"
    path.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{tmp_path}/file/sub"\n')
    with pytest.raises(ConfigError, match=r"kiosk.data_dir: cannot create .*file/sub: Not a directory"):
        config.load(path)


def test_path_precedence() -> None:
    assert config.resolve_path("a.toml", {"KIOSK_CONFIG": "b.toml"}) == Path("a.toml")
    assert config.resolve_path(None, {"KIOSK_CONFIG": "b.toml"}) == Path("b.toml")
    assert config.resolve_path(None, {}) == Path("/etc/kiosk/kiosk.toml")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('data_dir = "/tmp/a\\u0000b"', "kiosk.data_dir: contains a control character"),
        (
            'data_dir = "/tmp/ok"\noffice = "line one\\nForged: log line"',
            "kiosk.office: contains a control character",
        ),
        ('data_dir = ""', "kiosk.data_dir: expected at least 1 character(s), got ''"),
        ("data_dir = " + "[" * 100_000 + "]" * 100_000, "kiosk.data_dir: nested too deeply"),
        ("data_dir = " + "{a = " * 3000 + "1" + "}" * 3000, "kiosk.data_dir: nested too deeply"),
        ('data_dir = "/tmp/ok"\nprocedures = ' + "[" * 20 + "]" * 20, "kiosk.procedures: nested too deeply"),
    ],
)
def test_hostile_values_are_named_never_a_traceback(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "k.toml"
    path.write_text(f'[kiosk]\nid = "K1"\n{text}\n')
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert any(p.startswith(says) for p in err.value.problems), err.value.problems


def test_a_huge_config_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    path.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    with pytest.raises(ConfigError, match="larger than 1,048,576 bytes"):
        config.load(path)


@pytest.mark.parametrize(("group_shared", "mode"), [(False, 0o700), (True, 0o2770)])
@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_the_data_directory_is_private_whatever_the_umask(
    tmp_path: Path, umask: int, group_shared: bool, mode: int
) -> None:
    (tmp_path / "old").mkdir(mode=0o755)  # made before by hand, open to all
    for data in (tmp_path / "new" / "data", tmp_path / "old"):
        path = tmp_path / "k.toml"
        flag = "true" if group_shared else "false"
        path.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{data}"\ngroup_shared = {flag}\n')
        old = os.umask(umask)
        try:
            config.load(path)
        finally:
            os.umask(old)
        assert data.stat().st_mode & 0o7777 == mode


@pytest.mark.parametrize(
    "url",
    [
        "https://x.gov.vn/?ma={ma}",  # a field the kiosk does not fill
        "https://x.gov.vn/?ma={0}",
        "https://x.gov.vn/?ma={code}}",  # a stray brace
        "https://x.gov.vn/?ma={code:>999999999}",  # a 1 GB string at every pickup
        "https://x.gov.vn/?ma={code!r}",
        "https://x.gov.vn/",  # no code at all
        "http://x.gov.vn/?ma={code}",
    ],
)
def test_a_tracking_url_that_would_fail_at_a_pickup_is_refused_at_start(url: str) -> None:
    """What broke: a typo in tracking_url was accepted, and a citizen's pickup then ended in
    "something went wrong" with the door open."""
    raw = base()
    raw["kiosk"]["tracking_url"] = url
    assert any(p.startswith("kiosk.tracking_url: expected an https:// link") for p in problems_of(raw))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("procedure = " + "[" * 100_000 + "]" * 100_000, "procedure: nested too deeply"),
        (
            '[[procedure]]\nkey = "x"\nvi = "Trợ cấp\\u001b@"\nen = "Aid"\n',
            "procedure[0].vi: contains a control",
        ),
        ("# " + "x" * (2 * 1024 * 1024), "the procedure catalogue is larger than"),
    ],
)
def test_a_hostile_procedure_catalogue_is_named_never_a_traceback(
    tmp_path: Path, text: str, says: str
) -> None:
    from kiosk import procedures

    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        procedures.load(path)
    assert any(p.startswith(says) for p in err.value.problems), err.value.problems


def test_a_data_dir_too_long_for_the_look_up_socket_is_named() -> None:
    raw = base(backend={"url": "https://x.gov.vn", "client_id": "K", "client_secret_file": "/s"})
    raw["kiosk"]["data_dir"] = "/var/lib/" + "k" * 100
    assert any(p.startswith("kiosk.data_dir: 109 bytes long; with a [backend]") for p in problems_of(raw))
