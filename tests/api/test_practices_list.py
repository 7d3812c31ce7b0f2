"""GET /api/v1/practices: every parameter, the item shape, facets, paging, parameter errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from app.api.v1.models import PracticeList
from tests.api.conftest import HIDDEN_SLUGS, error_fields
from tests.corpus import CORPUS

URL = "/api/v1/practices"


def slugs(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def by_filter(**wanted) -> set[str]:  # type: ignore[no-untyped-def]
    """Slugs of the corpus whose fields satisfy every predicate."""
    out = set()
    for item in CORPUS:
        full = {"municipality_type": "municipal-district", "outcome_figures": [], **item}
        if all(pred(full) for pred in wanted.values()):
            out.add(item["slug"])
    return out


def test_lists_every_published_practice_and_nothing_else(client, corpus):
    body = client.get(URL, params={"per_page": 100}).json()
    assert body["total"] == len(CORPUS)
    assert {i["slug"] for i in body["items"]} == {c["slug"] for c in CORPUS}
    # The hidden ones are found by nobody, whatever the query.
    for params in ({"q": "Тайная"}, {"q": "тайная практика"}, {"region": "RU-BEL", "theme": "youth", "per_page": 100}):
        assert not HIDDEN_SLUGS & set(slugs(client.get(URL, params=params)))
    assert client.get(URL, params={"q": "Тайная"}).json()["total"] == 0


@pytest.mark.parametrize("params", [
    {"per_page": 100},
    {"q": "юнармейские отряды", "region": "RU-BEL", "theme": ["youth", "education"], "per_page": 3, "page": 2},
    {"q": "раскладка ghfrnbrf"},
    {"year_from": 2019, "has_figures": "true", "facets": "year,region"},
])
def test_the_answer_is_exactly_what_its_model_writes(client, corpus, params):
    # The route serialises plain data without a model (for speed): every value must still be
    # what PracticeList validates and writes itself, byte for byte after parsing.
    body = client.get(URL, params=params).json()
    assert PracticeList.model_validate(body).model_dump(mode="json", by_alias=True) == body


def test_item_has_public_fields_only(client, corpus):
    item = next(i for i in client.get(URL, params={"per_page": 100}).json()["items"] if i["slug"] == "yunarmiya-belgorod")
    practice = corpus["yunarmiya-belgorod"]
    assert item["id"] == practice.id
    assert item["title"] == "Юнармейские отряды в школах Белгородского района"
    assert item["summary"].startswith("Развитие юнармейского")
    assert item["region"] == {"code": "RU-BEL", "name": "Белгородская область"}
    assert item["municipality"] == "Белгородский район"
    assert item["municipality_type"] == {"slug": "municipal-district", "name": "Муниципальный район"}
    assert item["themes"] == [
        {"slug": "education", "name": "Образование"},
        {"slug": "youth", "name": "Молодёжная политика и патриотическое воспитание"},
    ]
    assert item["year_started"] == 2021
    assert datetime.fromisoformat(item["updated"].replace("Z", "+00:00")).tzinfo is not None
    assert item["url"] == "http://testserver/practices/yunarmiya-belgorod"
    assert item["api_url"] == f"http://testserver/api/v1/practices/{practice.id}"
    assert set(item) == {"id", "slug", "title", "summary", "region", "municipality", "municipality_type",
                         "themes", "year_started", "updated", "url", "api_url", "highlights"}


def test_text_search_forgives_word_forms_and_highlights(client, corpus):
    body = client.get(URL, params={"q": "юнармейских отрядов"}).json()
    assert body["items"][0]["slug"] == "yunarmiya-belgorod"
    marks = BeautifulSoup(body["items"][0]["highlights"]["title"], "html.parser").find_all("mark")
    assert marks, body["items"][0]["highlights"]


def test_highlights_escape_the_text(client, corpus):
    item = next(i for i in client.get(URL, params={"q": "набережная"}).json()["items"] if i["slug"] == "naberezhnaya-krasnodar")
    snippet = BeautifulSoup(item["highlights"]["summary"], "html.parser")
    assert snippet.find("b") is None  # the <b> typed into the summary stays text
    assert "<b>&amp; «кавычки»</b>" in snippet.get_text()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "RU-BEL"}, by_filter(r=lambda p: p["region"] == "RU-BEL")),
        ([("region", "RU-BEL"), ("region", "RU-TA")], by_filter(r=lambda p: p["region"] in ("RU-BEL", "RU-TA"))),
        ({"region": "RU-BEL,RU-TA"}, by_filter(r=lambda p: p["region"] in ("RU-BEL", "RU-TA"))),
        ({"theme": "education"}, by_filter(t=lambda p: "education" in p["themes"])),
        ([("theme", "education"), ("theme", "urban-environment")],
         by_filter(t=lambda p: {"education", "urban-environment"} & set(p["themes"]))),
        ({"municipality_type": "municipal-okrug"}, by_filter(m=lambda p: p["municipality_type"] == "municipal-okrug")),
        ([("municipality_type", "municipal-okrug"), ("municipality_type", "municipal-district")],
         by_filter(m=lambda p: p["municipality_type"] in ("municipal-okrug", "municipal-district"))),
        ({"year_from": 2021}, by_filter(y=lambda p: p["year_started"] >= 2021)),
        ({"year_to": 2020}, by_filter(y=lambda p: p["year_started"] <= 2020)),
        ({"year_from": 2021, "year_to": 2022}, by_filter(y=lambda p: 2021 <= p["year_started"] <= 2022)),
        ({"has_figures": "true"}, by_filter(f=lambda p: bool(p["outcome_figures"]))),
        ({"has_figures": "false"}, by_filter(f=lambda p: not p["outcome_figures"])),
        ({"region": "RU-KDA", "theme": "youth"}, {"shkola-vozhatyh-krasnodar"}),
        ({"region": "RU-NVS"}, set()),
    ],
)
def test_filters(client, corpus, params, expected):
    found = slugs(client.get(URL, params=params if isinstance(params, list) else {**params, "per_page": 100}))
    assert set(found) == expected
    assert client.get(URL, params=params).json()["total"] == len(expected)


def test_sort_title_and_newest(client, corpus):
    titles = [i["title"] for i in client.get(URL, params={"sort": "title", "per_page": 100}).json()["items"]]
    assert titles == sorted(titles, key=str.casefold)
    newest = slugs(client.get(URL, params={"sort": "newest", "per_page": 100}))
    assert newest == [c["slug"] for c in reversed(CORPUS)]


def test_sort_relevance_puts_the_best_match_first(client, corpus):
    assert slugs(client.get(URL, params={"q": "робототехника", "sort": "relevance"}))[0] == "robototehnika-ekb"


def test_paging_follows_next_links_to_the_end(client, corpus):
    response = client.get(URL, params={"per_page": 3, "sort": "title", "theme": "education,youth,urban-environment"})
    first = response.json()
    total, seen, pages = first["total"], [], 0
    assert first["links"]["prev"] is None
    while True:
        body = response.json()
        pages += 1
        seen += [i["id"] for i in body["items"]]
        link_header = response.headers["link"]
        assert f'<{body["links"]["self"]}>; rel="self"' in link_header
        if body["links"]["next"] is None:
            assert 'rel="next"' not in link_header
            break
        assert f'<{body["links"]["next"]}>; rel="next"' in link_header
        assert body["links"]["next"].startswith("http://testserver/api/v1/practices?")
        response = client.get(body["links"]["next"])
        assert response.json()["links"]["prev"] == body["links"]["self"]
    assert total == len(CORPUS)
    assert len(seen) == total == len(set(seen))
    assert pages == first["pages"] == 3
    assert body["page"] == 3 and len(body["items"]) == total - 6


def test_links_too_long_for_a_header_stay_in_the_body(client, corpus):
    short = client.get(URL, params={"per_page": 1, "region": "RU-BEL"})
    assert short.status_code == 200 and 'rel="next"' in short.headers["link"]
    # RU-BEL and 1,980 codes no practice has (a filter value need not be known to match nothing)
    regions = [",".join(["RU-BEL", *(f"RU-X{i}-{j}" for j in range(99))]) for i in range(20)]
    long = client.get(URL, params=[("per_page", "1"), *(("region", r) for r in regions)])
    assert long.status_code == 200 and "link" not in long.headers
    assert long.json()["links"]["next"] is not None and long.json()["total"] == short.json()["total"]


def test_links_keep_filters_per_page_and_facets(client, corpus):
    body = client.get(URL, params={"region": "RU-BEL,RU-TA", "per_page": 1, "facets": "region", "q": "дворы"}).json()
    next_url = body["links"]["next"]
    assert next_url is not None
    again = client.get(next_url).json()
    assert again["page"] == 2 and again["per_page"] == 1 and set(again["facets"]) == {"region"}
    assert again["total"] == body["total"]


def test_facets_with_labels_counts_and_selection(client, corpus):
    body = client.get(URL, params={"region": "RU-BEL", "facets": "region,theme"}).json()
    assert set(body["facets"]) == {"region", "theme"}
    regions = {v["value"]: v for v in body["facets"]["region"]}
    # Disjunctive: the region facet ignores its own selection, so other regions stay addable.
    assert regions["RU-BEL"] == {"value": "RU-BEL", "label": "Белгородская область", "count": 2, "selected": True}
    assert regions["RU-TA"]["count"] == 2 and regions["RU-TA"]["selected"] is False
    themes = {v["value"]: v["count"] for v in body["facets"]["theme"]}
    assert themes == {"youth": 1, "education": 1, "urban-environment": 1}


def test_all_facets_by_default_and_none_when_empty(client, corpus):
    assert set(client.get(URL).json()["facets"]) == {"district", "region", "theme", "municipality_type", "year",
                                                     "has_figures", "award"}
    assert client.get(URL, params={"facets": ""}).json()["facets"] == {}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "2.5"}, "page"),
        ({"year_from": "abc"}, "year_from"),
        ({"year_to": 1800}, "year_to"),
        ({"has_figures": "maybe"}, "has_figures"),
        ({"sort": "best"}, "sort"),
        ({"facets": "region,colour"}, "facets"),
        ({"region": "RU BEL!"}, "region"),
        ({"theme": "<script>"}, "theme"),
        ({"municipality_type": "x" * 65}, "municipality_type"),
        ({"q": "слово " * 50}, "q"),
        # What the document does not allow is refused, not read past (found by schemathesis):
        ({"q": "слово" + " " * 200}, "q"),  # maxLength counts the value as sent
        ({"page": " 2"}, "page"),  # a number is digits alone
        ({"per_page": " "}, "per_page"),  # only an empty value means «not given»
        ({"region": "RU-BEL,\tRU-TA"}, "region"),  # only spaces pad a listed value
        ({"region": "RU-BEL\n"}, "region"),
        ({"region": ["RU-BEL"] * 101}, "region"),  # the caps the document states: 100 repeats,
        ({"region": ",".join(["RU-BEL"] * 101)}, "region"),  # 100 values listed in each
    ],
)
def test_bad_parameter_is_400_naming_it(client, corpus, params, field):
    assert error_fields(client.get(URL, params=params)) == [field]


@pytest.mark.parametrize(
    "query",
    ["region=&theme=&year_from=&year_to=&has_figures=&sort=&page=&per_page=&award=&district=&municipality_type=",
     "region=RU-BEL,%20RU-TA,&region=", "facets=region,,theme", "page=abc&page=2", "has_figures=1",
     "&".join([f"theme={','.join(f'x{i}' for i in range(100))}"] * 100)],
)
def test_what_the_document_allows_is_answered(client, corpus, query):
    """Empty values (an HTML form's empty fields), comma lists and a repeated parameter's last
    value: the OpenAPI document says each is accepted (`app.api.params.documented`)."""
    assert client.get(f"{URL}?{query}").status_code == 200


@pytest.mark.parametrize("name", ["foo", "regions", "perpage", "Q"])
def test_unknown_parameter_is_400_naming_it(client, corpus, name):
    response = client.get(URL, params={name: "1"})
    assert error_fields(response) == [name]
    assert name in response.json()["detail"]


def test_every_problem_is_named_at_once(client, corpus):
    fields = error_fields(client.get(URL, params={"foo": 1, "per_page": 500, "sort": "x"}))
    assert sorted(fields) == ["foo", "per_page", "sort"]


def test_a_reversed_year_range_is_read_in_order_as_documented(client, corpus):
    """«с 2022 по 2020» means 2020–2022 (the parameter's description says so), never an empty list."""
    reversed_ = client.get("/api/v1/practices", params={"year_from": 2022, "year_to": 2020, "per_page": 100})
    in_order = client.get("/api/v1/practices", params={"year_from": 2020, "year_to": 2022, "per_page": 100})
    assert reversed_.status_code == 200
    ids = [item["id"] for item in reversed_.json()["items"]]
    assert ids and ids == [item["id"] for item in in_order.json()["items"]]
