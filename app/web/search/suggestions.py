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
from app.search.facets import BY_NAME
from app.search.params import PAGE, toggle
from app.search.text import fold
from app.web.search.view import chips, href

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


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def matching_filters(text: str, ref: Reference, limit: int = 3) -> list[tuple[str, str, str]]:
    """(facet, value, label) of themes and regions whose names look like a word of the text.

    «молодежь» finds the theme «Молодёжная политика…», «белгород» the region «Белгородская
    область»: a shared beginning of at least five letters (Russian words differ by endings).
    """
    words = [w for w in _WORD.findall(fold(text)) if len(w) >= 5]
    out = []
    for facet, rows in (("theme", ref.themes), ("region", ref.regions)):
        for value, row in rows.items():
            names = _WORD.findall(fold(row.name))
            if any(_shared_prefix(w, n) >= min(5, len(w)) and len(n) >= 5 for w in words for n in names):
                out.append((facet, value, row.name))
    return out[:limit]


@dataclass
class Suggestions:
    spellings: list[Suggestion]  # the text spelt differently
    filters: list[Suggestion]  # a theme or region instead of the text
    removals: list[Suggestion]  # a selection to drop


def suggest(index: SearchIndex, query: SearchQuery, ref: Reference) -> Suggestions:
    """Ways out of an empty result, each checked to find at least one practice (most useful first)."""
    probes = 0
    found = Suggestions([], [], [])

    def offer(into: list[Suggestion], text: str, candidate: SearchQuery, link: str | None = None) -> None:
        nonlocal probes
        if probes >= MAX_PROBES:
            return
        probes += 1
        total = index.search(replace(candidate, page=1, per_page=1, facets=())).total
        if total:
            into.append(Suggestion(text, link or href(candidate), total))

    if query.text:
        for text in spellings(query.text, ref):
            offer(found.spellings, text, replace(query, text=text, page=1))
        for facet, value, label in matching_filters(query.text, ref):
            if value not in query.selected(facet):
                offer(found.filters, f"{BY_NAME[facet].title}: {label}", toggle(replace(query, text=""), facet, value))
    for chip in chips(query, ref):
        offer(found.removals, f"{chip.facet_title}: {chip.label}", _parsed(chip.remove_href), chip.remove_href)
    return found


def _parsed(remove_href: str) -> SearchQuery:
    """The query a chip's removal link leads to (parsed back from the link: one source of truth)."""
    params = parse_qs(urlsplit(remove_href).query)
    relaxed, _ = PAGE.parse(params)
    return relaxed
