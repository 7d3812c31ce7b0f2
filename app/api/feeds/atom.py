"""Atom 1.0 feed of any search: `/feeds/practices.atom?<search parameters>`, newest first.

Built with xml.etree, so every text is escaped by the serialiser. Ids are stable `tag:` URIs
(RFC 4151): `tag:<host>,2026:practice:<id>` for entries, the canonical search for the feed.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.params import FeedQueryDep, documented
from app.api.responses import (
    BAD_REQUEST,
    LIST_MAX_AGE,
    NOT_MODIFIED,
    UNAVAILABLE,
    cached_response,
    search_or_503,
)
from app.api.v1.present import card_url
from app.catalogue.practices import queries
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SearchDep, SessionDep, SettingsDep
from app.links import public_base
from app.search.base import Hit, SearchQuery, SearchResult
from app.search.facets import FACETS
from app.search.params import FEED, MAX_PAGE, to_params
from app.web.formatting import plural

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TAG_DATE = "2026"
FEED_PER_PAGE = FEED.default_per_page
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)
router = APIRouter()


def tag_host(base: str) -> str:
    """The authority of tag: ids: the public host name, without port."""
    return (urlsplit(base).hostname or "localhost").lower()


def _text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _el(parent: ET.Element, name: str, text: Any = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _text(text)
    return el


def _iso(ts: float | None) -> str:
    value = datetime.fromtimestamp(ts, UTC) if ts else datetime(2026, 1, 1, tzinfo=UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def feed_title(query: SearchQuery, ref: Reference) -> str:
    parts = [ref.label(f.name, v) for f in FACETS if f.labels for v in query.selected(f.name)]
    if query.text:
        parts.append(f"«{query.text}»")
    title = "Муниципальные практики"
    return title + (": " + ", ".join(parts) if parts else "")


def entry_content(doc: dict[str, Any], ref: Reference, adoptions: int = 0) -> str:
    """The entry as a small HTML fragment; every value escaped (Atom type="html")."""
    where = ", ".join(x for x in (doc.get("municipality"), ref.label("region", doc["region"])) if x)
    rows = [f"<p><strong>{html.escape(where)}</strong></p>"]
    for label, key in (("Кратко", "summary"), ("Проблема", "problem"), ("Решение", "solution"), ("Результат", "outcome")):
        if doc.get(key):
            rows.append(f"<h3>{label}</h3><p>{html.escape(doc[key])}</p>")
    if adoptions:
        rows.append(f"<p>Внедрена ещё в {plural_words(adoptions, 'муниципалитете', 'муниципалитетах', 'муниципалитетах')}</p>")
    return "".join(rows)


def plural_words(n: int, one: str, few: str, many: str) -> str:
    return f"{n} {plural(n, one, few, many)}"


def _entry(feed: ET.Element, hit: Hit, ref: Reference, base: str, host: str, adoptions: int) -> None:
    doc = hit.document
    entry = _el(feed, "entry")
    _el(entry, "id", f"tag:{host},{TAG_DATE}:practice:{hit.id}")
    _el(entry, "title", doc["title"], type="text")
    _el(entry, "updated", _iso(doc.get("updated_at") or doc.get("published_at")))
    _el(entry, "published", _iso(doc.get("published_at")))
    _el(entry, "link", rel="alternate", type="text/html", href=card_url(base, hit.slug))
    _el(entry, "link", rel="related", type="application/json", href=f"{base}/api/v1/practices/{hit.id}")
    if doc.get("summary"):
        _el(entry, "summary", doc["summary"], type="text")
    _el(entry, "content", entry_content(doc, ref, adoptions), type="html")
    _el(entry, "category", term=doc["region"], label=ref.label("region", doc["region"]), scheme=f"{base}/api/v1/regions")
    for slug in doc.get("themes") or []:
        _el(entry, "category", term=slug, label=ref.label("theme", slug), scheme=f"{base}/api/v1/themes")


def feed_filters(query: SearchQuery) -> list[tuple[str, str]]:
    """The search as canonical URL parameters, where `newest` is the feed's default order."""
    if query.sort == "newest":
        return to_params(replace(query, sort="relevance"), include_paging=False)
    params = to_params(query, include_paging=False)
    return params + [("sort", "relevance")] if query.sort == "relevance" else params


def build_feed(query: SearchQuery, result: SearchResult, ref: Reference, base: str,
               adoptions: dict[int, int] | None = None) -> bytes:
    """The feed; `adoptions`: approved adoption reports per practice id (said in each entry)."""
    host = tag_host(base)
    filters = feed_filters(query)
    page_params = filters + [(k, v) for k, v in to_params(query, page=1, default_per_page=FEED_PER_PAGE) if k == "per_page"]

    def feed_url(page: int) -> str:
        params = page_params + ([("page", str(page))] if page != 1 else [])
        return f"{base}/feeds/practices.atom" + ("?" + urlencode(params) if params else "")

    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "ru"})
    _el(feed, "id", f"tag:{host},{TAG_DATE}:practices" + ("?" + urlencode(filters) if filters else ""))
    _el(feed, "title", feed_title(query, ref), type="text")
    _el(feed, "subtitle", "Каталог лучших муниципальных практик: новые и обновлённые практики", type="text")
    stamps = [h.document.get("updated_at") or h.document.get("published_at") or 0 for h in result.hits]
    _el(feed, "updated", _iso(max(stamps) if stamps else None))
    author = _el(feed, "author")
    _el(author, "name", "Каталог лучших муниципальных практик")
    _el(author, "uri", base + "/")
    _el(feed, "link", rel="self", type="application/atom+xml", href=feed_url(query.page))
    search_qs = urlencode(to_params(query, include_paging=False))
    _el(feed, "link", rel="alternate", type="text/html", href=f"{base}/practices" + ("?" + search_qs if search_qs else ""))
    if query.page < min(result.pages, MAX_PAGE):
        _el(feed, "link", rel="next", type="application/atom+xml", href=feed_url(query.page + 1))
    if query.page > 1:
        _el(feed, "link", rel="previous", type="application/atom+xml", href=feed_url(query.page - 1))
    _el(feed, "generator", "practices", uri=base + "/about/api")
    for hit in result.hits:
        _entry(feed, hit, ref, base, host, (adoptions or {}).get(hit.id, 0))
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


@router.get(
    "/feeds/practices.atom",
    summary="Лента Atom по любому поиску",
    description="Те же параметры, что у поиска; по умолчанию сначала новые. Стабильные id вида "
    "`tag:<host>,2026:practice:<id>`; страницы связаны ссылками `next`/`previous`.",
    response_class=Response,
    responses={
        200: {"description": "Лента Atom 1.0", "content": {"application/atom+xml": {"schema": {"type": "string"},
              "example": '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">'
                         '<title>Муниципальные практики</title><id>tag:practices.example.ru,2026:feed</id>'
                         '<updated>2026-11-20T09:30:00Z</updated><entry><id>tag:practices.example.ru,2026:practice:42</id>'
                         '<title>Юнармейские отряды в школах Белгородского района</title>'
                         '<link href="https://practices.example.ru/practices/yunarmiya-belgorod"/>'
                         '<updated>2026-11-20T09:30:00Z</updated></entry></feed>'}}},
        304: NOT_MODIFIED,
        400: BAD_REQUEST,
        503: UNAVAILABLE,
    },
    openapi_extra=documented(FEED.model),
)
def practices_feed(
    request: Request, query: FeedQueryDep, index: SearchDep, ref: ReferenceDep, settings: SettingsDep,
    session: SessionDep,
) -> Response:
    query = replace(query, facets=())
    result = search_or_503(index, query)
    adoptions = queries.adoption_counts(session, [h.id for h in result.hits]) if result.hits else {}
    body = build_feed(query, result, ref, public_base(request, settings), adoptions)
    return cached_response(request, body, MEDIA_TYPE, LIST_MAX_AGE)
