"""Public HTML pages: the home page, the faceted search with its region and theme twins, the card.

Each page family lives in its own module; main.py registers only this `router`.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.web import format as _format  # noqa: F401  (registers filters and globals on the templates)
from app.web import pages_home, pages_practice, pages_search

router = APIRouter(include_in_schema=False)
router.include_router(pages_home.router)
router.include_router(pages_search.router)
router.include_router(pages_practice.router)
