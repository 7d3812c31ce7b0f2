"""Search: one contract (`base.SearchIndex`), two engines (`local`, `meilisearch`)."""

from __future__ import annotations

import logging
from typing import Any

from app.search.base import SearchIndex, SearchQuery, SearchResult, SearchUnavailable
from app.settings import Settings

__all__ = ["SearchIndex", "SearchQuery", "SearchResult", "make_index"]
log = logging.getLogger(__name__)


class TimedIndex:
    """Delegates to an engine and records search latency by engine for /metrics."""

    def __init__(self, inner: SearchIndex, engine: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.engine = engine

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)

    def search(self, query: SearchQuery) -> SearchResult:
        from app.observability import SEARCH_LATENCY

        with SEARCH_LATENCY.labels(self.engine).time():
            return self.inner.search(query)


def make_index(settings: Settings) -> SearchIndex:
    """The engine the settings name, configured and ready."""
    if settings.search_backend == "meilisearch":
        from app.search.meili import MeiliIndex

        index: SearchIndex = MeiliIndex(
            url=settings.meili_url, api_key=settings.meili_api_key, name=settings.meili_index
        )
    else:
        from app.search.local import LocalIndex

        settings.ensure_data_dir()
        index = LocalIndex(settings.local_index_path)
    try:
        index.configure()
    except SearchUnavailable as exc:
        # The service still starts: writes go to the outbox and wait; /readyz shows it.
        log.warning("search engine not configured yet: %s", exc)
    return TimedIndex(index, settings.search_backend)  # type: ignore[return-value]
