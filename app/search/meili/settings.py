"""Meilisearch index settings and documents, declared in code (applied by `MeiliIndex.configure`).

The engine does not stem Russian and folds `ё` unevenly, so each document carries hidden
fields of word keys (`app.search.analysis`, `morphology`) per tier: `_s.<tier>` the stems in
text order (for phrases and proximity) and `_f.<tier>` the family keys that differ from them.
A query is sent as one key per word (`WordKeys.token`), so word forms and word families meet;
the searchable attributes follow the tiers, so the `attribute` rule weighs a title match above
a body match; the thesaurus becomes the `synonyms` setting (in the same keys; one-way for
broader terms), except its phrases of more than three words, which Meilisearch never looks up
there: documents carry those for the alternatives they hold (`LongPhrases`).
"""

from __future__ import annotations

from collections.abc import Sequence
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


# Meilisearch looks a query's words up in its synonyms one, two or three at a time (its n-grams):
# a longer key is never reached, so such phrases go into the documents instead (`LongPhrases`).
MAX_SYNONYM_WORDS = 3


def phrase_tokens(phrase: thesauri.Phrase) -> list[str]:
    """A thesaurus phrase as a query would say it (one token a word)."""
    return [query_token(w) for w in words(phrase.text)]


def synonyms(thesaurus: thesauri.Thesaurus) -> dict[str, list[str]]:
    """The thesaurus in query tokens: what a query phrase of up to three words also finds (one-way
    where it is one-way)."""
    out: dict[str, set[str]] = {}
    for a, b in thesaurus.pairs():
        tokens = phrase_tokens(a)
        value = " ".join(meili_key(s) for s in b.stems)  # as documents hold it
        key = " ".join(tokens)
        if key and value and key != value and len(tokens) <= MAX_SYNONYM_WORDS:
            out.setdefault(key, set()).add(value)
    return {k: sorted(v) for k, v in sorted(out.items())}


def ngram_tokens(tokens: Sequence[str]) -> list[str]:
    """A phrase of four or more query tokens as Meilisearch's n-grams spell it: its tokens run
    together three at a time, two at the end, never one alone (a lone token would be found by
    that word alone, typed in full). A query holding the phrase meets these through its own
    n-grams, whichever way it splits them."""
    sizes = [3] * (len(tokens) // 3)
    if len(tokens) % 3 == 2:
        sizes.append(2)
    elif len(tokens) % 3 == 1:
        sizes[-1:] = [2, 2]
    out, at = [], 0
    for size in sizes:
        out.append("".join(tokens[at:at + size]))
        at += size
    return out


class LongPhrases:
    """The thesaurus phrases of more than three words that a document's alternatives answer.

    For each alternative B (as document stems) of such a phrase A, the n-gram tokens of A
    (`ngram_tokens`): a document tier holding B carries them among its family keys, so a query
    typing A finds it below the documents that hold A itself (as a synonym would rank). Where the
    local engine wants the whole of A, a query of one of the runs (two or three of A's words), or
    the first word of a run still being typed (a prefix), also reaches it, below every literal
    match: «диспетчерская служба» finds «ЕДДС». A thesaurus edit needs `practices reindex`, as
    the settings say.
    """

    def __init__(self, thesaurus: thesauri.Thesaurus) -> None:
        found: dict[tuple[str, ...], dict[str, None]] = {}
        for a, b in thesaurus.pairs():
            tokens = phrase_tokens(a)
            if len(tokens) > MAX_SYNONYM_WORDS and b.stems:
                found.setdefault(tuple(meili_key(s) for s in b.stems), {}).update(dict.fromkeys(ngram_tokens(tokens)))
        # first stem of B -> (B, tokens of the phrases that find it)
        self._starts: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for stems, joined in found.items():
            self._starts.setdefault(stems[0], []).append((stems, tuple(joined)))

    def tokens(self, stems: Sequence[str]) -> list[str]:
        """The n-gram tokens a tier with these stems (in text order) carries."""
        out: dict[str, None] = {}
        for i, stem in enumerate(stems):
            for b, tokens in self._starts.get(stem, ()):
                if tuple(stems[i:i + len(b)]) == b:
                    out.update(dict.fromkeys(tokens))
        return list(out)


def settings(thesaurus: thesauri.Thesaurus) -> dict[str, Any]:
    return {
        "searchableAttributes": searchable_attributes(),
        "displayedAttributes": list(DOCUMENT_FIELDS),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "rankingRules": RANKING_RULES,
        "stopWords": [],
        "synonyms": synonyms(thesaurus),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["rus"]}],
        "facetSearch": False,
        "distinctAttribute": None,
    }


def search_document(document: dict[str, Any], long_phrases: LongPhrases) -> dict[str, Any]:
    """The document as stored: the original plus its keys per tier (with the n-gram tokens of the
    long thesaurus phrases its alternatives answer) and `title_sort`."""
    stored = dict(document)
    stems: dict[str, str] = {}
    families: dict[str, str] = {}
    for tier in TIERS:
        ws = [w for f in tier.fields for w in words(field_text(document, f))]
        keys = [word_keys(w) for w in ws]
        tier_stems = [meili_key(k.stem) for k in keys]
        stems[tier.name] = " ".join(tier_stems)
        family = [*dict.fromkeys(meili_key(k.family) for k in keys if k.family != k.stem)]
        family += long_phrases.tokens(tier_stems)
        # Behind a word no query has: Meilisearch's `exactness` favours an attribute that
        # starts with (or is) the query, which would rank a family match above the word itself.
        families[tier.name] = " ".join([PAD, *family]) if family else ""
    stored[STEMS] = stems
    stored[FAMILIES] = families
    stored[TITLE_SORT] = title_key(str(document.get("title") or ""))
    stored[AWARDED] = 1 if document.get("awards") else 0
    return stored


def public_document(stored: dict[str, Any]) -> dict[str, Any]:
    """The document as upserted (without the fields this engine adds)."""
    return {k: v for k, v in stored.items() if k not in HIDDEN}
