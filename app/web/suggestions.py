"""The helpful empty state: which filter to remove, and similar spellings that do find something.

Every suggestion is checked with a real search before it is offered, so a suggestion never
leads to another empty page. At most MAX_PROBES extra searches run, only when nothing was found.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit
from weakref import WeakKeyDictionary

from app.catalogue.reference import Reference
from app.search.base import SearchIndex, SearchQuery
from app.search.params import parse_search
from app.search.text import fold
from app.web.search_view import chips, href

MAX_PROBES = 8
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё"
_PAIRS = dict(zip(_LATIN, _CYRILLIC, strict=True))
_PAIRS.update({k.upper(): v.upper() for k, v in _PAIRS.items() if k.isalpha()})
_LAYOUT = str.maketrans(_PAIRS)
_WORD = re.compile(r"[a-zа-яё]+", re.IGNORECASE)
_vocabularies: WeakKeyDictionary[Reference, set[str]] = WeakKeyDictionary()


@dataclass
class Suggestion:
    text: str  # a filter to remove («Тема: Образование») or another spelling of the query
    href: str
    total: int


def _vocabulary(ref: Reference) -> set[str]:
    """Words people search for that we know how to spell: names of regions, themes, types."""
    if ref not in _vocabularies:
        words: set[str] = set()
        for rows in (ref.regions.values(), ref.themes.values(), ref.municipality_types.values()):
            for row in rows:
                text = " ".join(filter(None, [row.name, getattr(row, "description", None)]))
                words.update(w for w in _WORD.findall(fold(text)) if len(w) >= 4)
        _vocabularies[ref] = words
    return _vocabularies[ref]


def spellings(text: str, ref: Reference) -> list[str]:
    """Other ways to read the text: typed in the wrong keyboard layout, or with a misspelt word."""
    out = []
    if re.search(r"[a-z]", text, re.IGNORECASE) and not re.search(r"[а-яё]", text, re.IGNORECASE):
        swapped = text.translate(_LAYOUT)
        if swapped != text:
            out.append(swapped)
    vocabulary = _vocabulary(ref)
    words = _WORD.findall(text)
    corrected = []
    for word in words:
        folded = fold(word)
        if len(folded) < 4 or folded in vocabulary:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(folded, vocabulary, n=1, cutoff=0.75)
        corrected.append(close[0] if close else word)
    if corrected != words:
        out.append(" ".join(corrected))
    return [s for s in dict.fromkeys(out) if fold(s) != fold(text)]


def suggest(index: SearchIndex, query: SearchQuery, ref: Reference) -> tuple[list[Suggestion], list[Suggestion]]:
    """(filters to remove, other spellings) that each find at least one practice."""
    probes = 0

    def total(q: SearchQuery) -> int:
        nonlocal probes
        probes += 1
        return index.search(replace(q, page=1, per_page=1, facets=())).total

    removals = []
    for chip in chips(query, ref):
        if probes >= MAX_PROBES:
            break
        relaxed = _without(query, chip.remove_href)
        found = total(relaxed)
        if found:
            removals.append(Suggestion(f"{chip.facet_title}: {chip.label}", chip.remove_href, found))
    others = []
    for text in spellings(query.text, ref) if query.text else []:
        if probes >= MAX_PROBES:
            break
        candidate = replace(query, text=text, page=1)
        found = total(candidate)
        if found:
            others.append(Suggestion(text, href(candidate), found))
    return removals, others


def _without(query: SearchQuery, remove_href: str) -> SearchQuery:
    """The query a chip's removal link leads to (parsed back from the link: one source of truth)."""
    params = parse_qs(urlsplit(remove_href).query)
    relaxed, _ = parse_search(params, default_per_page=query.per_page)
    return relaxed
