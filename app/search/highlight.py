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
from functools import lru_cache

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

    def marked(self, parts: list[str]) -> list[int]:
        """The positions of the matched words in `parts` (separator, word, separator, …)."""
        seen = self._seen
        out = []
        for i in range(1, len(parts), 2):
            hit = seen.get(parts[i])
            if hit is None:
                hit = seen[parts[i]] = self._matches(parts[i])
            if hit:
                out.append(i)
        return out

    def _matches(self, word: str) -> bool:
        forms = _forms(word)
        if forms is None:
            return False
        folded, stem, family, marked = forms
        if stem in self.keys or family in self.keys or marked in self.keys:
            return True
        if self.prefixes and (folded.startswith(self.prefixes) or stem.startswith(self.prefixes)):
            return True
        return bool(self.fuzzy) and any(typos.distance(stem, s, k) <= k for s, k in self.fuzzy)

    def __bool__(self) -> bool:
        return bool(self.keys or self.prefixes or self.fuzzy)


@lru_cache(maxsize=50_000)  # about 18 MB when full (200,000 would be 70 MB a worker)
def _forms(word: str) -> tuple[str, str, str, str] | None:
    """A word of a text as a matcher compares it (folded, stem, family, marked family), kept
    across queries: each new query's matcher meets mostly words that pages showed before."""
    folded = fold(word)
    if not folded:
        return None
    keys = word_keys(folded)
    return folded, keys.stem, keys.family, FAMILY + keys.family


def highlight(text: str, matcher: Matcher | None, crop: int | None = CROP_WORDS) -> str:
    """`text` escaped, each matched word wrapped in <mark>; with `crop`, a text longer than `crop`
    words is cut to a window starting a little before the first match, "…" marking the cuts.

    Written for speed (forty snippets a results page): the text is split into separators and
    words in one call, the matched words are wrapped in two control characters, and the window is
    escaped in one call before those become the tags. A word never holds a character HTML
    escapes, nor a control character, so escaping the window is escaping each piece.
    """
    text = text or ""
    if _OPEN in text or _CLOSE in text:  # never in cleaned text; as marks they would be forged
        text = text.translate(_NO_MARKERS)
    parts = _SPLIT.split(text)  # separator, word, separator, …, word, separator
    n = len(parts) // 2  # words
    marked = matcher.marked(parts) if matcher else []
    start, end = 0, n
    if crop and n > crop:
        first = marked[0] // 2 if marked else 0
        start = max(0, min(first - crop // 4, n - crop))
        end = start + crop
    for i in marked:
        if 2 * start < i < 2 * end:
            parts[i] = _OPEN + parts[i] + _CLOSE
    window = "".join(parts[2 * start + 1 if start else 0 : 2 * end if end < n else len(parts)])
    out = html.escape(window).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return ("… " if start else "") + out + (" …" if end < n else "")


_SPLIT = re.compile(f"({_WORD.pattern})")
_OPEN, _CLOSE = "\x02", "\x03"
_NO_MARKERS = {ord(_OPEN): "\ufffd", ord(_CLOSE): "\ufffd"}
