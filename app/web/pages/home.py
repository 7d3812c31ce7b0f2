"""The home page: a search box, counts by theme and federal district, a chart, the newest practices."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.catalogue.practices import queries
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SearchDep, SessionDep
from app.search.base import SearchIndex, SearchQuery, SearchUnavailable
from app.web.templating import render

router = APIRouter(include_in_schema=False)
NEWEST = 8
TOP_REGIONS = 10


@dataclass
class Count:
    label: str
    count: int
    href: str  # empty: nothing to link to


@dataclass
class Bar:
    label: str
    count: int
    href: str
    y: int
    width: int  # of the bar, in chart units


@dataclass
class BarChart:
    """A horizontal bar chart drawn on the server as inline SVG (no scripts, no other hosts)."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int


def bar_chart(items: list[Count], width: int = 640, label_width: int = 230, bar_height: int = 26) -> BarChart:
    gap = 10
    room = width - label_width - 48  # space for the count after the longest bar
    top = max((c.count for c in items), default=0) or 1
    bars = [
        Bar(c.label, c.count, c.href, i * (bar_height + gap), max(2, round(room * c.count / top)) if c.count else 0)
        for i, c in enumerate(items)
    ]
    return BarChart(bars, width, max(1, len(items) * (bar_height + gap) - gap), label_width, bar_height)


def facet_counts(index: SearchIndex) -> dict[str, dict[str, int]] | None:
    """Published practices per district, region and theme, from the index's facets; None if it is down."""
    try:
        result = index.search(SearchQuery(per_page=0, facets=("district", "region", "theme")))
    except SearchUnavailable:
        return None
    return {name: {c.value: c.count for c in counts} for name, counts in result.facets.items()}


def district_counts(districts: dict[str, int], ref: Reference) -> list[Count]:
    """Every federal district with its count; a link selects the district itself (`?district=`),
    so a bookmark keeps meaning every region of it."""
    out = [
        Count(d.name, districts.get(slug, 0), "/practices?" + urlencode({"district": slug}) if districts.get(slug) else "")
        for slug, d in ref.districts.items()
    ]
    return sorted(out, key=lambda c: (-c.count, c.label))


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, index: SearchDep, ref: ReferenceDep) -> HTMLResponse:
    total = queries.count(session)
    newest = queries.newest(session, NEWEST)
    counts = facet_counts(index)
    context: dict[str, object] = {"total": total, "newest": newest, "counts_available": counts is not None}
    if counts is not None:
        regions, themes = counts.get("region", {}), counts.get("theme", {})
        districts = district_counts(counts.get("district", {}), ref)
        top_regions = sorted(regions.items(), key=lambda kv: (-kv[1], ref.label("region", kv[0])))[:TOP_REGIONS]
        context |= {
            "districts": districts,
            "district_chart": bar_chart(districts),
            "region_chart": bar_chart(
                [Count(ref.label("region", code), n, f"/regions/{code}") for code, n in top_regions]
            ),
            "themes": sorted(
                (Count(t.name, themes.get(slug, 0), f"/themes/{slug}") for slug, t in ref.themes.items()),
                key=lambda c: (-c.count, c.label),
            ),
        }
    return render(request, "home.html", context)
