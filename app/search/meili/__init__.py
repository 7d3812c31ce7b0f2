"""The Meilisearch engine, through the official client."""

from app.search.meili.index import MeiliIndex

__all__ = ["MeiliIndex"]
