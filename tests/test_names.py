"""A citizen's name is masked wherever it comes in, once or twice alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.names import masked


def test_a_name_shows_enough_to_recognise_and_no_more() -> None:
    assert masked("Nguyễn Văn An") == "Ng**** V** A*"
    assert masked("Lê Thị Hạnh") == "Lê* T** H***"
    assert masked(None) is None and masked("") == ""


@given(st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂĐƯ", min_size=1, max_size=9), min_size=1))
def test_masking_twice_changes_nothing_and_hides_all_but_the_first_letters(words: list[str]) -> None:
    name = " ".join(words)
    once = masked(name)
    assert once is not None and masked(once) == once
    for word, shown in zip(words, once.split(), strict=True):
        assert len(shown.rstrip("*")) <= 2 and shown.startswith(word[: len(shown.rstrip("*"))])


def test_a_star_does_not_make_a_whole_name_pass_as_masked() -> None:
    """What the attacker review saw: any word with a "*" in it was left as it came."""
    assert masked("Nguyễn* Văn* An*") == "Ng**** V** A*"
    assert masked("*Nguyễn") == "Ng****"
