"""Highlighted snippets for Meilisearch hits, made here rather than by the engine.

The query goes to Meilisearch as stems, so the engine's own `_formatted` output would miss
word forms in the original fields ("юнармейск" does not mark "юнармейских"), and it does not
HTML-escape the original text. Here each word of the original text is folded and stemmed the
way documents are indexed and compared with the query's terms; the text between words is
HTML-escaped, and only this code writes `<mark>`, so user text can never inject markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from app.search.meili.settings import STOP_WORDS, SYNONYMS
from app.search.text import stem, tokens

# A word of the original text: letters and digits, with combining marks (a decomposed ё) inside.
_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
_STOP = frozenset(STOP_WORDS)
CROP_WORDS = 30  # longer texts are cut to this many words around the first match (as local)


@dataclass(frozen=True)
class Term:
    folded: str
    stem: str
    prefix: bool  # the last word of the query also matches as a prefix (typing)

    @property
    def typos(self) -> int:
        """Typos Meilisearch allows for this query word (defaults: 1 from 5 letters, 2 from 9)."""
        size = len(self.stem)
        return 2 if size >= 9 else 1 if size >= 5 else 0


def query_words(text: str) -> list[str]:
    """The folded words of a query that take part in matching (stop words left out)."""
    words = tokens(text)
    kept = [w for w in words if w not in _STOP]
    return kept or words


def query_terms(text: str) -> list[Term]:
    words = query_words(text)
    terms = [Term(w, stem(w), i == len(words) - 1) for i, w in enumerate(words)]
    # Abbreviation synonyms: "тос" also marks "территориального общественного самоуправления".
    stems = " ".join(t.stem for t in terms)
    for key, alternatives in SYNONYMS.items():
        if re.search(rf"(?:^| ){re.escape(key)}(?: |$)", stems):
            terms += [Term(w, w, False) for alt in alternatives for w in alt.split()]
    return terms


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one typo), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _matches(word: str, terms: list[Term]) -> bool:
    for token in tokens(word):
        token_stem = stem(token)
        for term in terms:
            if token_stem == term.stem or token == term.folded:
                return True
            if term.prefix and (token.startswith(term.stem) or token.startswith(term.folded)):
                return True
            if term.typos and _distance(token_stem, term.stem, term.typos) <= term.typos:
                return True
            if term.prefix and term.typos:
                size = len(term.stem)
                for cut in range(max(1, size - term.typos), size + term.typos + 1):
                    if _distance(token[:cut], term.stem, term.typos) <= term.typos:
                        return True
    return False


def highlight(text: str, terms: list[Term], crop: int | None = None) -> str:
    """`text` HTML-escaped, matched words wrapped in <mark>…</mark>, cut to `crop` words."""
    words = list(_WORD.finditer(text))
    marked = [bool(terms) and _matches(m.group(), terms) for m in words]
    start, end = 0, len(words)
    if crop and len(words) > crop:
        first = next((i for i, hit in enumerate(marked) if hit), 0)
        start = max(0, min(first - crop // 4, len(words) - crop))
        end = start + crop
    out: list[str] = []
    if start > 0:
        out.append("… ")
    position = words[start].start() if start > 0 else 0
    for match, hit in zip(words[start:end], marked[start:end], strict=True):
        out.append(html.escape(text[position : match.start()]))
        word = html.escape(match.group())
        out.append(f"<mark>{word}</mark>" if hit else word)
        position = match.end()
    if end < len(words):
        out.append(" …")
    else:
        out.append(html.escape(text[position:]))
    return "".join(out)
