"""The SearchIndex contract every engine honours (tests/search/test_conformance.py checks it).

Documents are plain dicts read by `app.search.documents` (one reader for sync and reindex); their keys:

    id (int), slug, title, summary, problem, solution, outcome, municipality,
    region (code), region_name, federal_district (slug), municipality_type (slug),
    themes (list of slugs), awards (competition slugs and "slug:year"), tags (the names the
    catalogue files the practice under: themes, type, competitions, district), year_started
    (int | None), has_figures (bool), published_at (float, unix seconds), updated_at (float),
    version (int)

Facets are disjunctive: the counts of a facet ignore that facet's own selection
(OR within a facet, AND across facets).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple, Protocol, TypeVar, runtime_checkable

from starlette.concurrency import run_in_threadpool

from app.search.facets import NAMES

# "winners": practices with an award first, then by relevance (with text) or newest.
Sort = Literal["relevance", "newest", "title", "winners"]
SORTS: tuple[str, ...] = ("relevance", "newest", "title", "winners")

# Fields that get highlighted snippets in hits.
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "summary")

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class SearchQuery:
    """A search: text, facet selections (see `app.search.facets`), order, page, facets to count.

    `filters` holds the chosen values of multi-valued and yes/no facets (OR within a facet),
    `ranges` the bounds of range facets; both are keyed by facet name and never mutated.
    """

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)
    sort: Sort = "relevance"
    page: int = 1  # 1-based
    per_page: int = 20  # 0: the total and the facets only (no page of hits to rank)
    facets: tuple[str, ...] = NAMES

    def selected(self, facet: str) -> tuple[str, ...]:
        """Values selected in a multi-valued or yes/no facet, as strings (FacetCount.value)."""
        return self.filters.get(facet, ())

    def range(self, facet: str) -> tuple[int | None, int | None]:
        return self.ranges.get(facet, (None, None))

    def with_selection(self, facet: str, values: tuple[str, ...]) -> SearchQuery:
        """This query with `facet`'s values replaced (back to page 1)."""
        filters = {k: v for k, v in self.filters.items() if k != facet}
        if values:
            filters[facet] = values
        return replace(self, filters=filters, page=1)

    def with_range(self, facet: str, low: int | None, high: int | None) -> SearchQuery:
        ranges = {k: v for k, v in self.ranges.items() if k != facet}
        if low is not None or high is not None:
            ranges[facet] = (low, high)
        return replace(self, ranges=ranges, page=1)


class FacetCount(NamedTuple):
    # Facet values are strings: region code, theme slug, type slug, "2021" for year,
    # "true"/"false" for has_figures. A tuple: a results page makes a hundred of them, and a
    # tuple is made in half the time of a frozen dataclass.
    value: str
    count: int  # type: ignore[assignment]  # the field shadows tuple.count, which nothing here calls


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

    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def pages(self) -> list[Any] | None:
        """Page keys in document order (every document on exactly one page), or None where no
        other process can read the documents (an in-memory database)."""

    def read(self, page: Any) -> list[dict[str, Any]]:
        """The documents of one page, in order."""


class SearchUnavailable(RuntimeError):
    """The engine cannot be reached or refused the operation."""


@contextlib.contextmanager
def unavailable_on(errors: tuple[type[BaseException], ...], what: str) -> Iterator[None]:
    """Turn an engine's own errors into SearchUnavailable («what: the error»)."""
    try:
        yield
    except SearchUnavailable:
        raise
    except errors as exc:
        raise SearchUnavailable(f"{what}: {exc}") from exc


@runtime_checkable
class SearchIndex(Protocol):
    name: str
    # True when a search is CPU work in this process with nothing to wait on (the local
    # engine): the web layer runs it on the event loop instead of handing it to a thread.
    in_process: bool

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


T = TypeVar("T")


async def beside(index: SearchIndex, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)`, which searches `index`, from async code: on the event loop for an engine
    that searches in this process (no hop to a worker thread and back, no threads taking turns
    at the GIL), in a worker thread for one that waits on a server."""
    if index.in_process:
        return work(*args)
    return await run_in_threadpool(work, *args)
