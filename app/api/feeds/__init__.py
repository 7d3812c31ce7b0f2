"""Open data beyond the JSON API: the Atom feed of any search (`atom`) and the search as a file
(`export`: CSV and JSON Lines)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.feeds import atom, export
from app.api.responses import TAG_FEEDS

router = APIRouter(tags=[TAG_FEEDS])
for module in (atom, export):
    router.include_router(module.router)
