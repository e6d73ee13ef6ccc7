"""What the screens say, through gettext: ``ui/locale/vi.po`` (the default) and ``en.po``.

The catalogues are gettext PO files, compiled in memory with Babel at start, so there is no build
step and no binary file in the repository. Every string a person sees is written as ``t("…")``
or ``N_("…")`` (the key, in English) so that ``pybabel extract -k t -k N_`` finds it; a test
fails when one has no Vietnamese or English translation. What the core says (``Say``) comes already in both
languages; ``pick()`` chooses.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("vi", "en")


@cache
def catalogue(language: str) -> gettext.GNUTranslations:
    with (LOCALE_DIR / f"{language}.po").open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(key: str) -> str:
    """Marks a key written where it is not yet translated (a table), for extraction."""
    return key


class Language:
    """The language of the person at the screen now; every screen asks it."""

    def __init__(self, code: str = "vi") -> None:
        self.code = code

    def switch(self) -> str:
        self.code = "en" if self.code == "vi" else "vi"
        return self.code

    def tr(self, key: str, **values: object) -> str:
        text = catalogue(self.code).gettext(key)
        return text.format(**values) if values else text

    def pick(self, said: tuple[str, str] | None) -> str:
        """One of the core's (Vietnamese, English) messages."""
        if said is None:
            return ""
        return said[0] if self.code == "vi" else said[1]
