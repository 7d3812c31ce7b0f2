"""Moderation under /admin: sign-in, the queue and its bulk actions, the review page with its
preview, adoption reports, imports from spreadsheets, cards due for a check against their sources. Every page needs sign-in and is sent with
`Cache-Control: no-store` (app.security.NoStoreMiddleware)."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.admin import adoptions, auth, bulk, freshness, imports, password, queue, review

router = APIRouter(include_in_schema=False)
for module in (auth, password, queue, bulk, review, adoptions, imports, freshness):
    router.include_router(module.router)
