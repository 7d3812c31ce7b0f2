"""Typos: how many a query word may carry, and how far two words are (one rule, one distance).

Like Meilisearch: words of at least 5 letters allow one typo, of at least 9 letters two; numbers
and words of other scripts none. The distance is optimal string alignment (a swap of neighbours
is one typo), computed by rapidfuzz in C, for the local engine's vocabulary look-ups and for every
engine's highlights.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

MAX_WORD_LEN = 40  # longer "words" are matched exactly, never fuzzily
_LETTERS = re.compile(r"[a-zа-я]+")


def budget(word: str) -> int:
    """Typos a query word may carry: 0 below 5 letters, 1 from 5, 2 from 9; none for numbers."""
    if not _LETTERS.fullmatch(word) or len(word) > MAX_WORD_LEN:
        return 0
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


def distance(a: str, b: str, limit: int) -> int:
    """The OSA distance of a and b, or limit + 1 when it is larger than limit."""
    return int(OSA.distance(a, b, score_cutoff=limit))


def within(word: str, candidates: Sequence[str], limit: int) -> dict[str, int]:
    """The candidates within `limit` typos of `word`, with their distance."""
    if limit <= 0 or not candidates:
        return {}
    return {c: int(d) for c, d, _ in process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)}
