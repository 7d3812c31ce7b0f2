"""Open data for other sites beyond the JSON API: Atom feed, CSV/JSONL export, embed, /about/api, /docs."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import feeds_atom, feeds_embed, feeds_export, v1_docs

router = APIRouter()
for module in (feeds_atom, feeds_export, feeds_embed, v1_docs):
    router.include_router(module.router)
