"""Highlighted snippets of original text: HTML-escaped, matched words in <mark>…</mark>."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from app.search.text import tokens

# A word of the original text as the reader sees it (any script, digits, ё, combining marks).
_WORD = re.compile(r"\w+", re.UNICODE)
CROP_WORDS = 30


def highlight(text: str, matches: Callable[[str], bool] | None, crop: int | None = CROP_WORDS) -> str:
    """`text` escaped, each word whose folded form `matches` wrapped in <mark>.

    With `crop`, a text longer than `crop` words is cut to a window of `crop` words starting a
    little before the first match (or at the start), with "…" where text was left out.
    """
    text = text or ""
    spans: list[tuple[int, int, bool]] = []
    seen: dict[str, bool] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        hit = seen.get(word)
        if hit is None:
            hit = seen[word] = matches is not None and any(matches(t) for t in tokens(word))
        spans.append((m.start(), m.end(), hit))
    start, end = 0, len(text)
    lead = trail = ""
    if crop and len(spans) > crop:
        first = next((i for i, s in enumerate(spans) if s[2]), 0)
        a = max(0, min(first - crop // 4, len(spans) - crop))
        b = a + crop
        if a > 0:
            start, lead = spans[a][0], "… "
        if b < len(spans):
            end, trail = spans[b - 1][1], " …"
    out = [lead]
    pos = start
    for s, e, hit in spans:
        if s < start or e > end or not hit:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    out.append(trail)
    return "".join(out)
