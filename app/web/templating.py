"""The Jinja2 environment shared by every page (autoescape on; no |safe on user text)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 практика, 2 практики, 5 практик."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


templates.env.filters["plural"] = lambda n, one, few, many: f"{n} {plural(n, one, few, many)}"
