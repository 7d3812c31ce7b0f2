"""The site's public address, for absolute links in feeds, the API, canonical URLs and mail.

Never the request's `Host`: a cache or a proxy keeps what one client sent for everyone, so a
forged `Host: evil.example` would put evil.example into cached feeds, API pages and canonical
links. With BASE_URL empty (development; production refuses to start) links are relative.
"""

from __future__ import annotations

from fastapi import Request

from app.settings import Settings


def public_base(_request: Request, settings: Settings) -> str:
    """settings.base_url without a trailing slash, or "" (links relative to this site)."""
    return settings.base_url.rstrip("/")
