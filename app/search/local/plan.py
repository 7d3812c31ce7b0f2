"""Query planning for the local engine: word forms, typos and prefixes against the vocabulary.

Every indexed term is a Snowball stem of a folded word (`text.stem`). A query word expands to
an OR of variants:

- its own stem (exact form);
- stems within the typo budget of it (Meilisearch-like: words of >= 5 letters allow 1 typo,
  >= 9 letters 2; optimal string alignment, so a transposition costs 1; the first letter
  must match, as in Meilisearch);
- for the last query word (still being typed): every term starting with it, and terms starting
  with something within the typo budget of it.

Typo variants are found by walking the sorted vocabulary as an implicit trie with a
Levenshtein row per node (branches pruned as soon as the budget is spent), so no scan of the
vocabulary or of the FTS table happens per query. The result never contains user syntax:
the FTS5 MATCH expression is built only from quoted terms of `[0-9a-zа-я]`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.search.text import stem, tokens

MAX_WORDS = 10  # like Meilisearch: later words are ignored
MAX_WORD_LEN = 40  # longer "words" are matched exactly, never fuzzily
MAX_TYPO_VARIANTS = 24  # per word, nearest first
MIN_PREFIX = 2  # a single typed letter matches whole words only (a prefix would be everything)
MIN_TAIL_STEM = 6  # a misspelt ending is only cut off a stem at least this long
_HI = "\uffff"
_LETTERS = re.compile(r"[a-zа-я]+")


def typo_budget(word: str) -> int:
    """Typos a query word may carry: 0 below 5 letters, 1 from 5, 2 from 9; none for numbers."""
    if not _LETTERS.fullmatch(word) or len(word) > MAX_WORD_LEN:
        return 0
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


class Vocabulary:
    """The sorted set of indexed terms; grows in place as documents arrive."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms: list[str] = sorted(set(terms))
        self._set = set(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return term in self._set

    def add(self, terms: Iterable[str]) -> bool:
        new = [t for t in set(terms) if t not in self._set]
        if not new:
            return False
        self._set.update(new)
        if len(new) > 64:
            self.terms = sorted(self._set)
        else:
            for t in new:
                bisect.insort(self.terms, t)
        return True

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.terms, prefix)
        return i < len(self.terms) and self.terms[i].startswith(prefix)

    def fuzzy(self, q: str, k: int, prefix: bool = False, tail: int = 0) -> tuple[dict[str, int], dict[str, int]]:
        """Terms within OSA distance k of q (first letter fixed): ({term: d}, {prefix: d}).

        With prefix=True the second dict holds trie nodes within k of q: every term starting
        with such a node matches (the query word is still being typed). With tail > 0 a term
        also matches when it is within k of q less up to `tail` final letters (a misspelt
        word whose ending the stemmer could not recognise).
        """
        terms, n = self.terms, len(q)
        full: dict[str, int] = {}
        prefixes: dict[str, int] = {}
        if not q or k <= 0:
            return full, prefixes
        bl = bisect.bisect_left
        lo, hi = bl(terms, q[0]), bl(terms, q[0] + _HI)
        row0 = list(range(n + 1))
        row1 = [1] + [0] * n
        for j in range(1, n + 1):
            row1[j] = min(row0[j] + 1, row1[j - 1] + 1, row0[j - 1] + (q[j - 1] != q[0]))
        stack = [(q[0], lo, hi, row1, row0)]
        while stack:
            p, lo, hi, row, prev = stack.pop()
            if lo >= hi:
                continue
            if terms[lo] == p:
                d = row[n]
                for j in range(max(n - tail, MIN_TAIL_STEM), n):
                    if len(p) >= j - 1 and row[j] < d:
                        d = row[j]
                if d <= k:
                    full[p] = d
                lo += 1
            if prefix and row[n] <= k:
                prefixes[p] = row[n]
                continue
            best = min(row)
            if best > k or lo >= hi:
                continue
            last, depth = p[-1], len(p)
            if best < k:
                chars = None
            else:  # budget spent: only characters that continue an alignment can follow
                chars = {q[j - 1] for j in range(1, n + 1) if row[j - 1] <= k}
                chars.update(q[j - 2] for j in range(2, n + 1) if prev[j - 2] < k and q[j - 1] == last)
            if chars is None:
                children = []
                i = lo
                while i < hi:
                    c = terms[i][depth]
                    j2 = bl(terms, p + c + _HI, i, hi)
                    children.append((c, i, j2))
                    i = j2
            else:
                children = []
                for c in chars:
                    i = bl(terms, p + c, lo, hi)
                    j2 = bl(terms, p + c + _HI, i, hi)
                    if i < j2:
                        children.append((c, i, j2))
            for c, i, j2 in children:
                nr = [row[0] + 1]
                for j in range(1, n + 1):
                    qc = q[j - 1]
                    v = row[j - 1] + (qc != c)
                    a = row[j] + 1
                    if a < v:
                        v = a
                    a = nr[j - 1] + 1
                    if a < v:
                        v = a
                    if j > 1 and qc == last and q[j - 2] == c and prev[j - 2] + 1 < v:
                        v = prev[j - 2] + 1
                    nr.append(v)
                if min(nr) <= k:
                    stack.append((p + c, i, j2, nr, row))
        return full, prefixes


@dataclass(frozen=True)
class WordPlan:
    word: str  # folded query word
    exact: tuple[str, ...]  # terms matched as typed (its stem)
    prefixes: tuple[str, ...] = ()  # any term starting with one of these (last word)
    typos: tuple[str, ...] = ()  # terms within the typo budget
    typo_prefixes: tuple[str, ...] = ()

    def expression(self, with_typos: bool = True) -> str:
        """The word's OR of variants, leaving out any a shorter prefix already covers (FTS5
        would merge the same doclists twice: "муниц"* alone is half the cost of
        "муниц" OR "муници"* OR "муниц"*)."""
        terms = [*self.exact, *(self.typos if with_typos else ())]
        prefixes: list[str] = []
        for p in sorted({*self.prefixes, *(self.typo_prefixes if with_typos else ())}, key=lambda p: (len(p), p)):
            if not any(p.startswith(q) for q in prefixes):
                prefixes.append(p)
        parts = [_quote(t) for t in dict.fromkeys(terms) if not any(t.startswith(q) for q in prefixes)]
        parts += [_quote(p) + "*" for p in prefixes]
        return "(" + " OR ".join(parts) + ")"


@dataclass(frozen=True)
class QueryPlan:
    words: tuple[WordPlan, ...] = field(default_factory=tuple)

    @property
    def has_typos(self) -> bool:
        return any(w.typos or w.typo_prefixes for w in self.words)

    def match(self, with_typos: bool = True) -> str:
        """The FTS5 MATCH expression: AND of each word's OR of quoted variants."""
        return " AND ".join(w.expression(with_typos) for w in self.words)

    def matcher(self) -> TokenMatcher:
        terms: set[str] = set()
        prefixes: set[str] = set()
        for w in self.words:
            terms.update(w.exact)
            terms.update(w.typos)
            prefixes.update(w.prefixes)
            prefixes.update(w.typo_prefixes)
        return TokenMatcher(frozenset(terms), tuple(sorted(prefixes)))


@dataclass(frozen=True)
class TokenMatcher:
    """Decides whether one word of an original text matched the query (for highlights)."""

    terms: frozenset[str]
    prefixes: tuple[str, ...]

    def __call__(self, folded_word: str) -> bool:
        s = stem(folded_word)
        if s in self.terms:
            return True
        return any(s.startswith(p) or folded_word.startswith(p) for p in self.prefixes)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def query_words(text: str) -> list[str]:
    """The folded words of a user query (at most MAX_WORDS), user syntax reduced to words."""
    return tokens(text or "")[:MAX_WORDS]


def plan_query(words: list[str], vocab: Vocabulary) -> QueryPlan:
    plans = []
    for i, w in enumerate(words):
        w = w[: MAX_WORD_LEN * 2]
        s = stem(w)
        last = i == len(words) - 1
        k = typo_budget(w)
        exact = (s,) if s == w or w not in vocab else (s, w)
        prefixes: tuple[str, ...] = ()
        typos: dict[str, int] = {}
        typo_prefixes: dict[str, int] = {}
        if last and len(w) >= MIN_PREFIX and vocab.has_prefix(w):
            prefixes = (w,)
        if k:
            # A word the vocabulary does not know is likely misspelt, perhaps in its ending.
            typos, _ = vocab.fuzzy(s, k, tail=0 if s in vocab else 3)
            if last:
                _, typo_prefixes = vocab.fuzzy(w, k, prefix=True)
        typo_terms = tuple(t for t in sorted(typos, key=lambda t: (typos[t], t)) if t not in exact)[:MAX_TYPO_VARIANTS]
        typo_pref = tuple(
            p
            for p in sorted(typo_prefixes, key=lambda p: (typo_prefixes[p], -len(p), p))
            if not any(p.startswith(x) for x in prefixes)
        )[: MAX_TYPO_VARIANTS // 2]
        plans.append(WordPlan(w, exact, prefixes, typo_terms, typo_pref))
    return QueryPlan(tuple(plans))
