"""A practice's awards as the card shows them: names from the reference tables (a slug is a code,
never something people read), places and categories in words, and the filtered search of the
same competition and year."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from app.catalogue.practices.schemas import CATEGORY_LABELS, PLACE_LABELS
from app.catalogue.reference import Reference
from app.models import Award


@dataclass(frozen=True)
class AwardView:
    competition: str  # the competition's full name
    year: int
    place: str | None  # «победитель», «лауреат», «1-е место»
    nomination: str | None
    category: str | None  # «I категория (городские …)»
    prize: str | None
    source_url: str | None
    search_href: str  # the practices with an award of this competition in this year

    @property
    def schema_text(self) -> str:
        """One line for schema.org `award` (text): competition, year, place, nomination."""
        parts = [f"{self.competition}, {self.year}"]
        if self.place:
            parts.append(self.place)
        if self.nomination:
            parts.append(f"номинация «{self.nomination}»")
        return " — ".join(parts)


def _competition_name(ref: Reference, slug: str) -> str:
    competition = ref.competitions.get(slug)
    # The foreign key keeps every award's competition in the table; the fallback only guards a
    # reference read before `migrate` loaded a new row.
    return competition.name if competition is not None else slug


def award_view(award: Award, ref: Reference) -> AwardView:
    nomination = ref.nominations.get(award.nomination_slug) if award.nomination_slug else None
    return AwardView(
        competition=_competition_name(ref, award.competition_slug),
        year=award.year,
        place=PLACE_LABELS.get(award.place) if award.place else None,
        nomination=nomination.name if nomination is not None else None,
        category=CATEGORY_LABELS.get(award.category) if award.category else None,
        prize=award.prize,
        source_url=award.source_url,
        search_href="/practices?" + urlencode({"award": f"{award.competition_slug}:{award.year}"}),
    )


def award_views(awards: list[Award], ref: Reference) -> list[AwardView]:
    """Newest first: the latest recognition is what a reader looks for."""
    return sorted((award_view(a, ref) for a in awards), key=lambda a: -a.year)
