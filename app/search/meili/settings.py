"""Meilisearch index settings, declared in code (applied by `MeiliIndex.configure`).

The engine does not stem Russian and folds `ё` unevenly, so every document carries a hidden
`_stems` object: for each searchable field, its text as `meili_stemmed_text` (folded words
reduced to Snowball stems). Queries are normalised the same way, so word forms meet in
`_stems.*`; the original fields stay searchable too (numbers, exact forms, the prefix of an
unfinished last word). `_stems` is an object rather than one string so that the
`attribute` ranking rule still weighs a title match above an outcome match.
"""

from __future__ import annotations

from typing import Any

from app.search.base import SEARCHABLE_FIELDS
from app.search.facets import FACETS
from app.search.text import fold, stem, stems, title_key


def meili_stem(word: str) -> str:
    """Our stem as Meilisearch should see it: `й` spelled `и`.

    Meilisearch decomposes `й` into `и` plus a combining breve and counts both as letters, so a
    query missing `й` would be two typos away from the word. Folding it after stemming (before
    would change what Snowball strips) keeps one typo one typo, on both sides alike.
    """
    return stem(word).replace("й", "и")


def meili_stemmed_text(text: str) -> str:
    return " ".join(s.replace("й", "и") for s in stems(text))

STEMS = "_stems"
TITLE_SORT = "title_sort"

# What a document holds (app.search.documents); displayed and returned.
DOCUMENT_FIELDS: tuple[str, ...] = (
    "id",
    "slug",
    "title",
    "summary",
    "problem",
    "solution",
    "outcome",
    "municipality",
    "region",
    "region_name",
    "federal_district",
    "municipality_type",
    "themes",
    "year_started",
    "has_figures",
    "published_at",
    "updated_at",
    "version",
)

# Every facet's document key (app.search.facets), and the id for fetches by id.
FILTERABLE: tuple[str, ...] = (*(f.key for f in FACETS), "id")
SORTABLE: tuple[str, ...] = ("published_at", TITLE_SORT, "id")

# Short function words only: they carry no meaning in a practice search and their stems
# cannot be confused with content words (so "быть"/"быт", "это"/"эт" stay out).
# fmt: off
_STOP_WORDS = [
    "а", "и", "но", "или", "да", "же", "ли", "бы", "не", "ни",
    "в", "во", "на", "с", "со", "по", "к", "ко", "о", "об", "обо", "от", "из", "за", "для",
    "у", "при", "до", "над", "под", "про", "без", "через",
]
# fmt: on
STOP_WORDS: tuple[str, ...] = tuple(sorted(set(_STOP_WORDS) | {meili_stem(w) for w in _STOP_WORDS}))

# Domain abbreviations <-> what they stand for, in plain (folded) Russian.
ABBREVIATIONS: dict[str, str] = {
    "тос": "территориальное общественное самоуправление",
    "жкх": "жилищно-коммунальное хозяйство",
    "мсу": "местное самоуправление",
    "нко": "некоммерческая организация",
    "тко": "твердые коммунальные отходы",
    "мфц": "многофункциональный центр",
    "ппми": "программа поддержки местных инициатив",
    "фкгс": "формирование комфортной городской среды",
    "снт": "садоводческое некоммерческое товарищество",
    "дк": "дом культуры",
}


def _synonyms() -> dict[str, list[str]]:
    """Both directions, in the folded and stemmed form that queries are sent in."""
    pairs: dict[str, set[str]] = {}
    for abbr, full in ABBREVIATIONS.items():
        short, long = meili_stem(fold(abbr)), meili_stemmed_text(full)
        pairs.setdefault(short, set()).add(long)
        pairs.setdefault(long, set()).add(short)
    return {key: sorted(values) for key, values in sorted(pairs.items())}


SYNONYMS: dict[str, list[str]] = _synonyms()


def searchable_attributes() -> list[str]:
    """Per field, most important first: the stemmed text, then the original."""
    out: list[str] = []
    for name in SEARCHABLE_FIELDS:
        out += [f"{STEMS}.{name}", name]
    return out


# Ranking: Meilisearch's default order, except that `sort` comes first, so that "newest" and
# "title" are strict orders as on the local engine. Without a sort parameter (relevance) the
# `sort` rule does nothing and ranking is the default one.
RANKING_RULES: list[str] = ["sort", "words", "typo", "proximity", "attribute", "exactness"]

MAX_VALUES_PER_FACET = 1000
# totalHits is capped at maxTotalHits even in page mode: keep it far above the catalogue size.
MAX_TOTAL_HITS = 10_000_000

SETTINGS: dict[str, Any] = {
    "searchableAttributes": searchable_attributes(),
    "displayedAttributes": list(DOCUMENT_FIELDS),
    "filterableAttributes": list(FILTERABLE),
    "sortableAttributes": list(SORTABLE),
    "rankingRules": RANKING_RULES,
    "stopWords": list(STOP_WORDS),
    "synonyms": SYNONYMS,
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    },
    "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["rus"]}],
    "facetSearch": False,
    "distinctAttribute": None,
}


def search_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document as stored: the original plus `_stems` and `title_sort`."""
    stored = dict(document)
    stored[STEMS] = {name: meili_stemmed_text(str(document.get(name) or "")) for name in SEARCHABLE_FIELDS}
    stored[TITLE_SORT] = title_key(str(document.get("title") or ""))
    return stored


def public_document(stored: dict[str, Any]) -> dict[str, Any]:
    """The document as upserted (without the fields this engine adds)."""
    return {k: v for k, v in stored.items() if k not in (STEMS, TITLE_SORT)}
