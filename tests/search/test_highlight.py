"""The one highlighter both engines use: escaped text, matched words marked, long texts cropped."""

from __future__ import annotations

from app.search.highlight import Matcher, highlight
from app.search.morphology import word_keys


def matcher(*words: str, prefix: str = "", fuzzy: tuple[tuple[str, int], ...] = ()) -> Matcher:
    return Matcher(frozenset(k for w in words for k in word_keys(w).all()), (prefix,) if prefix else (), fuzzy)


def test_highlight_escapes_text_and_marks_word_forms() -> None:
    text = "<b>Юнармейских</b> отрядов & «друзей»"
    out = highlight(text, matcher("юнармейский", "отряд"))
    assert out == "&lt;b&gt;<mark>Юнармейских</mark>&lt;/b&gt; <mark>отрядов</mark> &amp; «друзей»"
    assert highlight("<i>x</i>", None) == "&lt;i&gt;x&lt;/i&gt;"
    assert "<mark>Ёлка</mark>" in highlight("Ёлка", matcher("елка"))


def test_highlight_marks_word_families_prefixes_and_typos() -> None:
    out = highlight("Уличное освещение на улицах и дворах", matcher("улица"))
    assert out == "<mark>Уличное</mark> освещение на <mark>улицах</mark> и дворах"
    assert highlight("благоустройство", matcher(prefix="благоуст")) == "<mark>благоустройство</mark>"
    assert highlight("модернизация", matcher(fuzzy=(("модернезац", 1),))) == "<mark>модернизация</mark>"
    assert highlight("модернизация", matcher(fuzzy=(("мадирнезац", 2),))) == "модернизация"


def test_highlight_crops_long_text_around_the_first_match() -> None:
    text = " ".join(["слово"] * 100 + ["благоустройство"] + ["слово"] * 100)
    out = highlight(text, matcher("благоустройство"), crop=20)
    assert out.startswith("… ") and out.endswith(" …")
    assert "<mark>благоустройство</mark>" in out
    assert len(out.split()) < 30


def test_highlight_control_characters_cannot_forge_marks() -> None:
    # The highlighter marks words with two control characters before escaping; text that holds
    # them (cleaned input never does) must not turn them into tags.
    out = highlight("a\x02b\x03 улица", matcher("улица"))
    assert out.count("<mark>") == 1 and out.endswith("<mark>улица</mark>")


def test_highlight_window_keeps_the_text_between_words_as_it_is() -> None:
    text = "Раз, два: «улица» — три & четыре; пять шесть семь"
    assert highlight(text, matcher("улица"), crop=4) == "… два: «<mark>улица</mark>» — три &amp; четыре …"
    assert highlight(text, matcher("семь"), crop=2) == "… шесть <mark>семь</mark>"
    assert highlight(text, None, crop=2) == "Раз, два …"
