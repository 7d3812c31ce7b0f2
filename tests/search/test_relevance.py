"""The floor of search quality: the relevance set (everyday queries written without looking at
the engine) on the seed practices, on every engine. bench/relevance.py prints the same figures
per kind of query, with the misses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.search.base import SearchIndex, SearchQuery
from tests.search.conftest import make_engine
from tests.search.relevance import evaluate, seed_documents
from tests.search.relevance_set import CASES, KINDS, NO_ANSWER


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return seed_documents(tmp_path_factory.mktemp("seed"))


@pytest.fixture(params=["local", pytest.param("meilisearch", marks=pytest.mark.meili)])
def seeded(request: pytest.FixtureRequest, tmp_path: Path, documents: list[dict[str, Any]]) -> SearchIndex:
    index = make_engine(request.param, tmp_path, request)
    request.addfinalizer(index.close)
    index.upsert(documents)
    return index


def test_the_set_names_only_seed_practices(documents: list[dict[str, Any]]) -> None:
    slugs = {d["slug"] for d in documents}
    assert len(documents) >= 300
    unknown = {s for case in CASES for s in case.expected} - slugs
    assert not unknown
    assert {case.kind for case in CASES} == set(KINDS)


def test_everyday_queries_find_what_people_look_for(seeded: SearchIndex) -> None:
    report = evaluate(seeded)
    overall = report.score()
    misses = [(o.case.query, o.rank, o.found[:3]) for o in report.misses]
    assert overall.success_at_3 >= 0.9, misses
    assert overall.empty == 0, [o.case.query for o in report.outcomes if o.total == 0]
    for kind in KINDS:
        assert report.score(kind).success_at_3 >= 0.75, (kind, misses)


def test_nonsense_finds_little_and_never_fails(seeded: SearchIndex) -> None:
    """Typo tolerance may reach a word like it («подводной» ~ «подведены»), as in Meilisearch;
    it must not spread a nonsense query over the catalogue."""
    for text in NO_ANSWER:
        result = seeded.search(SearchQuery(text=text))
        assert result.total <= 20, (text, [h.slug for h in result.hits])
