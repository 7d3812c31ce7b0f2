"""Ways on from a search: the filter a query names («Искать только: Алтайский край»), and for an
empty result which selection to remove.

Every suggestion is checked with a real search before it is offered, so it never leads to an
empty page; at most MAX_PROBES extra searches run. (Typos, word forms, other keyboard layouts and
transliterations are the search's own business: app.search.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

from app.catalogue.reference import Reference
from app.search.base import SearchIndex, SearchQuery
from app.search.facets import BY_NAME
from app.search.params import PAGE, toggle
from app.search.thesaurus import Thesaurus
from app.web.search.names import recognise
from app.web.search.view import chips, href

MAX_PROBES = 6


@dataclass
class Suggestion:
    text: str  # a filter to add or to remove («Тема: Образование»)
    href: str
    total: int


@dataclass
class Suggestions:
    filters: list[Suggestion]  # a region, theme or type the query names, as a filter
    removals: list[Suggestion]  # a selection to drop (only when nothing was found)


class _Prober:
    def __init__(self, index: SearchIndex) -> None:
        self.index, self.left = index, MAX_PROBES

    def total(self, candidate: SearchQuery) -> int:
        if self.left <= 0:
            return 0
        self.left -= 1
        return self.index.search(replace(candidate, page=1, per_page=0, facets=())).total


def suggest(
    index: SearchIndex, query: SearchQuery, total: int, ref: Reference, thesaurus: Thesaurus
) -> Suggestions:
    """Filters the query names (each narrowing a non-empty result, or finding something when the
    text alone found nothing), and, for an empty result, selections to remove."""
    probe = _Prober(index)
    found = Suggestions([], [])
    if query.text:
        for name in recognise(query.text, ref, thesaurus):
            if name.value in query.selected(name.facet):
                continue
            # With results, the filter narrows them; without, it stands in for the words.
            candidate = toggle(query if total else replace(query, text=""), name.facet, name.value)
            n = probe.total(candidate)
            if n and (n < total or not total):
                found.filters.append(Suggestion(f"{BY_NAME[name.facet].title}: {name.label}", href(candidate), n))
    if not total:
        for chip in chips(query, ref):
            relaxed = _parsed(chip.remove_href)
            if n := probe.total(relaxed):
                found.removals.append(Suggestion(f"{chip.facet_title}: {chip.label}", chip.remove_href, n))
    return found


def _parsed(remove_href: str) -> SearchQuery:
    """The query a chip's removal link leads to (parsed back from the link: one source of truth)."""
    params = parse_qs(urlsplit(remove_href).query)
    relaxed, _ = PAGE.parse(params)
    return relaxed
