"""The machine's geometry and a compartment's place in words (kiosk/layout.py): for every machine
a config can describe, the doors drawn inside the machine without overlapping, each as tall as
its size, and words that name one door only; tables of the words themselves."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import config, layout
from kiosk.errors import ConfigError, UnknownCompartment

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kiosk.toml"
TOLERANCE = 1e-9


def example(**machine: object) -> config.KioskConfig:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["kiosk"]["data_dir"] = "/nonexistent/kiosk"
    raw["machine"] = {**raw["machine"], **machine}
    return config.parse(raw, source=str(EXAMPLE))


def parsed(compartments: list[dict[str, Any]], machine: dict[str, Any]) -> config.KioskConfig:
    return config.parse(
        {
            "kiosk": {"id": "HG-VT-01", "data_dir": "/nonexistent/kiosk"},
            "bus": [{"name": "lockbus0", "url": "loop://", "protocol": "cu48"}],
            "compartment": compartments,
            "machine": machine,
        }
    )


@st.composite
def machines(draw: st.DrawFn) -> config.KioskConfig:
    """Any machine a config can describe: 1–8 columns of 1–14 compartments of any size and
    position, rows numbered with gaps, the screen's column anywhere, any heights in order."""
    letters = draw(st.lists(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"), min_size=1, max_size=8, unique=True))
    compartments: list[dict[str, Any]] = []
    for letter in letters:
        rows = draw(st.lists(st.integers(1, 99), min_size=1, max_size=14, unique=True))
        for row in rows:
            compartments.append(
                {
                    "id": f"{letter}{row:02d}",
                    "bus": "lockbus0",
                    "board": len(compartments) // 48,
                    "lock": len(compartments) % 48 + 1,
                    "size": draw(st.sampled_from("SML")),
                    "position": draw(st.sampled_from(["low", "high"])),
                }
            )
    heights = sorted(draw(st.lists(st.floats(0.1, 100), min_size=3, max_size=3)))
    machine = {
        "row_one": draw(st.sampled_from(["top", "bottom"])),
        "column_width": draw(st.floats(0.1, 100)),
        "heights": dict(zip("SML", heights, strict=True)),
    }
    place = draw(st.none() | st.integers(1, len(letters) + 1))
    if place is not None:
        machine["screen_column"] = place
    return parsed(compartments, machine)


UNIT = layout.Rect(0, 0, 1, 1)


def inside(r: layout.Rect, box: layout.Rect = UNIT) -> bool:
    return (
        r.w > 0
        and r.h > 0
        and r.x >= box.x - TOLERANCE
        and r.y >= box.y - TOLERANCE
        and r.right <= box.right + TOLERANCE
        and r.bottom <= box.bottom + TOLERANCE
    )


@settings(max_examples=80, deadline=None)
@given(machines())
def test_every_machine_draws_each_door_once_inside_it_and_apart(cfg: config.KioskConfig) -> None:
    m = layout.machine_of(cfg)
    assert set(m.doors) == {c.id for c in cfg.compartment}
    rects = [d.rect for d in m.doors.values()] + [m.screen_column]
    assert all(inside(r) for r in rects)
    for a, b in itertools.combinations(rects, 2):
        assert not a.overlaps(b), (a, b)
    assert inside(m.screen, m.screen_column)  # the screen's panel in its own column
    assert m.aspect > 0


@settings(max_examples=60, deadline=None)
@given(machines())
def test_every_door_has_words_in_both_languages_and_no_two_doors_the_same(cfg: config.KioskConfig) -> None:
    m = layout.machine_of(cfg)
    for d in m.doors.values():
        vi, en = m.where(d.id)
        side = "left" if d.rect.x < m.screen_column.x else "right"
        assert vi.startswith("cột thứ ") and ("bên trái" if side == "left" else "bên phải") in vi
        assert f"column {side} of the screen" in en
        assert ("ngăn tủ thấp" in vi and "from the bottom" in en) == (d.position == "low")
    assert len({d.words[0] for d in m.doors.values()}) == len(m.doors)
    assert len({d.words[1] for d in m.doors.values()}) == len(m.doors)


@settings(max_examples=60, deadline=None)
@given(machines())
def test_each_door_is_as_tall_as_its_size_and_columns_stand_on_the_floor(cfg: config.KioskConfig) -> None:
    m = layout.machine_of(cfg)
    heights = cfg.machine.heights
    unit = {"S": heights.S, "M": heights.M, "L": heights.L}
    per_unit = {round(d.rect.h / unit[d.size], 9) for d in m.doors.values()}
    assert len(per_unit) == 1  # one scale for every door: an L is L/S times an S
    for column in m.columns:
        doors = [d for d in m.doors.values() if d.column == column]
        assert abs(max(d.rect.bottom for d in doors) - 1.0) < TOLERANCE
        widths = {round(d.rect.w, 12) for d in doors} | {round(m.screen_column.w, 12)}
        assert len(widths) == 1


# -- the words, by table ---------------------------------------------------------------------------

# examples/kiosk.toml: columns A B [screen] C; in each, S S S M high, then M M L L low (row 01 on top)
WORDS = [
    ("A01", "cột thứ hai bên trái màn hình, ngăn tủ cao thứ nhất từ trên xuống",
     "the second column left of the screen, the first high compartment from the top"),
    ("A04", "cột thứ hai bên trái màn hình, ngăn tủ cao thứ tư từ trên xuống",
     "the second column left of the screen, the fourth high compartment from the top"),
    ("A05", "cột thứ hai bên trái màn hình, ngăn tủ thấp thứ tư từ dưới lên",
     "the second column left of the screen, the fourth low compartment from the bottom"),
    ("B06", "cột thứ nhất bên trái màn hình, ngăn tủ thấp thứ ba từ dưới lên",
     "the first column left of the screen, the third low compartment from the bottom"),
    ("B08", "cột thứ nhất bên trái màn hình, ngăn tủ thấp thứ nhất từ dưới lên",
     "the first column left of the screen, the first low compartment from the bottom"),
    ("C07", "cột thứ nhất bên phải màn hình, ngăn tủ thấp thứ hai từ dưới lên",
     "the first column right of the screen, the second low compartment from the bottom"),
    ("C02", "cột thứ nhất bên phải màn hình, ngăn tủ cao thứ hai từ trên xuống",
     "the first column right of the screen, the second high compartment from the top"),
]  # fmt: skip


@pytest.mark.parametrize(("door", "vi", "en"), WORDS)
def test_where_a_door_of_the_example_machine_is_in_words(door: str, vi: str, en: str) -> None:
    assert layout.machine_of(example()).where(door) == (vi, en)


def test_the_screen_at_the_left_puts_every_column_to_its_right() -> None:
    m = layout.machine_of(example(screen_column=1))
    assert m.where("A08")[0] == "cột thứ nhất bên phải màn hình, ngăn tủ thấp thứ nhất từ dưới lên"
    assert (
        m.where("C01")[1] == "the third column right of the screen, the first high compartment from the top"
    )
    assert m.screen_column.x == 0.0


def test_rows_numbered_from_the_bottom_turn_the_column_over() -> None:
    m = layout.machine_of(example(row_one="bottom"))
    assert m.doors["A01"].rect.bottom == pytest.approx(1.0)  # row 01 stands on the floor
    # A01 is still high by the config: counted from the top it is the last of eight
    assert (
        m.where("A01")[1] == "the second column left of the screen, the eighth high compartment from the top"
    )


def test_without_screen_column_the_screen_stands_in_the_middle() -> None:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["kiosk"]["data_dir"] = "/nonexistent/kiosk"
    del raw["machine"]
    m = layout.machine_of(config.parse(raw))
    assert m.screen_slot == 1  # A [screen] B C
    assert m.where("B01")[1].startswith("the first column right of the screen")


def test_past_the_tenth_ordinals_are_digits_read_aloud_correctly() -> None:
    rows = [{"id": f"A{n:02d}", "bus": "lockbus0", "board": 0, "lock": n, "size": "S", "position": "high"}
            for n in range(1, 24)]  # fmt: skip
    m = layout.machine_of(parsed(rows, {"screen_column": 2}))
    said = {n: m.where(f"A{n:02d}") for n in (10, 11, 12, 13, 21, 22, 23)}
    assert said[10] == (
        "cột thứ nhất bên trái màn hình, ngăn tủ cao thứ mười từ trên xuống",
        "the first column left of the screen, the tenth high compartment from the top",
    )
    assert [said[n][0].split("thứ ")[-1] for n in (11, 21)] == ["11 từ trên xuống", "21 từ trên xuống"]
    assert [said[n][1].split("the ")[-2].split()[0] for n in (11, 12, 13, 21, 22, 23)] == [
        "11th", "12th", "13th", "21st", "22nd", "23rd"
    ]  # fmt: skip


def test_an_unknown_compartment_is_a_typed_error_naming_the_known_ones() -> None:
    with pytest.raises(UnknownCompartment, match=r"Z99.*A01"):
        layout.machine_of(example()).where("Z99")


# -- the config ------------------------------------------------------------------------------------


def test_the_example_machine_is_drawn_to_its_proportions() -> None:
    m = layout.machine_of(example())
    assert m.columns == ("A", "B", "C") and m.screen_slot == 2
    assert m.aspect == pytest.approx(4 * 3 / 15)  # four columns 3 wide; 3 S + 3 M + 2 L = 15 tall
    assert m.doors["A07"].rect.h == pytest.approx(3 * m.doors["A01"].rect.h)
    assert m.doors["A05"].rect.h == pytest.approx(2 * m.doors["A01"].rect.h)


@pytest.mark.parametrize(
    ("machine", "problem"),
    [
        ({"screen_column": 5}, "machine.screen_column: with 3 column(s) of compartments (A, B, C) the "
                               "screen's column is 1–4 counted from the left, not 5"),
        ({"screen_column": 0}, "machine.screen_column: expected a number of at least 1, got 0"),
        ({"heights": {"S": 2, "M": 1, "L": 3}},
         "machine.heights: expected S ≤ M ≤ L, got S = 2, M = 1, L = 3"),
        ({"heights": {"S": 1, "XL": 4}}, "machine.heights.XL: unknown key; expected one of: S, M, L"),
        ({"heights": {"S": 0}}, "machine.heights.S: expected a number above 0.0, got 0"),
        ({"row_one": "left"}, "machine.row_one: expected 'top' or 'bottom', got 'left'"),
        ({"screen_column": "2"}, "machine.screen_column: expected a whole number, got '2'"),
        ({"colour": "red"}, "machine.colour: unknown key; expected one of: screen_column, row_one, "
                            "column_width, heights"),
    ],
)  # fmt: skip
def test_a_wrong_machine_section_is_refused_with_what_was_expected(
    machine: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        example(**machine)
    assert problem in refused.value.problems
