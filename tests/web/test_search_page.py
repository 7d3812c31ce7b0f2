"""The faceted search page: facets, chips, paging, sorting, empty state, bad parameters, escaping."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from tests.corpus import CORPUS
from tests.web.conftest import filter_url, soup, text


def hit_slugs(page: BeautifulSoup) -> list[str]:
    return [a["href"].removeprefix("/practices/") for a in page.select("ol.hits .hit-title a")]


def facet(page: BeautifulSoup, name: str) -> dict[str, dict]:
    """value -> {count, selected, label, type} for one facet's checkboxes or radio buttons."""
    out: dict[str, dict] = {}
    for box in page.select(f'form#filters input[name="{name}"]:not([type=hidden])'):
        label = page.select_one(f'label[for="{box["id"]}"]')
        count = label.select_one(".count")
        out[box["value"]] = {
            "count": int(count.get_text().split()[-1]) if count else None,
            "selected": box.has_attr("checked"),
            "label": label.select_one(".facet-label").get_text(strip=True),
            "type": box["type"],
        }
    return out


def years(page: BeautifulSoup, param: str = "year_from") -> dict[str, int]:
    """The year select's options: year -> count (the empty «any year» option left out)."""
    return {o["value"]: int(o.get_text().split("(")[1].rstrip(")")) for o in page.select(f"select[name={param}] option")
            if o["value"]}


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_no_filters_lists_every_published_practice_with_counts(client, corpus):
    page = soup(client.get("/practices"))
    assert sorted(hit_slugs(page)) == sorted(c["slug"] for c in CORPUS)
    assert text(page.select_one("#results-count")) == "Найдено 8 практик"
    status = page.select_one("#search-status")  # the live region search.js fills after an update
    assert status["aria-live"] == "polite" and status["role"] == "status" and status.get_text(strip=True) == ""
    regions = facet(page, "region")
    assert {k: v["count"] for k, v in regions.items()} == {"RU-BEL": 2, "RU-TA": 2, "RU-SVE": 2, "RU-KDA": 2}
    assert regions["RU-TA"]["label"] == "Республика Татарстан"
    themes = facet(page, "theme")
    assert {k: v["count"] for k, v in themes.items()} == {"youth": 4, "education": 4, "urban-environment": 3}
    assert facet(page, "has_figures")["true"]["count"] == 3
    assert facet(page, "has_figures")[""] == {"count": None, "selected": True, "label": "Все", "type": "radio"}
    assert years(page)["2022"] == 2 and years(page, "year_to") == years(page)
    # Newest years first in the year facet.
    assert list(years(page))[0] == "2023" and list(years(page))[-1] == "2018"
    # Facet values are checkboxes (a screen reader says «флажок, не отмечен»), in a group named by the facet.
    assert {v["type"] for v in regions.values()} == {"checkbox"}
    assert text(page.select_one("fieldset#facet-region > legend")) == "Регион"
    assert facet(page, "district") == {
        "central": {"count": 2, "selected": False, "label": "Центральный ФО", "type": "checkbox"},
        "volga": {"count": 2, "selected": False, "label": "Приволжский ФО", "type": "checkbox"},
        "ural": {"count": 2, "selected": False, "label": "Уральский ФО", "type": "checkbox"},
        "southern": {"count": 2, "selected": False, "label": "Южный ФО", "type": "checkbox"},
    }
    assert not page.select(".chips")
    # Hidden practices never show, not even in counts.
    assert "skrytaya-pending" not in hit_slugs(page) and "RU-NVS" not in regions


def test_region_facet_is_disjunctive_and_filters_across_facets(client, corpus):
    page = soup(client.get("/practices?region=RU-BEL"))
    assert sorted(hit_slugs(page)) == ["dvory-belgorod", "yunarmiya-belgorod"]
    regions = facet(page, "region")
    # Other regions are still offered, with their own counts (OR within the facet).
    assert regions["RU-TA"]["count"] == 2 and regions["RU-KDA"]["count"] == 2
    assert regions["RU-BEL"]["selected"] and not regions["RU-TA"]["selected"]
    # Ticking another adds it; unticking the chosen one removes it (the form is the URL).
    assert params(filter_url(page, tick=(("region", "RU-TA"),)))["region"] == ["RU-BEL", "RU-TA"]
    assert "region" not in params(filter_url(page, untick=(("region", "RU-BEL"),)))
    # Other facets count within the selected region (AND across facets).
    assert {k: v["count"] for k, v in facet(page, "theme").items()} == {"youth": 1, "education": 1, "urban-environment": 1}

    both = soup(client.get("/practices?region=RU-BEL&region=RU-TA&theme=education"))
    assert sorted(hit_slugs(both)) == ["shkolnye-dvory-kazan", "yunarmiya-belgorod"]
    assert facet(both, "theme")["youth"]["count"] == 2  # theme counts ignore the theme selection


def test_chips_show_selection_and_remove_one_value(client, corpus):
    page = soup(client.get("/practices?q=дворы&region=RU-BEL&theme=urban-environment&has_figures=false&year_from=2019&year_to=2019"))
    chips = {text(a.select_one(".chip-label")): a["href"] for a in page.select("a.chip")}
    assert set(chips) == {
        "Запрос: «дворы»",
        "Регион: Белгородская область",
        "Тема: Благоустройство и городская среда",
        "Цифры результатов: Без цифр",
        "Год начала: 2019",
    }
    removed_region = params(chips["Регион: Белгородская область"])
    assert "region" not in removed_region and removed_region["theme"] == ["urban-environment"]
    assert removed_region["q"] == ["дворы"]
    assert "q" not in params(chips["Запрос: «дворы»"])
    assert "year_from" not in params(chips["Год начала: 2019"]) and "year_to" not in params(chips["Год начала: 2019"])
    assert page.select_one("a.chips-clear")["href"] == "/practices"
    for chip in page.select("a.chip"):
        # The link's name is what it shows, after «Убрать фильтр» (axe: label-content-name-mismatch).
        assert not chip.has_attr("aria-label")
        assert text(chip).startswith("Убрать фильтр " + text(chip.select_one(".chip-label")))
        assert chip.select_one(".chip-x")["aria-hidden"] == "true"
    # Following a removal link drops just that value.
    after = soup(client.get(chips["Регион: Белгородская область"]))
    assert "Регион: Белгородская область" not in [text(c) for c in after.select(".chip-label")]
    assert "Тема: Благоустройство и городская среда" in [text(c) for c in after.select(".chip-label")]


def test_form_keeps_the_other_filters_as_hidden_inputs(client, corpus):
    page = soup(client.get("/practices?q=школа&region=RU-TA&sort=title&page=2"))
    form = page.select_one("form#search-form")
    assert form["action"] == "/practices" and form["method"] == "get"
    assert form.select_one("input[name=q]")["value"] == "школа"
    hidden = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert hidden == [("region", "RU-TA"), ("sort", "title")]  # a new search starts at page 1
    assert page.select_one(f'label[for="{form.select_one("input[name=q]")["id"]}"]')


def test_pagination_links_and_last_page(client, make_practice):
    for n in range(25):
        make_practice(title=f"Практика благоустройства номер {n:02d}", region="RU-MOW", themes=["urban-environment"])
    first = soup(client.get("/practices?sort=title"))
    assert len(hit_slugs(first)) == 20
    nav = first.select_one("nav.pagination")
    assert nav["aria-label"] == "Страницы результатов"
    assert nav.select_one("a[aria-current=page]").get_text(strip=True) == "1"
    next_link = nav.select_one("a[rel=next]")["href"]
    assert params(next_link) == {"sort": ["title"], "page": ["2"]}
    assert not nav.select("a[rel=prev]")

    last = soup(client.get(next_link))
    assert len(hit_slugs(last)) == 5
    assert last.select_one("nav.pagination a[aria-current=page]").get_text(strip=True) == "2"
    assert not last.select("nav.pagination a[rel=next]")
    assert "page" not in params(last.select_one("nav.pagination a[rel=prev]")["href"])
    assert last.select_one("ol.hits")["start"] == "21"
    # No page is shown twice.
    assert not set(hit_slugs(first)) & set(hit_slugs(last))

    beyond = soup(client.get("/practices?sort=title&page=9"))
    assert not hit_slugs(beyond)
    link = beyond.select_one(".empty-state a")
    assert params(link["href"]) == {"sort": ["title"], "page": ["2"]}


def test_page_window_with_gaps(client, make_practice):
    for n in range(12):
        make_practice(title=f"Практика {n}", region="RU-MOW")
    page = soup(client.get("/practices?per_page=1&page=6"))
    labels = [li.get_text(strip=True) for li in page.select("nav.pagination li")]
    assert labels == ["← Назад", "1", "…", "4", "5", "6", "7", "8", "…", "12", "Вперёд →"]
    # The page size travels with every link.
    assert params(page.select_one("a[rel=next]")["href"])["per_page"] == ["1"]
    assert params(filter_url(page, untick=(("region", "RU-MOW"),)))["per_page"] == ["1"]


def test_sorting_by_title_and_newest(client, corpus):
    by_title = soup(client.get("/practices?sort=title"))
    titles = [text(a) for a in by_title.select("ol.hits .hit-title a")]
    assert titles == sorted(titles, key=str.lower)
    current = by_title.select_one("nav.sort a[aria-current]")
    assert current.get_text(strip=True) == "по названию"
    newest = soup(client.get("/practices?sort=newest"))
    assert hit_slugs(newest)[0] == CORPUS[-1]["slug"] and hit_slugs(newest)[-1] == CORPUS[0]["slug"]
    sort_links = {a.get_text(strip=True): a["href"] for a in newest.select("nav.sort a")}
    assert "sort" not in params(sort_links["по релевантности"])


def test_text_search_highlights_matches(client, corpus):
    page = soup(client.get("/practices?q=юнармейских"))
    assert hit_slugs(page)[0] == "yunarmiya-belgorod"
    marks = [m.get_text().lower() for m in page.select("ol.hits h3 mark")]
    assert "юнармейские" in marks  # the word itself (its synonyms are marked too: «юнармейский отряд»)
    assert page.title.get_text().startswith("«юнармейских» — поиск практик")


def test_empty_state_suggests_what_to_remove(client, corpus):
    page = soup(client.get("/practices?region=RU-SVE&theme=urban-environment"))
    assert not hit_slugs(page)
    empty = page.select_one(".empty-state")
    assert text(empty.select_one("h3")) == "Ничего не найдено"
    removals = {text(a): a["href"] for a in empty.select(".removals a")}
    assert set(removals) == {"убрать «Регион: Свердловская область»", "убрать «Тема: Благоустройство и городская среда»"}
    assert params(removals["убрать «Регион: Свердловская область»"]) == {"theme": ["urban-environment"]}
    counts = [text(li) for li in empty.select(".removals li")]
    assert "найдётся 3 практики" in counts[0] or "найдётся 3 практики" in counts[1]
    assert soup(client.get(removals["убрать «Регион: Свердловская область»"])).select("ol.hits li")


def test_query_in_the_other_keyboard_layout_is_searched_as_meant(client, corpus):
    page = soup(client.get("/practices?q=ldjhs"))  # «дворы» typed in the Latin layout
    assert hit_slugs(page) == hit_slugs(soup(client.get("/practices?q=дворы"))) and hit_slugs(page)
    notice = page.select_one(".shown-instead")
    assert "Показаны результаты по запросу «дворы»" in " ".join(text(notice).replace("« ", "«").replace(" »", "»").split())
    assert params(notice.a["href"]) == {"q": ["дворы"]}


def test_names_in_the_query_are_offered_as_filters(client, corpus):
    page = soup(client.get("/practices?q=молодёжь+в+Казани"))
    offers = {text(a): a["href"] for a in page.select(".name-offers a")}
    link = offers["Тема: Молодёжная политика и патриотическое воспитание"]
    assert params(link)["theme"] == ["youth"]
    narrowed = hit_slugs(soup(client.get(link)))
    assert narrowed and set(narrowed) < set(hit_slugs(page))


def test_a_theme_named_in_the_query_finds_its_practices(client, corpus):
    """«патриотизм» is in no card, but the thesaurus joins it to «патриотическое воспитание», a
    part of the name of the youth theme, which every card of that theme is tagged with."""
    page = soup(client.get("/practices?q=патриотизм&region=RU-KDA"))
    assert hit_slugs(page) == ["shkola-vozhatyh-krasnodar"]


def test_bad_parameters_are_named_and_ignored(client, corpus):
    response = client.get("/practices?year_from=abc&sort=bogus&region=RU-XXX&region=RU-TA&page=0&has_figures=maybe")
    page = soup(response)
    alert = page.select_one(".notice[role=alert]")
    messages = [text(li) for li in alert.select("li")]
    assert any(m.startswith("Год начала: с (year_from): нужно целое число") for m in messages)
    assert any(m.startswith("Сортировка (sort)") for m in messages)
    assert any("(region): неизвестное значение «RU-XXX»" in m for m in messages)
    assert any(m.startswith("Страница (page)") for m in messages)
    assert any(m.startswith("Цифры результатов (has_figures)") for m in messages)
    # The valid part of the request still applies.
    assert sorted(hit_slugs(page)) == ["molodezhnyj-sovet-kazan", "shkolnye-dvory-kazan"]
    assert [text(c) for c in page.select(".chip-label")] == ["Регион: Республика Татарстан"]


def test_reversed_year_range_is_read_in_order_and_hostile_code_reported(client, corpus):
    reversed_page = soup(client.get('/practices?year_from=2022&year_to=2020&theme=<script>'))
    messages = [text(li) for li in reversed_page.select(".notice[role=alert] li")]
    assert not any("year" in m for m in messages)
    assert any(m.startswith("Тема (theme): недопустимое значение") for m in messages)
    assert not reversed_page.select("script:not([src])")
    in_order = soup(client.get('/practices?year_from=2020&year_to=2022'))
    assert hit_slugs(reversed_page) == hit_slugs(in_order) and hit_slugs(in_order)
    assert "2020–2022" in text(reversed_page.select_one(".chips"))


def test_hostile_title_is_escaped_everywhere(client, corpus, make_practice):
    hostile = '<script>alert("x")</script> Двор <b>мечты</b>'
    make_practice(slug="hostile", title=hostile, summary="<img src=x onerror=alert(1)> дворы",
                  region="RU-BEL", themes=["urban-environment"])
    for url in ("/practices", "/practices?q=двор", "/practices?q=мечты", "/", "/practices/hostile",
                "/practices/dvory-belgorod", "/regions/RU-BEL"):
        response = client.get(url)
        page = soup(response)
        assert not [s for s in page.find_all("script") if "alert" in s.get_text() and s.get("type") != "application/ld+json"], url
        assert not page.select("img[onerror]") and not page.select("b"), url
        assert "&lt;script&gt;" in response.text, url
    card = soup(client.get("/practices/hostile"))
    assert card.h1.get_text() == hostile


def test_partial_request_returns_only_the_fragment(client, corpus):
    response = client.get("/practices?region=RU-TA", headers={"X-Partial": "1"})
    assert response.status_code == 200
    assert "X-Partial" in response.headers["vary"]
    fragment = BeautifulSoup(response.text, "html.parser")
    assert fragment.find("html") is None and fragment.find("form", id="search-form") is None
    root = fragment.find(id="search-results")
    assert root["data-count"] == "Найдено 2 практики"
    assert root["data-state"] == "region=RU-TA"
    assert sorted(hit_slugs(fragment)) == ["molodezhnyj-sovet-kazan", "shkolnye-dvory-kazan"]
    assert "Vary" in client.get("/practices").headers


def test_export_feed_and_json_twins_carry_the_query(client, corpus):
    page = soup(client.get("/practices?q=дворы&region=RU-BEL&page=1&sort=newest"))
    links = {a.get_text(strip=True): a["href"] for a in page.select(".open-data a")}
    expected = {"q": ["дворы"], "region": ["RU-BEL"], "sort": ["newest"]}
    assert urlsplit(links["CSV"]).path == "/export/practices.csv" and params(links["CSV"]) == expected
    assert urlsplit(links["JSON Lines"]).path == "/export/practices.jsonl" and params(links["JSON Lines"]) == expected
    assert urlsplit(links["Atom-лента"]).path == "/feeds/practices.atom" and params(links["Atom-лента"]) == expected
    json_twin = page.select_one('link[rel=alternate][type="application/json"]')["href"]
    atom_twin = page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"]
    assert urlsplit(json_twin).path == "/api/v1/practices" and params(json_twin) == expected
    assert urlsplit(atom_twin).path == "/feeds/practices.atom" and params(atom_twin) == expected


def test_region_facet_offers_every_region_grouped_by_district(client, make_practice):
    codes = ["RU-BEL", "RU-TA", "RU-SVE", "RU-KDA", "RU-MOW", "RU-NVS", "RU-PRI", "RU-AD", "RU-AL", "RU-ALT", "RU-AMU", "RU-SPE"]
    for i, code in enumerate(codes):
        for _ in range(len(codes) - i):
            make_practice(region=code)
    page = soup(client.get("/practices?region=RU-SPE"))
    region = page.select_one("fieldset#facet-region")
    top = [i["value"] for i in region.select(":scope > ul.facet-values input")]
    assert top[:8] == codes[:8]
    assert "RU-SPE" in top  # the selected value stays visible even with the smallest count
    details = region.select_one("details.facet-more")
    assert text(details.select_one("summary")) == "Показать все (12)"
    groups = {text(g.select_one("legend")): [i["value"] for i in g.select("input")] for g in details.select("[data-group]")}
    # The values behind «показать все» are the rest, each once (one checkbox per value).
    assert groups == {"Дальневосточный ФО": ["RU-AMU"], "Сибирский ФО": ["RU-ALT", "RU-AL"]}
    ids = [i["id"] for i in page.select("input[id]")]
    assert len(ids) == len(set(ids))
    filter_box = details.select_one("[data-filter-box]")
    assert filter_box.has_attr("hidden")  # only shown when JavaScript runs
    assert filter_box.select_one("label")["for"] == filter_box.select_one("input")["id"]


def test_a_district_is_a_facet_whose_regions_are_the_next_level(client, corpus, make_practice):
    moscow = make_practice(region="RU-MOW", themes=["culture"])
    page = soup(client.get("/practices?district=volga&district=central"))
    assert set(hit_slugs(page)) == {"dvory-belgorod", "molodezhnyj-sovet-kazan", "shkolnye-dvory-kazan",
                                    "yunarmiya-belgorod", moscow.slug}
    districts = facet(page, "district")
    assert districts["volga"]["selected"] and districts["central"]["selected"] and not districts["ural"]["selected"]
    assert districts["ural"]["count"] == 2  # disjunctive: other districts are offered with their counts
    region = page.select_one("fieldset#facet-region")
    levels = {text(g.select_one("legend")): [i["value"] for i in g.select("input")] for g in region.select("fieldset.facet-group")}
    assert levels == {"Приволжский ФО": ["RU-TA"], "Центральный ФО": ["RU-BEL", "RU-MOW"]}
    assert not region.select("details")
    chips = [text(c) for c in page.select(".chip-label")]
    assert chips == ["Федеральный округ: Приволжский ФО", "Федеральный округ: Центральный ФО"]
    # A region inside the district narrows; the district's other regions stay offered.
    narrowed = soup(client.get(filter_url(page, tick=(("region", "RU-TA"),))))
    assert sorted(hit_slugs(narrowed)) == ["molodezhnyj-sovet-kazan", "shkolnye-dvory-kazan"]
    assert facet(narrowed, "region")["RU-MOW"]["count"] == 1
    # The JSON API and the export take the same parameter.
    api = client.get("/api/v1/practices?district=volga&facets=district,region").json()
    assert api["total"] == 2 and {f["value"] for f in api["facets"]["region"]} == {"RU-TA"}
    assert [f["value"] for f in api["facets"]["district"] if f["selected"]] == ["volga"]
    lines = client.get("/export/practices.jsonl?district=volga").text.splitlines()
    assert len(lines) == 2
    feed = client.get("/feeds/practices.atom?district=volga").text
    assert feed.count("<entry>") == 2 and "shkolnye-dvory-kazan" in feed
    assert client.get("/api/v1/practices?district=nowhere").json()["total"] == 0


def test_region_and_theme_pages_are_filtered_searches(client, corpus):
    page = soup(client.get("/regions/RU-KDA"))
    assert page.h1.get_text(strip=True) == "Практики: Краснодарский край"
    assert text(page.select_one(".lead")) == "Южный федеральный округ"
    assert sorted(hit_slugs(page)) == ["naberezhnaya-krasnodar", "shkola-vozhatyh-krasnodar"]
    assert ("region", "RU-KDA") in [(i["name"], i["value"]) for i in page.select("#search-form input[type=hidden]")]
    assert facet(page, "region")["RU-KDA"]["selected"]

    theme = soup(client.get("/themes/education?region=RU-TA"))
    assert theme.h1.get_text(strip=True) == "Практики по теме «Образование»"
    assert hit_slugs(theme) == ["shkolnye-dvory-kazan"]
    assert client.get("/regions/RU-NOPE").status_code == 404
    missing = client.get("/themes/no-such-theme")
    assert missing.status_code == 404 and "no-such-theme" in BeautifulSoup(missing.text, "html.parser").get_text()


def test_page_without_javascript_is_complete(client, corpus):
    page = soup(client.get("/practices"))
    script = page.select_one("script[src]")
    assert script["src"].endswith("/static/search.js") and script.has_attr("defer")
    assert client.get("/static/search.js").status_code == 200
    # Every stylesheet and script comes from this site.
    for node in page.select("link[href], script[src]"):
        url = node.get("href") or node.get("src")
        assert urlsplit(url).netloc in ("", "testserver"), url
    # Facet values are checkboxes of a GET form with a submit button: it works without scripts, and
    # lands on the results (#results).
    filters = page.select_one("form#filters")
    assert filters["method"] == "get" and filters["action"] == "/practices#results"
    assert filters.select_one("button[type=submit]").get_text(strip=True) == "Применить фильтры"
    assert {s["name"] for s in filters.select("select")} == {"year_from", "year_to"}
    # The skip link leads to the filters, which come before the results in the source.
    assert page.select_one('a.skip[href="#facets"]').get_text(strip=True) == "К фильтрам"
    assert str(page).index('id="facets"') < str(page).index('id="results"')


def test_advertised_twins_answer_with_the_same_selection(client, corpus):
    """The JSON, Atom and export links name the same practices as the page (endpoints of app/api)."""
    import csv
    import io
    import json
    from xml.etree import ElementTree

    page = soup(client.get("/practices?theme=education&sort=title"))
    shown = hit_slugs(page)
    json_twin = client.get(page.select_one('link[rel=alternate][type="application/json"]')["href"])
    assert json_twin.status_code == 200
    assert [item["slug"] for item in json_twin.json()["items"]] == shown
    atom = client.get(page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"])
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(shown)
    links = {a.get_text(strip=True): a["href"] for a in page.select(".open-data a")}
    rows = list(csv.DictReader(io.StringIO(client.get(links["CSV"]).content.decode("utf-8-sig"))))
    assert len(rows) == len(shown)
    lines = client.get(links["JSON Lines"]).text.splitlines()
    assert sorted(json.loads(line)["slug"] for line in lines) == sorted(shown)


def award(competition: str, year: int, place: str = "winner") -> dict[str, object]:
    return {"competition": competition, "year": year, "place": place}


def award_tree(page: BeautifulSoup) -> list[tuple[str, str, int, bool, list[tuple[str, str, int, bool]]]]:
    """The award facet as shown: (value, label, count, ticked, [its years, the same way])."""
    def shown(li) -> tuple[str, str, int, bool]:  # type: ignore[no-untyped-def]
        box = li.select_one(":scope > label input")
        label = li.select_one(":scope > label")
        return (box["value"], text(label.select_one(".facet-label")),
                int(label.select_one(".count").get_text().split()[-1]), box.has_attr("checked"))

    fieldset = page.select_one("fieldset#facet-award")
    return [(*shown(li), [shown(child) for child in li.select(":scope > ul.facet-children > li")])
            for li in fieldset.select(":scope > ul.facet-values > li, :scope > details ul.facet-values > li")
            if li.parent.get("class") != ["facet-values", "facet-children"]]


def test_award_facet_nests_years_under_their_competition(client, make_practice):
    both = make_practice(slug="lmp-dva-goda", awards=[award("lmp", 2023), award("lmp", 2024, "laureate")])
    make_practice(slug="lmp-2023", awards=[award("lmp", 2023, "2")])
    make_practice(slug="rosatom-2023", awards=[award("rosatom", 2023)])
    make_practice(slug="bez-nagrad")
    page = soup(client.get("/practices"))
    assert text(page.select_one("fieldset#facet-award > legend")) == "Награды"
    # Competitions by count, named from the reference (short names); their years inside, newest
    # first, each named with its competition for a screen reader.
    assert award_tree(page) == [
        ("lmp", "ЛМП", 2, False, [("lmp:2024", "ЛМП, 2024", 1, False), ("lmp:2023", "ЛМП, 2023", 2, False)]),
        ("rosatom", "Конкурс муниципальных практик Росатома", 1, False,
         [("rosatom:2023", "Конкурс муниципальных практик Росатома, 2023", 1, False)]),
    ]
    year = page.select_one('fieldset#facet-award input[value="lmp:2024"]')
    assert page.select_one(f'label[for="{year["id"]}"] .facet-label .visually-hidden').get_text() == "ЛМП, "
    # Ticking a year (the form without JavaScript) narrows to it; the chip names it; the other
    # competition and years stay offered with their counts (OR within the facet).
    narrowed = soup(client.get(filter_url(page, tick=(("award", "lmp:2024"),))))
    assert hit_slugs(narrowed) == [both.slug]
    assert [text(c) for c in narrowed.select(".chip-label")] == ["Награды: ЛМП 2024"]
    tree = award_tree(narrowed)
    assert tree[0][4][0] == ("lmp:2024", "ЛМП, 2024", 1, True) and tree[1][2] == 1
    # A whole competition, any year; unticking gives every practice back.
    lmp = soup(client.get(filter_url(narrowed, tick=(("award", "lmp"),), untick=(("award", "lmp:2024"),))))
    assert sorted(hit_slugs(lmp)) == ["lmp-2023", "lmp-dva-goda"]
    assert award_tree(lmp)[0][3] is True
    every = soup(client.get(filter_url(lmp, untick=(("award", "lmp"),))))
    assert len(hit_slugs(every)) == 4
    ids = [i["id"] for i in page.select("input[id]")]
    assert len(ids) == len(set(ids))


def test_award_facet_keeps_a_chosen_year_visible_behind_many_competitions(client, make_practice):
    """More competitions than fit: the rest go behind «показать все», but a competition whose
    year is ticked stays in view with that year."""
    slugs = ["lmp", "lmp-regional", "rosatom", "oatos-best-tos", "rostov-best-tos", "minstroy-blag-register",
             "minstroy-small-towns", "buryatia-best-tos", "spb-smo-blag", "lnr-gordost-msu", "sluzhenie"]
    for i, slug in enumerate(slugs):
        for _ in range(len(slugs) - i):
            make_practice(awards=[award(slug, 2022)])
    page = soup(client.get("/practices?award=sluzhenie:2022"))
    fieldset = page.select_one("fieldset#facet-award")
    top = [li.select_one(":scope > label input")["value"] for li in fieldset.select(":scope > ul.facet-values > li")]
    assert top == [*slugs[:8], "sluzhenie"]
    assert fieldset.select_one(':scope > ul.facet-values input[value="sluzhenie:2022"]').has_attr("checked")
    more = fieldset.select_one("details.facet-more")
    assert text(more.select_one("summary")) == "Показать все (11)"
    assert [i["value"] for i in more.select(":scope > ul.facet-values > li > label input")] == slugs[8:10]
