"""Moderation under /admin: sign-in, the queue, the review page, imports from spreadsheets. Every
page needs sign-in and is sent with `Cache-Control: no-store` (app.security.NoStoreMiddleware)."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.admin import auth, imports, queue, review

router = APIRouter(include_in_schema=False)
for module in (auth, queue, review, imports):
    router.include_router(module.router)
