"""For search engines: /robots.txt and /sitemap.xml (the cards, the regions and themes that have
practices, the main pages).

Past 50,000 addresses (the sitemap protocol's limit for one file) /sitemap.xml becomes a sitemap
index of /sitemap-1.xml, /sitemap-2.xml, …; each part is streamed, its cards read in batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.catalogue.practices import queries
from app.deps import EngineDep, SettingsDep
from app.links import public_base

router = APIRouter(include_in_schema=False)
MAX_URLS = 50_000  # addresses in one sitemap file (sitemaps.org)
MAX_AGE = 3600
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PAGES = ("/", "/practices", "/about/api")
ROBOTS = """User-agent: *
Disallow: /admin
Disallow: /export/
Disallow: /embed/
# Filtered searches are endless combinations; the cards they lead to are in the sitemap.
Disallow: /practices?
Disallow: /regions/*?
Disallow: /themes/*?

Sitemap: {base}/sitemap.xml
"""


def _lastmod(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"<lastmod>{value.astimezone(UTC).isoformat(timespec='seconds')}</lastmod>"


def _url(loc: str, changed: datetime | None = None) -> str:
    return f"<url><loc>{escape(loc)}</loc>{_lastmod(changed)}</url>\n"


def _listing_urls(session: Session, base: str) -> list[str]:
    """The main pages, then the regions and themes with published practices (small: in memory)."""
    urls = [_url(base + page) for page in PAGES]
    urls += [_url(f"{base}/regions/{code}", changed) for code, changed in sorted(queries.last_changes(session, "region_code").items())]
    urls += [_url(f"{base}/themes/{slug}", changed) for slug, changed in sorted(queries.theme_last_changes(session).items())]
    return urls


def _urlset(engine: Engine, base: str, part: int) -> Iterator[bytes]:
    """Part `part` (from 1) of the addresses: listings first, then the cards."""
    # Read whole (a part is at most MAX_URLS addresses) and the session closed before the
    # first byte: a client that leaves midway leaves no transaction open behind it.
    start, end = (part - 1) * MAX_URLS, part * MAX_URLS
    with Session(engine) as session:
        listings = _listing_urls(session, base)
        cards_from = max(0, start - len(listings))
        cards = max(0, end - max(start, len(listings)))
        addresses = list(queries.published_addresses(session, cards_from, cards))
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">\n'.encode()
    yield "".join(listings[start:end]).encode()
    for first in range(0, len(addresses), 1000):
        yield "".join(_url(f"{base}/practices/{slug}", changed) for slug, changed in addresses[first:first + 1000]).encode()
    yield b"</urlset>\n"


def _parts(engine: Engine) -> int:
    with Session(engine) as session:
        total = len(_listing_urls(session, "")) + queries.count(session)
    return max(1, -(-total // MAX_URLS))


def _xml(body: Iterator[bytes]) -> StreamingResponse:
    return StreamingResponse(body, media_type="application/xml; charset=utf-8",
                             headers={"Cache-Control": f"public, max-age={MAX_AGE}"})


@router.get("/sitemap.xml")
def sitemap(request: Request, engine: EngineDep, settings: SettingsDep) -> StreamingResponse:
    base = public_base(request, settings)
    parts = _parts(engine)
    if parts == 1:
        return _xml(_urlset(engine, base, 1))
    now = _lastmod(datetime.now(UTC))
    index = "".join(f"<sitemap><loc>{escape(base)}/sitemap-{n}.xml</loc>{now}</sitemap>\n" for n in range(1, parts + 1))
    return _xml(iter([f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NS}">\n{index}</sitemapindex>\n'.encode()]))


@router.get("/sitemap-{part}.xml")
def sitemap_part(part: str, request: Request, engine: EngineDep, settings: SettingsDep) -> StreamingResponse:
    number = int(part) if part.isascii() and part.isdigit() and len(part) < 7 else 0
    if not 1 <= number <= _parts(engine) or _parts(engine) == 1:
        raise HTTPException(404, "Такой части карты сайта нет: начните с /sitemap.xml.")
    return _xml(_urlset(engine, public_base(request, settings), number))


@router.get("/robots.txt")
def robots(request: Request, settings: SettingsDep) -> PlainTextResponse:
    return PlainTextResponse(ROBOTS.format(base=public_base(request, settings)), headers={"Cache-Control": f"public, max-age={MAX_AGE}"})
