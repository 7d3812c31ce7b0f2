"""One year rule and one URL rule for the form, the API and files; Russian plurals in messages."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from app.catalogue.practices.schemas import (
    MIN_YEAR,
    URL_MESSAGE,
    CardIn,
    PracticeIn,
    max_year,
    number_of,
    whole_of,
)
from app.search.facets import facet
from app.search.params import LIST
from app.validation import error_list

CARD = {"title": "Народный бюджет", "region": "RU-BEL", "municipality_type": "urban-okrug", "themes": ["finance"]}


def errors(**overrides: object) -> dict[str, str]:
    try:
        PracticeIn.model_validate(CARD | overrides)
    except ValidationError as exc:
        return {e["field"]: e["message"] for e in error_list(exc)}
    return {}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("almetyevsk.ru", "https://almetyevsk.ru"),
        ("www.almetyevsk.ru/news?id=5", "https://www.almetyevsk.ru/news?id=5"),
        ("администрация.рф/практики", "https://администрация.рф/практики"),
        ("site.ru:8080/a", "https://site.ru:8080/a"),
        ("http://example.ru", "http://example.ru"),
        ("HTTPS://Example.ru/A", "HTTPS://Example.ru/A"),
    ],
)
def test_a_website_without_a_scheme_gets_https(typed: str, stored: str) -> None:
    card = PracticeIn.model_validate(CARD | {"contact": {"website": typed}, "source_url": typed,
                                             "documents": [{"title": "Положение", "url": typed}], "sources": [typed]})
    assert (card.contact.website, card.source_url, card.documents[0].url, card.sources) == (stored, stored, stored, [stored])


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "mailto:a@b.ru", "ftp://x.ru", "просто слово", "localhost", "a b.ru"])
def test_other_schemes_and_non_addresses_are_refused(typed: str) -> None:
    assert errors(source_url=typed) == {"source_url": URL_MESSAGE}


def test_one_year_rule_for_cards_awards_and_the_search_filter() -> None:
    assert max_year() == date.today().year + 1
    message = f"год должен быть от {MIN_YEAR} до {max_year()}"
    assert errors(year_started=max_year()) == {}  # a practice planned for next year
    assert errors(year_started=MIN_YEAR) == {}
    assert errors(year_started=MIN_YEAR - 1) == {"year_started": message}
    assert errors(year_started=max_year() + 1) == {"year_started": message}
    award = {"competition": "lmp", "year": MIN_YEAR - 1}
    assert errors(awards=[award]) == {"awards.0.year": message}
    # The search filter takes the same years, and the API says so.
    year = facet("year")
    assert (year.low, year.high) == (MIN_YEAR, max_year())  # type: ignore[attr-defined]
    params, problems = LIST.validate({"year_from": str(MIN_YEAR - 1)})
    assert params is None and problems[0].message == f"нужно целое число от {MIN_YEAR} до {max_year()}"


def test_counts_in_messages_are_proper_russian() -> None:
    with pytest.raises(ValidationError) as caught:
        CardIn.model_validate(CARD | {"themes": []})
    assert {e["field"]: e["message"] for e in error_list(caught.value)} == {"themes": "нужно хотя бы одно значение"}
    assert errors(title="аб") == {"title": "слишком коротко: не меньше 3 символов"}
    too_many = errors(themes=["finance", "youth", "culture", "education", "economy", "ecology"])
    assert too_many == {"themes": "слишком длинно: не больше 5 значений"}
    from app.validation import russian_message

    assert russian_message({"type": "too_long", "ctx": {"max_length": 21}, "input": []}) == "слишком длинно: не больше 21 значения"
    assert russian_message({"type": "string_too_short", "ctx": {"min_length": 1}, "input": ""}) == "слишком коротко: не меньше 1 символа"
    assert russian_message({"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}) == "допустимо: 'a' или 'b'"


def test_forms_and_sheets_read_numbers_as_people_write_them_and_leave_the_rest_to_the_schema() -> None:
    """The schema takes JSON numbers only; a form's or a sheet's text is read by these first."""
    assert [number_of(t) for t in ("1 000,5", "12", "\u00a012\u202f000", "-0.5", "1e3")] == [1000.5, 12.0, 12000.0, -0.5, 1000.0]
    assert [number_of(t) for t in ("двенадцать", "1_0", "١٢", "—")] == ["двенадцать", "1_0", "١٢", "—"]
    assert [whole_of(t) for t in ("2019", " 2019 ")] == [2019, 2019]
    assert [whole_of(t) for t in ("2019.0", "+2019", "9" * 19, "в прошлом году")] == ["2019.0", "+2019", "9" * 19, "в прошлом году"]
    assert errors(year_started="2019") == {"year_started": "нужно целое число"}
    assert errors(outcome_figures=[{"indicator": "Проектов", "value_before": "12"}]) == {
        "outcome_figures.0.value_before": "нужно число"}
