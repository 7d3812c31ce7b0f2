"""JSON API v1 under `/api/v1`: search and cards (`practices`), reference lists (`reference`),
the change feed for mirrors (`changes`) and proposals (`submissions`)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.responses import TAG_API
from app.api.v1 import changes, practices, reference, submissions

router = APIRouter(prefix="/api/v1")
for module in (practices, reference, changes):
    router.include_router(module.router, tags=[TAG_API])
router.include_router(submissions.router)
