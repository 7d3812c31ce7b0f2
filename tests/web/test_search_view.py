"""Helpers behind the pages: numbers, paging windows, spellings, the chart geometry."""

from __future__ import annotations

import pytest

from app.web.formatting import change, http_url, number
from app.web.pages.home import Count, bar_chart
from app.web.search.suggestions import matching_filters, spellings
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


def test_spellings(app):
    ref = app.state.reference.get()
    assert "дворы" in spellings("ldjhs", ref)  # wrong keyboard layout
    assert "белгородская" in " ".join(spellings("Белгародская область", ref))  # close to a known name
    assert spellings("Белгородская область", ref) == []  # nothing to correct


def test_bar_chart_scales_to_the_largest_value():
    chart = bar_chart([Count("А", 10, "/a"), Count("Б", 5, "/b"), Count("В", 0, "")], width=400, label_width=100)
    assert [b.width for b in chart.bars] == [252, 126, 0]
    assert [b.y for b in chart.bars] == [0, 36, 72]
    assert chart.height == 3 * 26 + 2 * 10
    assert bar_chart([]).bars == []


def test_matching_filters_by_word_beginnings(app):
    ref = app.state.reference.get()
    assert ("theme", "youth", "Молодёжная политика и патриотическое воспитание") in matching_filters("молодежь", ref)
    assert ("region", "RU-BEL", "Белгородская область") in matching_filters("белгород", ref)
    assert matching_filters("кот", ref) == []
