"""The embedded engine: SQLite FTS5 in its own file plus roaring bitmaps in memory."""

from app.search.local.index import LocalIndex

__all__ = ["LocalIndex"]
