"""Helpers behind the pages: numbers, paging windows, other readings of a query, names a query
holds, the chart geometry."""

from __future__ import annotations

import pytest

from app.search.rewrite import readings
from app.web.formatting import change, http_url, number
from app.web.pages.home import Count, bar_chart
from app.web.search.names import recognise
from app.web.search.view import pagination
from tests.factories import search_query


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (12.0, "12"), (1234.5, "1\u202f234,5"), (0.25, "0,25"), (1250000, "1\u202f250\u202f000"), (None, "—")],
)
def test_number_is_written_the_russian_way(value, expected):
    assert number(value) == expected


def test_change_between_figures():
    assert change(4, 41) == "+37 (×10,2)"
    assert change(100, 80) == "−20 (−20%)"
    assert change(5, 5) == "±0"
    assert change(0, 7) == "+7"
    assert change(None, 7) == "—"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e308, "1 × 10³⁰⁸"), (-1e308, "−1 × 10³⁰⁸"), (1e-300, "1 × 10⁻³⁰⁰"), (-2.5e-5, "−2,5 × 10⁻⁵"),
     (1e15, "1 × 10¹⁵"), (-3, "−3"), (0.005, "0,005"), (float("inf"), "—")],
)
def test_number_is_short_for_any_float_however_large_or_small(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(1e308, -1e308, "—"), (-1e308, 1e308, "—"), (1e-300, 1e300, "+1 × 10³⁰⁰"), (1e-300, 1.0, "+1 (×1 × 10³⁰⁰)"),
     (-1e300, 1e-300, "+1 × 10³⁰⁰"), (5e-324, 1e308, "+1 × 10³⁰⁸"), (1e308, 1e-300, "−1 × 10³⁰⁸ (−100%)")],
)
def test_change_never_overflows(before, after, expected):
    assert change(before, after) == expected


def test_http_url_refuses_other_schemes():
    assert http_url("https://example.ru/a") == "https://example.ru/a"
    assert http_url("javascript:alert(1)") == "#"
    assert http_url(None) == "#"


def test_pagination_window():
    pages = pagination(search_query(page=1), 3)
    assert [(p.number, p.current) for p in pages] == [(1, True), (2, False), (3, False)]
    assert [p.number for p in pagination(search_query(page=10), 10)] == [1, None, 8, 9, 10]
    assert pagination(search_query(page=1), 1) == []
    assert pagination(search_query(page=2, sort="title"), 3)[0].href == "/practices?sort=title"


def test_other_readings_of_latin_letters():
    assert readings("ldjhs") == ["дворы", "лдйхс"]  # the wrong keyboard layout, a transliteration
    assert readings("shkola")[1] == "школа"
    assert readings("Белгород") == [] and readings("ТОС Tver") == []  # Cyrillic is meant as typed


def test_bar_chart_scales_to_the_largest_value():
    chart = bar_chart([Count("А", 10, "/a"), Count("Б", 5, "/b"), Count("В", 0, "")], width=400, label_width=100)
    assert [b.width for b in chart.bars] == [252, 126, 0]
    assert [b.y for b in chart.bars] == [0, 36, 72]
    assert chart.height == 3 * 26 + 2 * 10
    assert bar_chart([]).bars == []


def test_names_a_query_holds(app):
    ref, thesaurus = app.state.reference.get(), app.state.thesaurus

    def names(text: str) -> list[tuple[str, str]]:
        return [(n.facet, n.value) for n in recognise(text, ref, thesaurus)]

    assert ("theme", "youth") in names("молодежь")  # a word of the theme's name, in another form
    assert names("белгородские дворы") == [("region", "RU-BEL")]
    assert names("Кузбасс") == [("region", "RU-KEM")]  # through the thesaurus
    assert names("сельское поселение")[0] == ("municipality_type", "rural-settlement")
    assert names("кот") == []
