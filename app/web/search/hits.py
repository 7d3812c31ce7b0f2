"""Search hits as the page shows them: highlighted title and snippet, place, year, themes."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.catalogue.reference import Reference
from app.search.base import SearchResult


@dataclass
class HitView:
    slug: str
    title: Markup
    summary: Markup
    region: str
    municipality: str
    year: int | None
    themes: list[str]


def _snippet(hit_highlights: dict[str, str], key: str, plain: str, limit: int | None = None) -> Markup:
    snippet = hit_highlights.get(key)
    if snippet:
        # Safe: the SearchIndex contract (app/search/base.py, Hit.highlights) returns snippets
        # whose text is already HTML-escaped, with only <mark>…</mark> added around matches.
        return Markup(snippet)
    if limit and len(plain) > limit:
        plain = plain[:limit].rsplit(" ", 1)[0] + "…"
    return escape(plain)


def hit_views(result: SearchResult, ref: Reference) -> list[HitView]:
    out = []
    for hit in result.hits:
        doc = hit.document
        out.append(
            HitView(
                slug=hit.slug,
                title=_snippet(hit.highlights, "title", doc.get("title", "")),
                summary=_snippet(hit.highlights, "summary", doc.get("summary", ""), limit=300),
                region=doc.get("region_name") or ref.label("region", doc.get("region", "")),
                municipality=doc.get("municipality") or "",
                year=doc.get("year_started"),
                themes=[ref.label("theme", t) for t in doc.get("themes", [])],
            )
        )
    return out
