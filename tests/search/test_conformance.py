"""The SearchIndex contract, checked the same way for every engine (fixture `engine`)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from app.search.base import SearchIndex, SearchResult
from app.search.facets import NAMES as FACETS
from app.search.text import fold
from tests.factories import search_query
from tests.search.conftest import SCRIPT_TITLE, corpus, practice

ALL = {d["id"] for d in corpus()}


def search(index: SearchIndex, text: str = "", **kw: Any) -> SearchResult:
    kw.setdefault("per_page", 100)
    return index.search(search_query(text=text, **kw))


def found(index: SearchIndex, text: str = "", **kw: Any) -> list[int]:
    return [h.id for h in search(index, text, **kw).hits]


def counts(result: SearchResult, facet: str) -> dict[str, int]:
    return {c.value: c.count for c in result.facets[facet]}


# -- documents in and out -------------------------------------------------------------------


def test_upsert_get_count_ids_delete_clear(engine: SearchIndex) -> None:
    assert engine.count() == 0
    assert engine.ids() == set()
    docs = corpus()
    engine.upsert(docs)
    assert engine.count() == len(docs)
    assert engine.ids() == ALL
    assert engine.get(3) == docs[2]
    assert engine.get(999) is None

    engine.upsert([dict(docs[2], title="Другая ёлка", version=2)])  # replaces, not duplicates
    assert engine.count() == len(docs)
    assert engine.get(3)["title"] == "Другая ёлка"

    engine.delete([3, 4, 999])  # a missing id is fine
    assert engine.ids() == ALL - {3, 4}
    assert engine.get(3) is None
    assert found(engine, "ёлка") == []
    assert engine.count() == len(docs) - 2

    engine.clear()
    assert engine.count() == 0
    assert engine.ids() == set()
    assert search(engine).total == 0


def test_health(engine: SearchIndex) -> None:
    assert engine.health() is True


def test_configure_is_idempotent(loaded: SearchIndex) -> None:
    loaded.configure()
    loaded.configure()
    assert loaded.count() == len(ALL)
    assert set(found(loaded, "благоустройство")[:2]) == {5, 15}


def test_older_version_never_overwrites_newer(engine: SearchIndex) -> None:
    engine.upsert([practice(1, "Новая редакция практики", version=5)])
    engine.upsert([practice(1, "Старая редакция практики", version=4)])
    assert engine.get(1)["title"] == "Новая редакция практики"
    assert engine.get(1)["version"] == 5
    assert found(engine, "старая") == []
    assert found(engine, "новая") == [1]
    engine.upsert([practice(1, "Свежая редакция практики", version=6)])
    assert engine.get(1)["title"] == "Свежая редакция практики"
    assert found(engine, "новая") == []


# -- text: word forms, ё, typos, prefixes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("юнармейский отряд", {1}),
        ("ЮНАРМЕЙСКИХ ОТРЯДОВ", {1}),
        ("межконфессиональное согласие", {2}),
        ("бюджетирование", {6, 8}),
        ("экологический", {7, 13}),
        ("волонтеры", {12}),  # е for ё in the document
    ],
)
def test_word_forms_match(loaded: SearchIndex, text: str, expected: set[int]) -> None:
    assert set(found(loaded, text)) == expected


def test_yo_and_ye_match_both_ways(loaded: SearchIndex) -> None:
    # doc 3 writes «ёлка», doc 4 «Елочный»: one word family; the word itself ranks first for a noun
    assert found(loaded, "елка") == found(loaded, "ёлка") == [3, 4]
    assert set(found(loaded, "ёлочный")) == set(found(loaded, "елочный")) == {3, 4}


def test_one_typo_in_a_long_word(loaded: SearchIndex) -> None:
    assert set(found(loaded, "юнармеский")) == {1}  # a letter missing
    assert set(found(loaded, "бюджетирвоание")) == {6, 8}  # two letters swapped
    assert set(found(loaded, "модернезация")) == {10}  # a wrong letter


def test_two_typos_in_a_long_word(loaded: SearchIndex) -> None:
    assert set(found(loaded, "блогоустройсво")) == {5, 15}  # 15 letters, 2 typos
    assert set(found(loaded, "предпренимательсва")) == {11}


def test_typo_budget_follows_word_length(loaded: SearchIndex) -> None:
    assert found(loaded, "пурк") == []  # 4 letters: no typo allowed
    assert set(found(loaded, "парк тропа")) == {13}
    assert set(found(loaded, "мадернезация")) == {10}  # 12 letters, 2 typos
    assert found(loaded, "мадирнезация") == []  # 3 typos
    assert set(found(loaded, "эколгоичаская")) == {7, 13}  # 2 typos
    assert found(loaded, "экалгоичаская") == []  # 3 typos


def test_unfinished_last_word_matches_as_prefix(loaded: SearchIndex) -> None:
    assert set(found(loaded, "благоустр")) == {5, 15}
    assert set(found(loaded, "экологическая тр")) == {13}
    assert set(found(loaded, "юнарм")) == {1}
    # only the last word is a prefix: «благоустр» alone finds nothing, so «дворовых» decides
    assert set(found(loaded, "благоустр дворовых")) == set(found(loaded, "дворовых"))
    assert 15 not in found(loaded, "благоустр дворовых")


def test_rarest_word_decides_and_more_words_rank_first(loaded: SearchIndex) -> None:
    """Like Meilisearch's `frequency` strategy: documents with the query's rarest word match,
    those with more of the words come first; a word no document has never empties the result."""
    assert set(found(loaded, "бюджетирование")) == {6, 8}
    assert found(loaded, "школьное бюджетирование") == [8, 6]
    assert found(loaded, "бюджетирование школьное") == [8, 6]
    assert found(loaded, "бюджетирование новогодняя") == [3]  # only 3 says «новогодняя»
    assert found(loaded, "бюджетирование шмыгунчик") == found(loaded, "бюджетирование")


def test_text_matches_every_searchable_field(loaded: SearchIndex) -> None:
    assert set(found(loaded, "Альметьевский")) == {2}  # municipality
    assert set(found(loaded, "Татарстан")) == {2, 6, 12}  # region_name
    assert set(found(loaded, "полигоны")) == {7}  # problem
    assert set(found(loaded, "ветераны")) == {1}  # solution
    assert set(found(loaded, "конфликтов")) == {2}  # outcome


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"""',
        "OR",
        "AND",
        "NOT",
        "*",
        "NEAR(",
        "NEAR(ёлка благоустройство, 2)",
        ") AND (",
        "ёлка OR благоустройство",
        "-ёлка",
        "title:ёлка",
        "{title}: ёлка",
        "^ёлка",
        "ёлка*",
        "'; DROP TABLE docs; --",
        "\\",
        "\x00",
        "!!! ??? ...",
        "   ",
        "",
        "ё" * 2000,
        "благоустройство " * 150,
        "аб" * 1000,
        "%_%",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_queries_never_raise(loaded: SearchIndex, text: str) -> None:
    result = search(loaded, text)
    assert result.total >= 0
    assert len(result.hits) <= result.total


def test_user_syntax_is_plain_text(loaded: SearchIndex) -> None:
    # "OR" is a word (no document has it), not an operator: the same as without it
    assert found(loaded, "ёлка OR благоустройство") == found(loaded, "ёлка благоустройство")
    assert found(loaded, "-ёлка") == found(loaded, "ёлка") == [3, 4]
    assert found(loaded, '"ёлка"') == [3]  # in quotes: exactly this word
    assert found(loaded, "ёлка*") == [3, 4]
    assert search(loaded, "!!! ??? ...").total == len(ALL)  # no words: everything


# -- filters ------------------------------------------------------------------------------


def test_each_filter(loaded: SearchIndex) -> None:
    assert set(found(loaded, regions=("RU-TA",))) == {2, 6, 12}
    assert set(found(loaded, regions=("RU-TA", "RU-KDA"))) == {2, 6, 12, 13, 14}
    assert set(found(loaded, themes=("budget",))) == {6, 8}
    assert set(found(loaded, themes=("budget", "digital"))) == {6, 8, 9}
    assert set(found(loaded, municipality_types=("rural-settlement",))) == {1, 14}
    assert set(found(loaded, year_from=2021)) == {3, 4, 7, 8, 15}
    assert set(found(loaded, year_to=2016)) == {10, 14}
    assert set(found(loaded, year_from=2018, year_to=2018)) == {2, 13}  # inclusive both ends
    assert 9 not in found(loaded, year_from=1900)  # no year: fails any year filter
    assert set(found(loaded, has_figures=True)) == {1, 2, 5, 6, 7, 10, 11}
    assert set(found(loaded, has_figures=False)) == ALL - {1, 2, 5, 6, 7, 10, 11}
    assert found(loaded, regions=("RU-XX",)) == []
    assert search(loaded, regions=("RU-XX",)).total == 0


def test_combined_filters_and_text(loaded: SearchIndex) -> None:
    assert set(found(loaded, regions=("RU-BEL",), themes=("youth",))) == {1, 8}
    assert set(found(loaded, regions=("RU-BEL", "RU-TA"), themes=("budget",), year_from=2018)) == {8}
    assert set(found(loaded, themes=("ecology", "tourism"), has_figures=False)) == {13, 14}
    assert set(found(loaded, "бюджетирование", regions=("RU-TA",))) == {6}
    assert found(loaded, "бюджетирование", regions=("RU-MOW",)) == []


def test_filter_values_are_not_syntax(loaded: SearchIndex) -> None:
    assert found(loaded, regions=('RU-BEL" OR region EXISTS',)) == []
    assert found(loaded, themes=("youth OR 1=1",)) == []


# -- facets -------------------------------------------------------------------------------------


def test_facets_without_filters(loaded: SearchIndex) -> None:
    result = search(loaded)
    assert set(result.facets) == set(FACETS)
    assert counts(result, "region") == {
        "RU-BEL": 3,
        "RU-TA": 3,
        "RU-MOW": 3,
        "RU-SPE": 2,
        "RU-NVS": 2,
        "RU-KDA": 2,
    }
    assert counts(result, "has_figures") == {"true": 7, "false": 8}
    assert counts(result, "year")["2020"] == 2
    assert "None" not in counts(result, "year")
    assert counts(result, "theme")["culture"] == 3


def test_facet_ordering_is_count_desc_then_value(loaded: SearchIndex) -> None:
    result = search(loaded)
    for facet in FACETS:
        pairs = [(c.count, c.value) for c in result.facets[facet]]
        assert pairs == sorted(pairs, key=lambda p: (-p[0], p[1])), facet
        assert all(c > 0 for c, _ in pairs)
    assert [c.value for c in result.facets["region"]] == [
        "RU-BEL",
        "RU-MOW",
        "RU-TA",
        "RU-KDA",
        "RU-NVS",
        "RU-SPE",
    ]


def test_facets_are_disjunctive(loaded: SearchIndex) -> None:
    result = search(loaded, regions=("RU-BEL",))
    assert result.total == 3
    # the region facet ignores the region selection: other regions stay visible to add
    assert counts(result, "region") == counts(search(loaded), "region")
    # every other facet respects it
    assert counts(result, "theme") == {"culture": 1, "youth": 2, "patriotic": 1, "budget": 1, "social": 1}
    assert counts(result, "has_figures") == {"true": 1, "false": 2}

    both = search(loaded, regions=("RU-BEL",), themes=("budget",))
    assert [h.id for h in both.hits] == [8]
    assert counts(both, "region") == {"RU-BEL": 1, "RU-TA": 1}  # budget practices by region
    assert counts(both, "theme") == {"culture": 1, "youth": 2, "patriotic": 1, "budget": 1, "social": 1}
    assert counts(both, "year") == {"2022": 1}


def test_facets_follow_text_and_year(loaded: SearchIndex) -> None:
    result = search(loaded, "бюджетирование", year_from=2020)
    assert [h.id for h in result.hits] == [8]
    assert counts(result, "year") == {"2017": 1, "2022": 1}  # year counts ignore the year range
    assert counts(result, "region") == {"RU-BEL": 1}


def test_only_requested_facets(loaded: SearchIndex) -> None:
    result = loaded.search(search_query(facets=("region",)))
    assert set(result.facets) == {"region"}
    assert loaded.search(search_query(facets=())).facets == {}


# -- sorting and paging ------------------------------------------------------------------------------


def test_sort_newest(loaded: SearchIndex) -> None:
    assert found(loaded, sort="newest") == sorted(ALL, reverse=True)  # published_at grows with id
    loaded.upsert([practice(20, "Ещё одна практика", published_at=corpus()[4]["published_at"])])
    order = found(loaded, sort="newest")
    assert order.index(20) == order.index(5) - 1  # same time: higher id first


def test_no_text_relevance_means_newest(loaded: SearchIndex) -> None:
    assert found(loaded) == found(loaded, sort="newest")


def test_sort_title(loaded: SearchIndex) -> None:
    hits = search(loaded, sort="title").hits
    keys = [fold(h.document["title"]).strip() for h in hits]
    assert keys == sorted(keys)
    assert [h.id for h in hits][1:4] == [5, 12, 4]  # Благоустройство, Волонтёрский, Елочный


def test_sort_title_ignores_case_and_yo(engine: SearchIndex) -> None:
    engine.upsert(
        [
            practice(1, "ёжики в парке"),
            practice(2, "Ежевика на даче"),
            practice(3, "Енот"),
            practice(4, "ель"),
            practice(5, "Арка"),
        ]
    )
    assert found(engine, sort="title") == [5, 2, 1, 4, 3]


def test_sort_winners_puts_awarded_practices_first(engine: SearchIndex) -> None:
    engine.upsert([
        practice(1, "Гончарная мастерская", published_at=1.0),
        practice(2, "Мастерская у реки", published_at=2.0, awards=["lmp", "lmp:2023"]),
        practice(3, "Гончарная школа", published_at=3.0),
        practice(4, "Гончарная печь в селе", published_at=4.0, awards=["rosatom", "rosatom:2021"]),
        practice(5, "Набережная реки", published_at=5.0, solution="Гончарная лавка на набережной"),
    ])
    assert found(engine, sort="winners") == [4, 2, 5, 3, 1]  # the winners, then the others, newest first
    # With text: the winners first, each group by relevance (a title match before a body match).
    winners_first = found(engine, "гончарная", sort="winners")
    assert winners_first[0] == 4 and set(winners_first[1:3]) == {1, 3} and winners_first[3] == 5
    assert found(engine, "реки", sort="winners") == [2, 5]
    assert found(engine, "реки", sort="winners", awards=("lmp:2023",)) == [2]
    assert found(engine, awards=("lmp", "rosatom:2021")) == [4, 2]
    result = search(engine, sort="winners", facets=("award",))
    assert counts(result, "award") == {"lmp": 1, "lmp:2023": 1, "rosatom": 1, "rosatom:2021": 1}


def test_sort_relevance_prefers_title(engine: SearchIndex) -> None:
    engine.upsert([
        practice(1, "Набережная", solution="Новый сквер у воды"),
        practice(2, "Сквер у реки"),
        practice(3, "Двор", summary="Сквер во дворе"),
    ])
    assert found(engine, "сквер") == [2, 3, 1]


def test_a_thesaurus_name_of_four_words_finds_the_card_with_its_abbreviation(engine: SearchIndex) -> None:
    """Meilisearch looks synonyms up three words at a time at most; a longer name still finds the
    card that abbreviates it, below the card that spells it out, in any word form."""
    engine.upsert([
        practice(1, "Работа ЕДДС района"),
        practice(2, "Единая дежурно-диспетчерская служба района"),
        practice(3, "Детско-юношеская спортивная школа"),
        practice(4, "ДЮСШ района"),
    ])
    assert found(engine, "единая дежурно-диспетчерская служба") == [2, 1]
    assert found(engine, "единой дежурно-диспетчерской службы района") == [2, 1]
    assert found(engine, "детско-юношеская спортивная школа") == [3, 4]
    assert found(engine, "ЕДДС") == [1, 2]  # the other way: the abbreviation finds the name
    assert found(engine, "служба") == [2]  # one word of the name is not the name


def test_exact_form_ranks_above_typo(loaded: SearchIndex) -> None:
    # 11 has «гранты» in its outcome (weakest field); 13 «гранита» in its summary, one typo away
    assert found(loaded, "гранты") == [11, 13]


def test_paging_to_the_end(loaded: SearchIndex) -> None:
    seen: list[int] = []
    for page in range(1, 5):
        result = search(loaded, page=page, per_page=4)
        assert result.total == len(ALL)
        assert result.pages == 4
        assert result.page == page
        assert len(result.hits) == (4 if page < 4 else 3)
        seen += [h.id for h in result.hits]
    assert seen == found(loaded, sort="newest")
    beyond = search(loaded, page=5, per_page=4)
    assert beyond.hits == [] and beyond.total == len(ALL)


def test_no_page_asked_gives_the_total_and_facets_only(loaded: SearchIndex) -> None:
    for text, kw in (("", {}), ("благоустройство жителей", {}), ("благоустройство", {"regions": ("RU-SPE", "RU-MOW")}), ("дворовых", {"themes": ("housing",)})):
        full = search(loaded, text, **kw)
        counted = search(loaded, text, per_page=0, **kw)
        assert full.total > 0 and full.hits
        assert (counted.hits, counted.total, counted.facets) == ([], full.total, full.facets)


def test_paging_with_text_and_filters(loaded: SearchIndex) -> None:
    full = found(loaded, "благоустройство жителей")
    assert set(full) == {5, 6, 7} and full[0] == 5  # «жителей» is the rarer word; 5 has both
    every = found(loaded, "жителей")
    assert set(every) == {5, 6, 7}
    pages = [h.id for p in (1, 2, 3) for h in search(loaded, "жителей", page=p, per_page=1).hits]
    assert pages == every
    assert search(loaded, "жителей", page=2, per_page=2).total == 3


# -- highlights ---------------------------------------------------------------------------------------


def test_highlights_mark_matches(loaded: SearchIndex) -> None:
    hit = search(loaded, "юнармейский отряд").hits[0]
    assert hit.highlights["title"] == "<mark>Юнармейский</mark> <mark>отряд</mark> при сельской школе"
    assert "<mark>юнармейских</mark> <mark>отрядов</mark>" in hit.highlights["summary"]


def test_highlights_are_escaped(loaded: SearchIndex) -> None:
    hits = search(loaded, "благоустройство").hits
    hit = next(h for h in hits if h.id == 15)
    title = hit.highlights["title"]
    assert "<script>" not in title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "<mark>благоустройство</mark>" in title
    assert re.findall(r"<mark>(.*?)</mark>", title) == ["благоустройство"]
    assert html.unescape(title.replace("<mark>", "").replace("</mark>", "")) == SCRIPT_TITLE
    summary = hit.highlights["summary"]
    assert "<b>" not in summary and "&lt;b&gt;" in summary
    assert re.sub(r"</?mark>", "", summary).count("<") == 0


def test_long_text_is_cropped_around_the_match(engine: SearchIndex) -> None:
    words = [f"слово{i}" for i in range(200)]
    words[150] = "светофор"
    engine.upsert([practice(1, "Практика", summary=" ".join(words))])
    summary = search(engine, "светофор").hits[0].highlights["summary"]
    assert "<mark>светофор</mark>" in summary
    assert "…" in summary
    assert len(summary.split()) < 60
    assert "слово0 " not in summary


# -- rebuild ----------------------------------------------------------------------------------------


def test_rebuild_replaces_content_atomically(loaded: SearchIndex) -> None:
    new_docs = [practice(100 + i, f"Новая практика номер {i}", themes=["new"]) for i in range(50)]
    seen_during: list[set[int]] = []

    def progress(done: int) -> None:
        seen_during.append(loaded.ids())
        assert set(found(loaded, "ёлка")) == {3, 4}  # the old index still answers

    assert loaded.rebuild(iter(new_docs), progress=progress) == 50
    assert seen_during and all(s == ALL for s in seen_during)
    assert loaded.ids() == {d["id"] for d in new_docs}
    assert loaded.count() == 50
    assert found(loaded, "ёлка") == []
    assert search(loaded, "практика номер").total == 50
    assert counts(search(loaded), "theme") == {"new": 50}
    assert loaded.health() is True
    loaded.upsert([practice(1, "После пересборки")])
    assert loaded.count() == 51


def test_rebuild_to_empty(loaded: SearchIndex) -> None:
    assert loaded.rebuild([]) == 0
    assert loaded.ids() == set()
    assert search(loaded).total == 0


# -- the search quality target ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "doc_id"),
    [
        ("ЮНАРМЕЙСКИЕ ОТРЯДЫ", 1),
        ("юнармейским отрядом", 1),
        ("юнармеский отряд", 1),  # one typo in a long word
        ("юнармейский отр", 1),  # unfinished last word
        ("Елка на площади", 3),  # е for ё
        ("ёлочные базары", 4),  # ё for е, other forms
        ("инициативного бюджетирования", 6),
        ("инициативное бюджетирвоание", 6),
        ("раздельного сбора отходв", 7),
        ("модернизации уличного освещ", 10),
        ("поддержка предпринимателей", 11),
        ("волонтерский корпус", 12),
        ("экологические тропы", 13),
        ("краеведческого музея", 14),
        ("межконфесиональное согласие", 2),
    ],
)
def test_top3_target(loaded: SearchIndex, text: str, doc_id: int) -> None:
    assert doc_id in found(loaded, text)[:3]
