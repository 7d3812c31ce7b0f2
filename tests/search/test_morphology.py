"""The word-family rule of `app.search.morphology`: derived words join the noun they come from,
and look-alikes that are other words stay apart."""

from __future__ import annotations

import pytest

from app.search.morphology import FAMILY, word_keys


def family(word: str) -> str:
    return word_keys(word).family


@pytest.mark.parametrize(
    ("derived", "noun"),
    [
        ("уличное", "улица"), ("сельских", "село"), ("школьный", "школа"), ("школьники", "школа"),
        ("молодёжный", "молодежь"), ("детская", "дети"), ("городской", "город"), ("деревенский", "деревня"),
        ("семейный", "семья"), ("районный", "район"), ("культурной", "культура"), ("спортивная", "спорт"),
        ("дворовые", "двор"), ("экономическое", "экономика"), ("историческая", "история"),
        ("горный", "гора"), ("костромская", "Кострома"), ("аварийное", "авария"), ("библиотечный", "библиотека"),
    ],
)
def test_a_derived_word_joins_its_noun(derived: str, noun: str) -> None:
    assert family(derived) == family(noun.lower())


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("нужны", "нуга"), ("важный", "вага"), ("полный", "пол"), ("ростовский", "рост"), ("томская", "том"),
        ("мордовская", "морда"), ("личный", "личико"), ("южный", "южа"), ("частный", "часть"),
        ("главный", "глава"), ("средний", "среда"), ("красный", "краса"), ("активный", "акт"),
    ],
)
def test_look_alikes_stay_apart(word: str, other: str) -> None:
    assert family(word) != family(other)
    assert FAMILY + family(other) not in word_keys(word).indexed


def test_forms_and_yo() -> None:
    assert word_keys("ёлками").stem == word_keys("елка").stem
    assert word_keys("дети").family == word_keys("ребёнок").family
    misspelt = word_keys("шкoльный")  # a Latin «o»: not a Russian word, its own key
    assert not misspelt.known and misspelt.indexed == (misspelt.stem,)


@pytest.mark.parametrize("word", ["тайная", "умный", "тайный"])
def test_no_family_of_two_letters(word: str) -> None:
    """A two-letter family (тайный → «тай» → «та») is the prefix of half the language: on
    Meilisearch «Тайная» found every practice of Татарстан."""
    keys = word_keys(word)
    assert len(keys.family) >= 3 and len(keys.token) >= 3
