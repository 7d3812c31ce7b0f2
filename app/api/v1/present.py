"""Search hits and practices as API models (public fields only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from app.api.v1.models import (
    AdoptionOut,
    AwardOut,
    CompetitionRef,
    ContactOut,
    DocumentOut,
    Links,
    MunicipalityTypeRef,
    NominationRef,
    OutcomeFigureOut,
    PracticeCard,
    RegionRef,
    ThemeRef,
)
from app.catalogue.practices.schemas import PLACE_LABELS
from app.catalogue.reference import Reference
from app.models import Adoption, Award, Practice
from app.search.base import Hit, SearchQuery, SearchResult
from app.search.facets import NAMES
from app.search.params import MAX_PAGE, to_params


def card_url(base: str, slug: str) -> str:
    return f"{base}/practices/{quote(slug)}"


def api_url(base: str, practice_id: int) -> str:
    return f"{base}/api/v1/practices/{practice_id}"


def as_utc(value: float | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)


def hit_item(hit: Hit, ref: Reference, base: str) -> dict[str, Any]:
    """A `PracticeItem` as plain data: the search answers dicts serialised as they are (see
    `app.api.v1.practices.list_practices`)."""
    doc: dict[str, Any] = hit.document
    region, kind = doc["region"], doc["municipality_type"]
    return {
        "id": hit.id,
        "slug": hit.slug,
        "title": doc["title"],
        "summary": doc.get("summary") or None,
        "region": {"code": region, "name": ref.label("region", region)},
        "municipality": doc.get("municipality") or None,
        "municipality_type": {"slug": kind, "name": ref.label("municipality_type", kind)},
        "themes": [{"slug": s, "name": ref.label("theme", s)} for s in doc.get("themes") or []],
        "year_started": doc.get("year_started"),
        "updated": as_utc(doc.get("updated_at") or doc.get("published_at")) or datetime.now(UTC),
        "url": card_url(base, hit.slug),
        "api_url": api_url(base, hit.id),
        "highlights": dict(hit.highlights),
    }


def award_out(award: Award, ref: Reference) -> AwardOut:
    competition = ref.competitions.get(award.competition_slug)
    nomination = ref.nominations.get(award.nomination_slug) if award.nomination_slug else None
    return AwardOut(
        competition=CompetitionRef(
            slug=award.competition_slug,
            name=competition.name if competition else award.competition_slug,
            short_name=competition.short_name if competition else None,
        ),
        year=award.year,
        nomination=NominationRef(slug=nomination.slug, name=nomination.name) if nomination else None,
        category=award.category,
        place=award.place,
        place_label=PLACE_LABELS.get(award.place) if award.place else None,
        prize=award.prize,
        source_url=award.source_url,
    )


def adoption_out(adoption: Adoption) -> AdoptionOut:
    assert adoption.id is not None
    return AdoptionOut(
        id=adoption.id,
        municipality=adoption.municipality,
        region=RegionRef(code=adoption.region_code, name=adoption.region.name),
        municipality_type=MunicipalityTypeRef(slug=adoption.municipality_type_slug, name=adoption.municipality_type.name),
        year=adoption.year,
        what_changed=adoption.what_changed,
        outcome_figures=[OutcomeFigureOut.model_validate(f) for f in adoption.outcome_figures or []],
        approved_at=as_utc(adoption.moderated_at),
    )


def practice_card(practice: Practice, ref: Reference, base: str) -> PracticeCard:
    assert practice.id is not None
    contact = None
    if practice.contact_public:
        contact = ContactOut(
            organisation=practice.contact_organisation,
            person=practice.contact_person,
            email=practice.contact_email,
            phone=practice.contact_phone,
            website=practice.contact_website,
        )
        if not any(contact.model_dump().values()):
            contact = None
    return PracticeCard(
        id=practice.id,
        slug=practice.slug,
        title=practice.title,
        summary=practice.summary,
        problem=practice.problem,
        solution=practice.solution,
        outcome=practice.outcome,
        outcome_figures=[OutcomeFigureOut.model_validate(f) for f in practice.outcome_figures or []],
        region=RegionRef(code=practice.region_code, name=practice.region.name),
        municipality=practice.municipality,
        municipality_type=MunicipalityTypeRef(slug=practice.municipality_type_slug, name=practice.municipality_type.name),
        themes=[ThemeRef(slug=t.slug, name=t.name) for t in sorted(practice.themes, key=lambda t: t.slug)],
        year_started=practice.year_started,
        resources=practice.resources,
        partners=practice.partners,
        contact=contact,
        source_url=practice.source_url,
        sources=list(practice.sources or []),
        documents=[DocumentOut.model_validate(d) for d in practice.documents or []],
        awards=[award_out(a, ref) for a in practice.awards],
        adoptions=[adoption_out(a) for a in practice.adoptions],
        verified_at=practice.verified_at,
        published_at=as_utc(practice.published_at),
        updated_at=as_utc(practice.updated_at) or datetime.now(UTC),
        url=card_url(base, practice.slug),
        api_url=api_url(base, practice.id),
    )


def list_params(query: SearchQuery, page: int, facets_given: str | None) -> list[tuple[str, str]]:
    """The canonical query string of one page of this search (what `links` point to)."""
    params = to_params(query, page=page)
    if facets_given is not None and query.facets != NAMES:
        params.append(("facets", ",".join(query.facets)))
    return params


def page_links(base_path: str, query: SearchQuery, result: SearchResult, facets_given: str | None) -> Links:
    def url(page: int) -> str:
        qs = urlencode(list_params(query, page, facets_given))
        return base_path + ("?" + qs if qs else "")

    last = min(result.pages, MAX_PAGE)
    return Links(
        self_=url(query.page),
        next=url(query.page + 1) if query.page < last else None,
        prev=url(min(query.page - 1, last)) if query.page > 1 else None,
    )


# Proxies refuse an answer whose headers outgrow their buffer (nginx: 4 or 8 KB by default), and
# a list URL may name hundreds of filter values: longer links stay in the body's `links` only.
MAX_LINK_HEADER = 4096


def link_header(links: Links) -> dict[str, str]:
    """The `Link` header of a list's page, or none when it would be longer than MAX_LINK_HEADER."""
    parts = [f'<{links.self_}>; rel="self"']
    if links.next:
        parts.append(f'<{links.next}>; rel="next"')
    if links.prev:
        parts.append(f'<{links.prev}>; rel="prev"')
    value = ", ".join(parts)
    return {"Link": value} if len(value) <= MAX_LINK_HEADER else {}
