"""What the catalogue refuses, with every problem named by its field (for the form, the API and
files alike)."""

from __future__ import annotations


class CatalogueError(ValueError):
    """A request the catalogue refuses; `errors` is [{"field", "message"}]."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors
