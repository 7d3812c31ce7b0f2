"""The SearchIndex contract every engine honours (tests/search/test_conformance.py checks it).

Documents are plain dicts read by `app.search.documents` (one reader for sync and reindex); their keys:

    id (int), slug, title, summary, problem, solution, outcome, municipality,
    region (code), region_name, federal_district, municipality_type (slug),
    themes (list of slugs), year_started (int | None), has_figures (bool),
    published_at (float, unix seconds), updated_at (float), version (int)

Facets are disjunctive: the counts of a facet ignore that facet's own selection
(OR within a facet, AND across facets).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Sort = Literal["relevance", "newest", "title"]
SORTS: tuple[str, ...] = ("relevance", "newest", "title")

# Facet name -> document key it counts.
FACETS: dict[str, str] = {
    "region": "region",
    "theme": "themes",
    "municipality_type": "municipality_type",
    "year": "year_started",
    "has_figures": "has_figures",
}

# Fields searched by text, most important first (engines weigh them in this order).
SEARCHABLE_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "municipality",
    "region_name",
    "problem",
    "solution",
    "outcome",
)
# Fields that get highlighted snippets in hits.
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "summary")

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    municipality_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    has_figures: bool | None = None
    sort: Sort = "relevance"
    page: int = 1  # 1-based
    per_page: int = 20
    facets: tuple[str, ...] = tuple(FACETS)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def selected(self, facet: str) -> tuple[str, ...]:
        """Values selected in a facet, as strings (what FacetCount.value holds)."""
        if facet == "region":
            return self.regions
        if facet == "theme":
            return self.themes
        if facet == "municipality_type":
            return self.municipality_types
        if facet == "has_figures":
            return () if self.has_figures is None else (str(self.has_figures).lower(),)
        return ()


@dataclass(frozen=True)
class FacetCount:
    # Facet values are strings: region code, theme slug, type slug, "2021" for year,
    # "true"/"false" for has_figures.
    value: str
    count: int


@dataclass
class Hit:
    id: int
    slug: str
    document: dict[str, Any]
    # field -> HTML snippet: text HTML-escaped, matches wrapped in <mark>…</mark>.
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int  # exact
    page: int
    per_page: int
    # facet name -> values with count > 0, ordered by count desc then value.
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


@runtime_checkable
class PagedDocuments(Protocol):
    """Documents to rebuild from that can also be read page by page in other processes:
    picklable, and `read(page)` works wherever it is unpickled (see
    `app.search.documents.PublishedDocuments`). An engine may just iterate it."""

    shareable: bool  # False where another process cannot reach the data (in-memory SQLite)

    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def pages(self) -> list[Any]:
        """Page keys in document order; every document is on exactly one page."""

    def read(self, page: Any) -> list[dict[str, Any]]:
        """The documents of one page, in order."""


class SearchUnavailable(RuntimeError):
    """The engine cannot be reached or refused the operation."""


@runtime_checkable
class SearchIndex(Protocol):
    name: str

    def configure(self) -> None:
        """Apply settings declared in code; idempotent."""

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        """Add or replace documents; returns only after the engine confirms."""

    def delete(self, ids: Sequence[int]) -> None:
        """Remove documents by id; missing ids are fine."""

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def health(self) -> bool:
        """True if the engine answers; never raises."""

    def ids(self) -> set[int]:
        """Every document id in the index (for checks that the index equals the database)."""

    def get(self, doc_id: int) -> dict[str, Any] | None:
        """One stored document as upserted (for checks), or None."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def rebuild(self, documents: Iterable[dict[str, Any]], progress: Any = None) -> int:
        """Build a fresh index from `documents` and swap it in atomically; returns the count.

        Searches keep being answered by the old index until the swap. `progress`, if given,
        is called with the number of documents added so far.
        """

    def close(self) -> None: ...
