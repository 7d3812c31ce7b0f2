"""Open data for other sites beyond the JSON API: Atom feed, CSV/JSONL export, embed, /about/api."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import feeds_atom, feeds_embed, feeds_export

router = APIRouter()
for module in (feeds_atom, feeds_export, feeds_embed):
    router.include_router(module.router)
