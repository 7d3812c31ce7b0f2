"""Public HTML pages: the home page, the faceted search with its region and theme twins, the
card, the submission form, and robots.txt with the sitemap. Each page family lives in its own module."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.pages import adoption, home, practice, resubmit, search, sitemap, submit, tracking

router = APIRouter(include_in_schema=False)
for module in (home, search, practice, adoption, submit, tracking, resubmit, sitemap):
    router.include_router(module.router)
