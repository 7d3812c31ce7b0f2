"""Public HTML pages: the home page, the faceted search with its region and theme twins, the
card, the submission form, and robots.txt with the sitemap. Each page family lives in its own module."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.pages import home, practice, search, sitemap, submit

router = APIRouter(include_in_schema=False)
for module in (home, search, practice, submit, sitemap):
    router.include_router(module.router)
