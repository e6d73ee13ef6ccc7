"""The procedures a citizen can hand a dossier in for without a dossier code, and finding one by
what the citizen types.

The catalogue is a TOML file of ``[[procedure]]`` tables (the shipped sample, or the province's
own at ``[kiosk] procedures``). Finding ignores tone marks and case, because many people type
Vietnamese without them: "khai sinh", "khái sinh" and "KHAI SINH" all find "Đăng ký khai sinh".

A procedure marked ``requires_holder`` has its results handed over only to the holder of the
applicant's chip ID card (kiosk/cccd.py, kiosk/holder.py): ``requires_holder`` finds it by the name
or national code an assignment carries.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.config import explain, read_toml
from kiosk.errors import ConfigError

SAMPLE = Path(__file__).resolve().parent / "data" / "procedures.toml"
Text = Annotated[str, Field(min_length=1, max_length=200)]


@dataclass(frozen=True)
class Procedure:
    key: str
    vi: str
    en: str
    size: str = "M"
    code: str = ""  # the national code, where the province has filled it in
    words: str = ""
    requires_holder: bool = False  # its result goes only to the holder of the applicant's ID card

    @property
    def reported(self) -> str:
        """What the backend is told: the national code where known, else our key."""
        return self.code or self.key

    def name(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    key: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,39}$")]
    vi: Text
    en: Text
    size: Literal["S", "M", "L"] = "M"
    code: Annotated[str, Field(pattern=r"^([12]\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?)?$")] = ""
    words: Annotated[str, Field(max_length=400)] = ""
    requires_holder: bool = False


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    procedure: Annotated[list[_Entry], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> _Catalogue:
        keys = [p.key for p in self.procedure]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"procedure: the key {', '.join(twice)} is used more than once")
        return self


def load(path: Path | None = None) -> tuple[Procedure, ...]:
    """The catalogue at ``path`` (the shipped sample when None); ``ConfigError`` names what is wrong."""
    path = path or SAMPLE
    raw = read_toml(
        path,
        missing="the procedure catalogue cannot be read: it is not there",
        what="the procedure catalogue ",
    )
    try:
        catalogue = _Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(str(path), explain(exc, raw)) from None
    return tuple(Procedure(**entry.model_dump()) for entry in catalogue.procedure)


def fold(text: str) -> str:
    """Lower case, no tone or vowel marks, đ as d: how typed words and names are compared."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def find(catalogue: tuple[Procedure, ...], typed: str) -> list[Procedure]:
    """The procedures whose words begin with every word typed, in catalogue order."""
    wanted = fold(typed).split()
    found = []
    for procedure in catalogue:
        words = fold(f"{procedure.vi} {procedure.en} {procedure.words}").replace(",", " ").split()
        if all(any(w.startswith(typed_word) for w in words) for typed_word in wanted):
            found.append(procedure)
    return found


def named(catalogue: tuple[Procedure, ...], key: str) -> Procedure | None:
    return next((p for p in catalogue if p.key == key), None)


def requires_holder(catalogue: tuple[Procedure, ...], procedure: str | None) -> bool:
    """Whether the catalogue marks the procedure a result is for (as the backend names it: the
    national code, or its name, compared as ``fold`` compares) as one for its holder only."""
    if not procedure:
        return False
    text = procedure.strip()
    folded = fold(text)
    return any(
        p.requires_holder and ((p.code and p.code == text) or folded in (fold(p.vi), fold(p.en)))
        for p in catalogue
    )
