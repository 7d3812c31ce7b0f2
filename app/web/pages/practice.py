"""The practice card `/practices/{slug}`: read from the database (the truth), published only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.catalogue.practices import queries
from app.catalogue.reference import Reference
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.links import public_base
from app.models import Practice
from app.settings import Settings
from app.web.adoption_form import adoption_form_context
from app.web.awards import AwardView, award_views
from app.web.social import Social
from app.web.templating import render

router = APIRouter(include_in_schema=False)
RELATED = 6
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_ld(practice: Practice, url: str, awards: Sequence[AwardView] = ()) -> Markup:
    """schema.org description of the card, safe inside <script type="application/ld+json">."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": practice.title,
        "description": practice.summary or practice.solution or practice.title,
        "inLanguage": "ru",
        "keywords": [t.name for t in practice.themes],
        "about": [{"@type": "Thing", "name": t.name} for t in practice.themes],
        "spatialCoverage": {
            "@type": "Place",
            "name": ", ".join(filter(None, [practice.municipality, practice.region.name])),
            "address": {
                "@type": "PostalAddress",
                "addressCountry": "RU",
                "addressRegion": practice.region.name,
                **({"addressLocality": practice.municipality} if practice.municipality else {}),
            },
        },
        "dateCreated": practice.created_at.isoformat(),
        "dateModified": practice.updated_at.isoformat(),
    }
    if practice.published_at:
        data["datePublished"] = practice.published_at.isoformat()
    if practice.year_started:
        data["temporalCoverage"] = f"{practice.year_started}/.."
    if practice.source_url:
        data["isBasedOn"] = practice.source_url
    if awards:
        data["award"] = [a.schema_text for a in awards]
    if practice.contact_public and practice.contact_organisation:
        data["author"] = {"@type": "Organization", "name": practice.contact_organisation}
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    # Safe: json.dumps output with <, >, & and line separators escaped as \\uXXXX, so no user
    # text can close the <script> element or open a comment; the JSON still parses the same.
    return Markup(text)


def card_context(request: Request, session: Session, settings: Settings, ref: Reference, practice: Practice,
                 **extra: Any) -> dict[str, Any]:
    """What practice.html needs: the public page and the moderators' preview render the same."""
    url = f"{public_base(request, settings)}/practices/{practice.slug}"
    awards = award_views(practice.awards, ref)
    return {
        "practice": practice,
        "canonical": url,
        "json_ld": json_ld(practice, url, awards),
        "awards": awards,
        "district": ref.district_of(practice.region_code),
        "social": Social(practice.title, practice.summary or practice.solution or practice.title, url, "article"),
        "related": queries.related(session, practice, RELATED),
        "show_contact": practice.contact_public and any(
            (practice.contact_organisation, practice.contact_person, practice.contact_email,
             practice.contact_phone, practice.contact_website)
        ),
        "preview": False,
        "adoption": None,  # the adoption form's state, when it was posted (app.web.pages.adoption)
        "adoption_sent": request.query_params.get("adoption") == "sent",
        **extra,
    }


def published(session: Session, slug: str) -> Practice:
    practice = queries.get_public(session, slug) if len(slug) <= 120 else None
    if practice is None:
        # Pending, rejected and archived practices are as absent as unknown ones.
        raise HTTPException(404, "Такой практики нет в каталоге или она ещё не опубликована.")
    return practice


@router.get("/practices/{slug}", response_class=HTMLResponse)
def practice_page(slug: str, request: Request, session: SessionDep, settings: SettingsDep,
                  ref: ReferenceDep) -> Response:
    practice = published(session, slug)
    if slug != practice.slug:  # found by id: send people (and search engines) to the one address
        return RedirectResponse(f"/practices/{practice.slug}", status_code=301)
    return render(request, "practice.html", card_context(request, session, settings, ref, practice,
                                                         **adoption_form_context(ref)))
