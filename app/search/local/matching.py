"""How the local engine executes a query plan (`app.search.query`) on its postings.

Each query word matches documents through variants, weighed by kind: its own stem (literal,
1.0), the other words of its family (family, 0.95), for the last word any key it begins
(prefix, 0.9), keys within its typo budget (`app.search.typos`, 0.8), and thesaurus
alternatives standing for it (synonym, 0.92: a vetted equivalent is closer than a guess).
A match in a tier counts the tier's weight (`app.search.analysis.TIERS`); a match in the tags
(the names and descriptions of the practice's themes and type) is a category, not the
practice's own words, and counts at most as a typo (TAG_KIND): «юнармия» finds the card about
«юнармейцы» before every card of the youth theme whose description names the movement.

Which documents match, as Meilisearch's `frequency` matching strategy decides (so both engines
find the same set): every document with the query's rarest word (the word with the fewest
documents among those some document has); the others only order them. Words in quotes are
all required and their phrase must stand as typed. A word no document has is no reason to
find nothing.

How they are ordered: by the sum over the query words of idf × (100 × kind + tier weight), the
best match of each word counting, so more (and rarer) words matched comes first, literal before
typo before synonym, title before body; then the newest first.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from dataclasses import dataclass, field

import numpy as np
import orjson
from pyroaring import BitMap

from app.search import typos
from app.search.analysis import TEXT_FIELDS, TIERS, field_text, words
from app.search.base import FacetCount
from app.search.highlight import Matcher
from app.search.local.state import State
from app.search.query import QueryPlan, QueryWord

LITERAL, FAMILY, SYNONYM, PREFIX, TYPO = 1.0, 0.95, 0.92, 0.9, 0.8
TAG_KIND = TYPO
_TAGS = next(i for i, t in enumerate(TIERS) if t.name == "tags")
MIN_PREFIX = 2  # a single typed letter matches whole words only (a prefix would be everything)
MAX_PREFIX_VARIANTS = 200  # the most frequent completions of an unfinished word
MAX_TYPO_VARIANTS = 24  # per word, nearest first


@dataclass(frozen=True)
class Variants:
    literal: tuple[str, ...]
    family: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    typo: tuple[str, ...] = ()

    def every(self) -> tuple[str, ...]:
        return (*self.literal, *self.family, *self.prefix, *self.typo)


Parts = list[list[tuple[float, int, BitMap]]]  # per query word: (kind, tier, documents)
SCORE_ALL_FROM = 4  # a filter keeping more than a quarter of the matches: score all, once, and keep


@dataclass
class Matched:
    """What a text matches, kept per text while filters, facets and pages change (`State.cached`)."""

    ids: BitMap  # what the text matches (before filters)
    parts: Parts  # how each query word matched
    unions: list[BitMap]  # each query word's documents
    matcher: Matcher  # what to highlight
    counts: dict[str, list[FacetCount]] = field(default_factory=dict)  # over all of `ids` (`State.facet_counts`)
    _all: tuple[np.ndarray, np.ndarray] | None = None  # every match scored (see `_order`)

    def _ordered(self, st: State, subset: BitMap) -> tuple[np.ndarray, np.ndarray]:
        """Candidates and sort keys for `subset`: only its own documents when a filter chose few
        of the matches (half the searches name a region: hundreds of a text's thousands), else
        all matches, scored once for every later page, facet click or sort. A score does not
        depend on the other candidates, so both give one order."""
        if len(subset) * SCORE_ALL_FROM < len(self.ids):
            return _order(st, subset, self.parts, self.unions)
        if self._all is None:
            self._all = _order(st, self.ids, self.parts, self.unions)
        return self._all

    def page(self, st: State, subset: BitMap, offset: int, limit: int, first: BitMap | None = None) -> list[int]:
        """One page of the candidates in `subset`, best first (those in `first` before the others):
        only the first offset + limit are sorted (a partition finds them), so a page costs
        O(matches), not O(matches · log)."""
        candidates, keys = self._ordered(st, subset)
        if first is not None and (ahead := first & subset):
            keys = keys - np.int64(1 << 62) * st.mask(ahead)[candidates]
        if len(subset) < len(candidates):  # all matches scored, a filter chose some
            inside = st.mask(subset)[candidates]
            candidates, keys = candidates[inside], keys[inside]
        need = min(offset + limit, len(keys))
        if need <= 0:
            return []
        if need < len(keys):
            best = np.argpartition(keys, need - 1)[:need]
            chosen = best[np.argsort(keys[best])]
        else:
            chosen = np.argsort(keys)
        return [int(i) for i in candidates[chosen[offset:need]]]


@dataclass(frozen=True)
class WordMatch:
    """What one query word matches, whatever the other words (`State.cached_word`)."""

    variants: Variants
    parts: tuple[tuple[float, int, BitMap], ...]  # (kind, tier, documents), never modified
    union: BitMap  # every document of `parts`, never modified


def variants(word: QueryWord, st: State) -> Variants:
    """The word's keys and the vocabulary's keys that stand for it (prefix, typos)."""
    literal = (word.keys.stem,)
    family = word.keys.relatives()
    prefix: list[str] = []
    if word.last and len(word.text) >= MIN_PREFIX:
        completions = [t for t in st.vocab.starting(word.text) if t not in literal and st.vocab.df.get(t)]
        prefix = sorted(completions, key=lambda t: -st.vocab.df.get(t, 0))[:MAX_PREFIX_VARIANTS]
    found: dict[str, int] = {}
    k = word.typos
    if k:
        # Like Meilisearch, the first letter is never a typo.
        near = st.vocab.starting(word.keys.stem[:1])
        found = typos.within(word.keys.stem, near, k)
        if word.last:
            cut = len(word.text)
            for term, d in typos.within(word.text, [t[:cut] for t in near], k).items():
                for full in st.vocab.starting(term):
                    found.setdefault(full, d + 1)
    typo = sorted((t for t in found if t not in literal and t not in prefix and st.vocab.df.get(t)),
                  key=lambda t: (found[t], -st.vocab.df.get(t, 0), t))[:MAX_TYPO_VARIANTS]
    return Variants(literal, family, tuple(prefix), tuple(typo))


def word_match(conn: sqlite3.Connection, st: State, word: QueryWord) -> WordMatch:
    """What `word` matches at state `st`, kept per word until a write."""

    def make() -> WordMatch:
        v = variants(word, st)
        tiers = st.tiers_of(conn, v.every())
        parts = tuple(
            (kind, t, docs)
            for kind, keys in ((LITERAL, v.literal), (FAMILY, v.family), (PREFIX, v.prefix), (TYPO, v.typo))
            if keys
            for t in range(len(TIERS))
            if (docs := _union(tiers, keys, t))
        )
        return WordMatch(v, parts, BitMap.union(BitMap(), *(docs for _, _, docs in parts)))

    found: WordMatch = st.cached_word(word, make)
    return found


def phrase_match(conn: sqlite3.Connection, st: State, stems: tuple[str, ...]) -> tuple[tuple[int, BitMap], ...]:
    """Per tier, the documents with every stem of a thesaurus phrase (kept like a word's)."""

    def make() -> tuple[tuple[int, BitMap], ...]:
        tiers = st.tiers_of(conn, stems)
        found = ((t, BitMap.intersection(*(_union(tiers, (stem,), t) for stem in stems))) for t in range(len(TIERS)))
        return tuple((t, docs) for t, docs in found if docs)

    found: tuple[tuple[int, BitMap], ...] = st.cached_word(("phrase", stems), make)
    return found


def _union(tiers: dict[str, tuple[BitMap, ...]], keys: tuple[str, ...], tier: int) -> BitMap:
    return BitMap.union(BitMap(), *(tiers[k][tier] for k in keys if k in tiers))


def execute(conn: sqlite3.Connection, st: State, plan: QueryPlan) -> Matched:
    """What `plan` matches in the index `conn` at state `st`, in relevance order."""
    found: Matched = st.cached(("plan", plan), lambda: _execute(conn, st, plan))
    return found


def _execute(conn: sqlite3.Connection, st: State, plan: QueryPlan) -> Matched:
    per_word = [word_match(conn, st, w) for w in plan.words]
    parts: Parts = [list(m.parts) for m in per_word]
    unions = [m.union for m in per_word]
    for a in plan.alternatives:
        for t, docs in phrase_match(conn, st, a.phrase.stems):
            for i in range(a.first, a.end):
                parts[i].append((SYNONYM, t, docs))
                unions[i] = unions[i] | docs  # a new bitmap: the word's own stays as kept

    ids = _relaxed(plan, unions, st.all)
    if plan.phrases and ids:
        ids = _with_phrases(conn, plan, ids)
    return Matched(ids, parts, unions, _matcher(plan, [m.variants for m in per_word]))


def _relaxed(plan: QueryPlan, unions: list[BitMap], everything: BitMap) -> BitMap:
    required = [i for i, w in enumerate(plan.words) if w.required]
    if any(not unions[i] for i in required):
        return BitMap()
    optional = [i for i, w in enumerate(plan.words) if not w.required and unions[i]]
    if not required and not optional:
        return BitMap()
    found = everything
    for i in required:
        found = found & unions[i]
    if optional:
        found = found & min((unions[i] for i in optional), key=len)
    return found


def _order(st: State, ids: BitMap, parts: Parts, unions: list[BitMap]) -> tuple[np.ndarray, np.ndarray]:
    """The matched ids (ascending) and their sort keys: the score (in thousandths, higher first),
    then the newest first, folded into one integer so one partition orders by both.

    Scores live by candidate position (a region's few hundred candidates need a few hundred
    slots, not one per document of the catalogue for every word), found through this thread's
    id -> position table: written for the candidates, read only for them."""
    found = np.frombuffer(ids.to_array(), dtype=np.uint32)
    candidates = found.astype(np.int64)
    if not len(candidates):
        return candidates, candidates
    position = _positions(int(found[-1]) + 1)
    position[found] = np.arange(len(found), dtype=np.int32)
    score = np.zeros(len(candidates), dtype=np.float64)
    total = max(1, len(st.all))
    for word_parts, union in zip(parts, unions, strict=True):
        if not union:
            continue
        idf = math.log(1 + total / (1 + len(union)))
        best = np.zeros(len(candidates), dtype=np.float64)
        for points, docs in sorted(((_points(kind, t), docs) for kind, t, docs in word_parts), key=lambda p: p[0]):
            inside = docs & ids
            if inside:  # the better kinds come later and overwrite
                best[position[np.frombuffer(inside.to_array(), dtype=np.uint32)]] = idf * points
        score += best
    rank = st.newest_rank
    newest = rank[candidates] if len(rank) > candidates[-1] else candidates
    return candidates, -np.rint(score * 1000).astype(np.int64) * (len(rank) + 1) + newest


_thread = threading.local()


def _positions(size: int) -> np.ndarray:
    """This thread's id -> position table, at least `size` long (its other entries are stale)."""
    table: np.ndarray | None = getattr(_thread, "positions", None)
    if table is None or len(table) < size:
        table = _thread.positions = np.empty(max(size, 1024) * 5 // 4, dtype=np.int32)
    return table


def _points(kind: float, tier: int) -> float:
    return 100 * (min(kind, TAG_KIND) if tier == _TAGS else kind) + TIERS[tier].weight


def _with_phrases(conn: sqlite3.Connection, plan: QueryPlan, ids: BitMap) -> BitMap:
    """Those of `ids` in which every quoted phrase stands word for word (ё as е, stop words aside)."""
    wanted = [" " + " ".join(p) + " " for p in plan.phrases]
    kept = BitMap()
    chunk: list[int] = []
    for doc_id in ids:
        chunk.append(doc_id)
        if len(chunk) == 500 or doc_id == ids.max():
            marks = ",".join("?" * len(chunk))
            for i, body in conn.execute(f"SELECT id, doc FROM bodies WHERE id IN ({marks})", chunk):
                doc = orjson.loads(body)
                texts = [" " + " ".join(words(field_text(doc, f))) + " " for f in TEXT_FIELDS]
                if all(any(p in text for text in texts) for p in wanted):
                    kept.add(i)
            chunk = []
    return kept


def _matcher(plan: QueryPlan, per_word: list[Variants]) -> Matcher:
    keys = {k for v in per_word for k in v.every()}
    keys.update(k for a in plan.alternatives for k in a.phrase.stems)
    prefixes = tuple(w.text for w in plan.words if w.last and len(w.text) >= MIN_PREFIX)
    return Matcher(frozenset(keys), prefixes)
