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
from dataclasses import dataclass

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

    def __call__(self, word: str) -> bool:
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
    words = list(_WORD.finditer(text))
    seen: dict[str, bool] = {}
    marked = []
    for m in words:
        word = m.group()
        if word not in seen:
            seen[word] = bool(matcher) and matcher is not None and matcher(word)
        marked.append(seen[word])
    start, end = 0, len(words)
    if crop and len(words) > crop:
        first = next((i for i, hit in enumerate(marked) if hit), 0)
        start = max(0, min(first - crop // 4, len(words) - crop))
        end = start + crop
    out: list[str] = ["… "] if start > 0 else []
    position = words[start].start() if start > 0 else 0
    for m, hit in zip(words[start:end], marked[start:end], strict=True):
        out.append(html.escape(text[position : m.start()]))
        word = html.escape(m.group())
        out.append(f"<mark>{word}</mark>" if hit else word)
        position = m.end()
    out.append(" …" if end < len(words) else html.escape(text[position:]))
    return "".join(out)
