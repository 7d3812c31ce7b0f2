"""The home page: search box, counts by theme and federal district, the chart, the newest practices."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.corpus import CORPUS
from tests.web.conftest import soup, text


def counts(page, list_id: str) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    return {
        li.select_one("a, span").get_text(strip=True): (int(li.select_one(".count").get_text()), li.a["href"] if li.a else "")
        for li in page.select(f"#{list_id} li")
    }


def test_home_counts_themes_and_districts(client, corpus):
    page = soup(client.get("/"))
    assert "8 опубликованных практик" in text(page.select_one(".hero .lead"))
    themes = counts(page, "themes")
    assert themes["Молодёжная политика и патриотическое воспитание"] == (4, "/themes/youth")
    assert themes["Образование"] == (4, "/themes/education")
    assert themes["Благоустройство и городская среда"] == (3, "/themes/urban-environment")
    assert themes["Экология и обращение с отходами"] == (0, "/themes/ecology")
    assert len(themes) == 20
    assert list(themes)[:3] == ["Молодёжная политика и патриотическое воспитание", "Образование",
                                "Благоустройство и городская среда"]
    districts = counts(page, "districts")
    assert len(districts) == 8
    assert districts["Центральный ФО"][0] == 2 and districts["Приволжский ФО"][0] == 2
    assert districts["Сибирский ФО"] == (0, "")  # the rejected Novosibirsk practice is not counted
    assert parse_qs(urlsplit(districts["Уральский ФО"][1]).query) == {"district": ["ural"]}


def test_district_link_selects_the_district_and_shows_its_regions_next(client, corpus, make_practice):
    make_practice(region="RU-MOW", themes=["youth"])
    page = soup(client.get("/"))
    link = counts(page, "districts")["Центральный ФО"][1]
    # The district itself, not its regions as they are today: a bookmark keeps meaning all of them.
    assert parse_qs(urlsplit(link).query) == {"district": ["central"]}
    results = soup(client.get(link))
    assert text(results.select_one("#results-count")) == "Найдено 3 практики"
    assert [text(c) for c in results.select(".chip-label")] == ["Федеральный округ: Центральный ФО"]
    # The region facet is the next level: the district's regions, grouped under it, nothing else.
    regions = results.select_one("#facet-region")
    assert [text(g) for g in regions.select("fieldset.facet-group > legend")] == ["Центральный ФО"]
    assert {i["value"]: i.has_attr("checked") for i in regions.select("input[name=region]")} == {
        "RU-BEL": False, "RU-MOW": False}
    # Choosing one of them narrows within the district.
    narrowed = soup(client.get(link + "&region=RU-MOW"))
    assert text(narrowed.select_one("#results-count")) == "Найдено 1 практика"


def test_home_chart_is_inline_svg_with_a_bar_per_district(client, corpus):
    page = soup(client.get("/"))
    svg = page.select_one("svg#chart-districts")
    assert svg is not None and svg["aria-hidden"] == "true"
    bars = svg.select("rect.bar")
    assert len(bars) == 8
    widths = [float(b["width"]) for b in bars]
    assert widths == sorted(widths, reverse=True) and widths[0] > 0 and widths[-1] == 0
    labels = [t.get_text() for t in svg.select("text.bar-label")]
    values = [int(t.get_text()) for t in svg.select("text.bar-value")]
    assert dict(zip(labels, values, strict=True))["Южный ФО"] == 2
    # Bars are mouse shortcuts only; the same numbers are in text for everyone else.
    assert all(a["tabindex"] == "-1" for a in svg.select("a"))
    assert len(svg.select("a[href]")) == 4  # districts without practices lead nowhere
    table = svg.find_next_sibling("table")
    assert "visually-hidden" in table["class"] and len(table.select("tbody tr")) == 8
    regions = page.select_one("svg#chart-regions")
    assert {a["href"] for a in regions.select("a")} == {"/regions/RU-BEL", "/regions/RU-TA", "/regions/RU-SVE", "/regions/RU-KDA"}
    # Drawn here, nothing from other hosts.
    assert not page.select("img[src^=http], script[src^=http], link[href^=http]:not([href^='http://testserver'])")


def test_home_newest_and_search_box(client, corpus):
    page = soup(client.get("/"))
    newest = [a["href"] for a in page.select("#newest a")]
    assert newest[0] == f"/practices/{CORPUS[-1]['slug']}" and len(newest) == 8
    assert "/practices/skrytaya-pending" not in newest
    form = page.select_one("form[role=search]")
    assert form["action"] == "/practices" and form["method"] == "get"
    field = form.select_one("input[name=q]")
    assert page.select_one(f'label[for="{field["id"]}"]').get_text(strip=True) == "Что ищете?"


def test_empty_catalogue_home(client):
    page = soup(client.get("/"))
    assert "0 опубликованных практик" in text(page.select_one(".hero .lead"))
    assert page.select_one("#newest") is None
    assert all(int(li.select_one(".count").get_text()) == 0 for li in page.select("#themes li"))


def test_home_without_the_search_engine_still_lists_the_newest(app, client, corpus, monkeypatch):
    from app.search.base import SearchUnavailable

    def down(query):  # type: ignore[no-untyped-def]
        raise SearchUnavailable("engine is down")

    monkeypatch.setattr(app.state.index, "search", down)
    page = soup(client.get("/"))
    assert "временно недоступны" in text(page.select_one("p.notice"))
    assert len(page.select("#newest a")) == 8 and page.select_one("svg") is None
    response = client.get("/practices")
    assert response.status_code == 503
    assert "Поиск временно недоступен" in response.text
    assert client.get("/practices/yunarmiya-belgorod").status_code == 200  # the card reads the database
