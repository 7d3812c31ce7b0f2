"""Search: one contract (`base.SearchIndex`), two engines (`local`, `meilisearch`)."""

from __future__ import annotations

from app.search.base import SearchIndex, SearchQuery, SearchResult
from app.settings import Settings

__all__ = ["SearchIndex", "SearchQuery", "SearchResult", "make_index"]


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
    index.configure()
    return index
