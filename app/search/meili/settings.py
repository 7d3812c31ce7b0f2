"""Meilisearch index settings and documents, declared in code (applied by `MeiliIndex.configure`).

The engine does not stem Russian and folds `ё` unevenly, so each document carries hidden
fields of word keys (`app.search.analysis`, `morphology`) per tier: `_s.<tier>` the stems in
text order (for phrases and proximity) and `_f.<tier>` the family keys that differ from them.
A query is sent as one key per word (`WordKeys.token`), so word forms and word families meet;
the searchable attributes follow the tiers, so the `attribute` rule weighs a title match above
a body match; the thesaurus becomes the `synonyms` setting (in the same keys; one-way for
broader terms).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.search import thesaurus as thesauri
from app.search.analysis import TIERS, field_text, words
from app.search.facets import FACETS
from app.search.morphology import word_keys
from app.search.text import title_key

STEMS, FAMILIES = "_s", "_f"
PAD = "ъъ"
TITLE_SORT = "title_sort"
AWARDED = "_awarded"  # 1 for a practice with an award: the «winners» sort
HIDDEN = (STEMS, FAMILIES, TITLE_SORT, AWARDED)


def meili_key(key: str) -> str:
    """A key as Meilisearch should see it: `й` spelled `и`.

    Meilisearch decomposes `й` into `и` plus a combining breve and counts both as letters, so a
    query missing `й` would be two typos away from the word. Folding it after stemming (before
    would change what Snowball strips) keeps one typo one typo, on both sides alike.
    """
    return key.replace("й", "и")


def query_token(word: str) -> str:
    return meili_key(word_keys(word).token)


# What a document holds (app.search.documents); displayed and returned.
DOCUMENT_FIELDS: tuple[str, ...] = (
    "id", "slug", "title", "summary", "problem", "solution", "outcome", "municipality", "region",
    "region_name", "federal_district", "municipality_type", "themes", "awards", "tags", "year_started",
    "has_figures", "published_at", "updated_at", "version",
)
# Every facet's document key (app.search.facets), and the id for fetches by id.
FILTERABLE: tuple[str, ...] = (*(f.key for f in FACETS), "id")
SORTABLE: tuple[str, ...] = ("published_at", TITLE_SORT, "id", AWARDED)

# Ranking as the local engine ranks (`app.search.local.matching`): more query words first, then
# the word itself before its typos, prefixes and synonyms (`exactness` before `attribute`, which
# Meilisearch's default order has the other way round), then the field. `sort` comes first, so
# that "newest" and "title" are strict orders; without a sort parameter it does nothing.
RANKING_RULES: list[str] = ["sort", "words", "typo", "exactness", "proximity", "attribute"]
MAX_VALUES_PER_FACET = 1000
# totalHits is capped at maxTotalHits even in page mode: keep it far above the catalogue size.
MAX_TOTAL_HITS = 10_000_000


def searchable_attributes() -> list[str]:
    """Per tier, most telling first: its stems, then its family keys."""
    return [f"{hidden}.{tier.name}" for tier in TIERS for hidden in (STEMS, FAMILIES)]


def synonyms(rows: list[thesauri.Row]) -> dict[str, list[str]]:
    """The thesaurus in query tokens: what a query phrase also finds (one-way where it is one-way)."""
    out: dict[str, set[str]] = {}
    for a, b in thesauri.build(rows).pairs():
        key = " ".join(query_token(w) for w in words(a.text))  # as a query would say it
        value = " ".join(meili_key(s) for s in b.stems)  # as documents hold it
        if key and value and key != value:
            out.setdefault(key, set()).add(value)
    return {k: sorted(v) for k, v in sorted(out.items())}


def settings(thesaurus: Path | None) -> dict[str, Any]:
    rows = thesauri.rows_of(thesaurus)[0] if thesaurus is not None else []
    return {
        "searchableAttributes": searchable_attributes(),
        "displayedAttributes": list(DOCUMENT_FIELDS),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "rankingRules": RANKING_RULES,
        "stopWords": [],
        "synonyms": synonyms(rows),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["rus"]}],
        "facetSearch": False,
        "distinctAttribute": None,
    }


def search_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document as stored: the original plus its keys per tier and `title_sort`."""
    stored = dict(document)
    stems: dict[str, str] = {}
    families: dict[str, str] = {}
    for tier in TIERS:
        ws = [w for f in tier.fields for w in words(field_text(document, f))]
        keys = [word_keys(w) for w in ws]
        stems[tier.name] = " ".join(meili_key(k.stem) for k in keys)
        family = " ".join(dict.fromkeys(meili_key(k.family) for k in keys if k.family != k.stem))
        # Behind a word no query has: Meilisearch's `exactness` favours an attribute that
        # starts with (or is) the query, which would rank a family match above the word itself.
        families[tier.name] = f"{PAD} {family}" if family else ""
    stored[STEMS] = stems
    stored[FAMILIES] = families
    stored[TITLE_SORT] = title_key(str(document.get("title") or ""))
    stored[AWARDED] = 1 if document.get("awards") else 0
    return stored


def public_document(stored: dict[str, Any]) -> dict[str, Any]:
    """The document as upserted (without the fields this engine adds)."""
    return {k: v for k, v in stored.items() if k not in HIDDEN}
