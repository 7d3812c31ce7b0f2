"""Search: one contract (`base.SearchIndex`), two engines (`local`, `meili`), one facet registry
(`facets`), one parameter parser (`params`), the outbox sync (`sync`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from app.observability import SEARCH_LATENCY
from app.search.base import SearchIndex, SearchQuery, SearchResult, SearchUnavailable
from app.settings import Settings

__all__ = ["SearchIndex", "SearchQuery", "SearchResult", "make_index"]
log = logging.getLogger(__name__)


class TimedIndex:
    """An engine whose searches are timed by engine for /metrics; everything else is passed on."""

    def __init__(self, inner: SearchIndex, engine: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.in_process = inner.in_process
        self.engine = engine

    def search(self, query: SearchQuery) -> SearchResult:
        with SEARCH_LATENCY.labels(self.engine).time():
            return self.inner.search(query)

    def configure(self) -> None:
        self.inner.configure()

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        self.inner.upsert(documents)

    def delete(self, ids: Sequence[int]) -> None:
        self.inner.delete(ids)

    def clear(self) -> None:
        self.inner.clear()

    def count(self) -> int:
        return self.inner.count()

    def health(self) -> bool:
        return self.inner.health()

    def ids(self) -> set[int]:
        return self.inner.ids()

    def get(self, doc_id: int) -> dict[str, Any] | None:
        return self.inner.get(doc_id)

    def rebuild(self, documents: Iterable[dict[str, Any]], progress: Any = None) -> int:
        return self.inner.rebuild(documents, progress)

    def close(self) -> None:
        self.inner.close()


def make_index(settings: Settings) -> SearchIndex:
    """The engine the settings name, configured and ready."""
    index: SearchIndex
    if settings.search_backend == "meilisearch":
        from app.search.meili import MeiliIndex

        index = MeiliIndex(
            url=settings.meili_url, api_key=settings.meili_api_key, name=settings.meili_index,
            thesaurus=settings.thesaurus_file,
        )
    else:
        from app.search.local import LocalIndex

        settings.ensure_data_dir()
        index = LocalIndex(settings.local_index_path, thesaurus=settings.thesaurus_file)
    try:
        index.configure()
    except SearchUnavailable as exc:
        # The service still starts: writes go to the outbox and wait; /readyz shows it.
        log.warning("search engine not configured yet: %s", exc)
    return TimedIndex(index, settings.search_backend)
