"""The procedure catalogue: found by what a citizen types, with or without tone marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import procedures
from kiosk.errors import ConfigError

SAMPLE = procedures.load()


def keys(typed: str) -> list[str]:
    return [p.key for p in procedures.find(SAMPLE, typed)]


def test_the_sample_is_valid_and_ends_with_another_procedure() -> None:
    assert len(SAMPLE) >= 20 and SAMPLE[-1].key == "other"
    assert all(p.reported == p.key for p in SAMPLE)  # no national code guessed


@pytest.mark.parametrize("typed", ["khai sinh", "khái sinh", "KHAI SINH", "  kh   si ", "birth"])
def test_typed_words_find_with_or_without_tone_marks(typed: str) -> None:
    assert keys(typed) == ["birth"]


def test_every_word_typed_must_begin_a_word_of_the_procedure() -> None:
    assert keys("đăng ký khai") == ["birth", "death"]  # "khai sinh", "khai tử"
    assert "land-change" in keys("dang ky") and "certified-copy" not in keys("dang ky")
    assert "land-change" in keys("dat dai") and "land-first-certificate" in keys("so do")
    assert keys("xyzzy") == []
    assert keys("") == [p.key for p in SAMPLE]


def test_fold_drops_every_mark_and_keeps_the_letters() -> None:
    assert procedures.fold("Đăng ký BIẾN động đất đai") == "dang ky bien dong dat dai"
    assert procedures.fold("Người ở Hưng Yên") == "nguoi o hung yen"


def test_a_bad_catalogue_names_the_file_the_entry_and_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "procedures.toml"
    bad.write_text(
        '[[procedure]]\nkey = "birth"\nvi = "Khai sinh"\nen = "Birth"\nsize = "XL"\n'
        '[[procedure]]\nkey = "birth"\nvi = "Khai tử"\nen = "Death"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        procedures.load(bad)
    assert str(bad) in str(err.value)
    assert "procedure[0] (birth).size" in str(err.value)
    bad.write_text(
        '[[procedure]]\nkey = "a"\nvi = "A"\nen = "A"\n[[procedure]]\nkey = "a"\nvi = "B"\nen = "B"\n'
    )
    with pytest.raises(ConfigError, match="the key a is used more than once"):
        procedures.load(bad)
    with pytest.raises(ConfigError, match="cannot be read"):
        procedures.load(tmp_path / "missing.toml")


def test_the_config_names_the_province_catalogue_relative_to_itself(tmp_path: Path) -> None:
    from tests.machine import site_config

    cfg = site_config(tmp_path, "cu48")
    assert cfg.procedures_path is None
    ours = cfg.kiosk.model_copy(update={"procedures": "procedures.toml"})
    cfg = cfg.model_copy(update={"kiosk": ours, "source": str(tmp_path / "etc" / "kiosk.toml")})
    assert cfg.procedures_path == tmp_path / "etc" / "procedures.toml"
