"""Highlighted snippets, one highlighter for both engines: text HTML-escaped, matched words in
<mark>…</mark>, long texts cropped around the first match.

Engines say what matched as a `Matcher` (the word keys that matched, the prefixes of an
unfinished last word, and query words whose typo matches the engine did not list); a word of the
original text is marked when its keys, its prefix or its distance say so. Only this code writes
`<mark>`, so user text can never inject markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from app.search import typos
from app.search.morphology import FAMILY, word_keys
from app.search.text import fold

# A word of the original text as the reader sees it (any script, digits, ё, combining marks).
_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
CROP_WORDS = 30  # longer texts (all but titles) are cut to this many words around the first match


@dataclass(frozen=True)
class Matcher:
    keys: frozenset[str] = frozenset()  # word keys that matched
    prefixes: tuple[str, ...] = ()  # a word (or its stem) starting with one of these matched
    fuzzy: tuple[tuple[str, int], ...] = ()  # (stem, typos allowed): a stem that close matched
    # Answers so far: a page shows the same words many times, and the engines keep a query's
    # matcher for its repeats.
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, word: str) -> bool:
        answer = self._seen.get(word)
        if answer is None:
            answer = self._seen[word] = self._matches(word)
        return answer

    def _matches(self, word: str) -> bool:
        folded = fold(word)
        if not folded:
            return False
        keys = word_keys(folded)
        if keys.stem in self.keys or keys.family in self.keys or FAMILY + keys.family in self.keys:
            return True
        if any(folded.startswith(p) or keys.stem.startswith(p) for p in self.prefixes):
            return True
        return any(typos.distance(keys.stem, s, k) <= k for s, k in self.fuzzy)

    def __bool__(self) -> bool:
        return bool(self.keys or self.prefixes or self.fuzzy)


def highlight(text: str, matcher: Matcher | None, crop: int | None = CROP_WORDS) -> str:
    """`text` escaped, each matched word wrapped in <mark>; with `crop`, a text longer than `crop`
    words is cut to a window starting a little before the first match, "…" marking the cuts."""
    text = text or ""
    test = matcher if matcher else None
    spans = [m.span() for m in _WORD.finditer(text)]
    start, end = 0, len(spans)
    if crop and len(spans) > crop:
        first = next((i for i, (a, b) in enumerate(spans) if test(text[a:b])), 0) if test else 0
        start = max(0, min(first - crop // 4, len(spans) - crop))
        end = start + crop
    position = spans[start][0] if start > 0 else 0
    last = spans[end - 1][1] if end < len(spans) else len(text)
    out: list[str] = ["… "] if start > 0 else []
    if test:
        for a, b in spans[start:end]:
            word = text[a:b]
            if test(word):
                out.append(html.escape(text[position:a]))
                out.append(f"<mark>{html.escape(word)}</mark>")
                position = b
    out.append(html.escape(text[position:last]))
    if end < len(spans):
        out.append(" …")
    return "".join(out)
