"""The site's public address, for absolute links in feeds, the API and canonical URLs."""

from __future__ import annotations

from fastapi import Request

from app.settings import Settings


def public_base(request: Request, settings: Settings) -> str:
    """The site's public address without a trailing slash (settings.base_url wins)."""
    return (settings.base_url or str(request.base_url)).rstrip("/")
