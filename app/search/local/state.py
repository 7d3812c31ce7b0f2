"""In-memory side of the local engine: facet bitmaps, sort orders, the vocabulary and caches.

Built once from the SQLite file and patched with what changed since (every row carries the
sequence number of the write that made it), so a process sees other processes' writes without
reloading everything. Facet counts are tallies of per-document value numbers, or intersection
cardinalities of roaring bitmaps where those are cheaper; orders are numpy arrays of document ids,
so a page of any subset is one mask and one slice. Postings are read from the file when a query
needs them and kept in a bounded cache, as are what each text and each query word match.
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np
from pyroaring import BitMap

from app.search.analysis import TIERS
from app.search.base import FacetCount, SearchQuery
from app.search.facets import BY_NAME, FACETS, AnyOf, Between, RangeFacet, conditions
from app.search.local.store import MetaRow, split_facets
from app.search.thesaurus import Thesaurus

RESULTS = 128  # per-text results kept (match sets and relevance orders)
# Per query word (and thesaurus phrase), what it matches: its variants and their documents by
# kind and tier. Words recur across queries far more than whole texts do. At 100,000 practices
# an entry holds 21 KB of bitmaps on average (median 2 KB, 95th percentile 77 KB: a short
# unfinished word's completions), so 500 hold about 10 MB, 40 MB at worst.
WORDS = 500
POSTINGS = 20_000  # word keys whose postings are kept
# A facet is counted by tallying its documents' value numbers (one pass over the documents per
# value a document can hold) when that is cheaper than one bitmap intersection per value:
# when slots × documents ≤ TALLY_PER_VALUE × values. Measured at 100,000 practices: regions
# (89 values, one each) always tally; themes (20 values, up to three a practice) tally up to
# about 7,000 documents and intersect above; a facet of 9 values up to about 9,000.
TALLY_PER_VALUE = 1000
# Another process's write of up to this many documents patches the orders and value numbers in
# place (a binary search and an array copy per document and order: at 100,000 practices about
# 0.25 ms a document); a larger one drops them for the next search to rebuild (about 230 ms,
# the title order 110 ms of it), once per write and process.
PATCH_ROWS = 256


class Coded(NamedTuple):
    """A facet as value numbers (`State._coded`)."""

    values: list[str]  # by number
    numbers: dict[str, int]  # each value's number
    ranks: np.ndarray  # each number's place in the order of the values
    slots: list[np.ndarray]  # per slot, each document id's value number (len(values): none)

    def forget(self, doc_id: int) -> None:
        for codes in self.slots:
            if doc_id < len(codes):
                codes[doc_id] = len(self.values)

    def hold(self, doc_id: int, values: list[str]) -> bool:
        """Number the document's values (after `forget`); False if one of them has no number."""
        numbers = [self.numbers.get(v) for v in dict.fromkeys(values)]
        if None in numbers:
            return False
        none = len(self.values)
        size = len(self.slots[0]) if self.slots else 0
        if doc_id >= size:  # new ids: grow by a quarter at least, so a run of them copies rarely
            grown = max(doc_id + 1, size + size // 4)
            self.slots[:] = [np.concatenate((c, np.full(grown - size, none, dtype=c.dtype))) for c in self.slots]
            size = grown
        while len(self.slots) < len(numbers):
            self.slots.append(np.full(size, none, dtype=np.min_scalar_type(none)))
        for codes, number in zip(self.slots, numbers, strict=False):
            codes[doc_id] = number
        return True


NO_TIERS: tuple[BitMap, ...] = tuple(BitMap() for _ in TIERS)


class Vocabulary:
    """Every word key with its document frequency, sorted (for prefix and typo look-ups)."""

    def __init__(self, terms: Iterable[tuple[str, int]] = ()) -> None:
        self.df: dict[str, int] = dict(terms)
        self.terms: list[str] = sorted(self.df)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return term in self.df

    def update(self, terms: Iterable[tuple[str, int]]) -> None:
        new = []
        for term, df in terms:
            if term not in self.df:
                new.append(term)
            self.df[term] = df
        if len(new) > 64:
            self.terms = sorted(self.df)
        else:
            for term in new:
                bisect.insort(self.terms, term)

    def starting(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\uffff")
        return self.terms[lo:hi]


class State:
    """A snapshot of one index file at (epoch, seq), patched forward in place."""

    def __init__(self, ident: str, epoch: str, seq: int, thesaurus: Thesaurus) -> None:
        self.ident = ident  # which data file this state describes
        self.epoch = epoch
        self.seq = seq
        self.thesaurus = thesaurus
        self.lock = threading.RLock()
        self.all = BitMap()
        self.facets: dict[str, dict[str, BitMap]] = {f.name: {} for f in FACETS}
        self.meta: dict[int, MetaRow] = {}
        self.vocab = Vocabulary()
        self._newest: np.ndarray | None = None
        self._newest_rank: np.ndarray | None = None
        self._title: np.ndarray | None = None
        self._winners: np.ndarray | None = None
        self._codes: dict[str, Coded] = {}
        self.counts: dict[str, list[FacetCount]] = {}  # over every document (`facet_counts`)
        self.results: OrderedDict[Any, Any] = OrderedDict()
        self.words: OrderedDict[Any, Any] = OrderedDict()
        self.postings: OrderedDict[str, tuple[BitMap, ...]] = OrderedDict()

    # -- building and patching ---------------------------------------------------------------

    def load(self, rows: Iterable[tuple[Any, ...]], terms: Iterable[tuple[str, int]]) -> None:
        lists: dict[str, dict[str, list[int]]] = {f.name: {} for f in FACETS}
        for raw in rows:
            row = MetaRow(*raw)
            self.meta[row.id] = row
            for facet, value in split_facets(row.facets):
                if facet in lists:  # a facet dropped from the registry is left out
                    lists[facet].setdefault(value, []).append(row.id)
        self.all = BitMap(self.meta)
        self.facets = {f: {v: BitMap(ids) for v, ids in values.items()} for f, values in lists.items()}
        self.vocab = Vocabulary(terms)

    def apply(self, gone: Iterable[int], rows: Iterable[MetaRow]) -> None:
        """Another write's outcome: documents deleted, documents added or changed."""
        gone, rows = list(gone), list(rows)
        if len(gone) + len(rows) > PATCH_ROWS:
            self.drop_derived()
        for doc_id in gone:
            self._remove(doc_id)
        for row in rows:
            self._remove(row.id)
            self._put(row)
        self._newest_rank = self._winners = None  # shifted by any insertion, and cheap to rebuild
        self.counts = {}
        self.results.clear()
        self.words.clear()

    def _remove(self, doc_id: int) -> None:
        row = self.meta.pop(doc_id, None)
        if row is None:
            return
        for facet, value in split_facets(row.facets):
            bitmap = self.facets.get(facet, {}).get(value)
            if bitmap is not None:
                bitmap.discard(doc_id)
                if not bitmap:
                    del self.facets[facet][value]
        self.all.discard(doc_id)
        for coded in self._codes.values():
            coded.forget(doc_id)
        if self._newest is not None:
            self._newest = self._newest[self._newest != doc_id]
        if self._title is not None:
            self._title = self._title[self._title != doc_id]

    def _put(self, row: MetaRow) -> None:
        self.meta[row.id] = row
        self.all.add(row.id)
        held: dict[str, list[str]] = {}
        for facet, value in split_facets(row.facets):
            if facet in self.facets:
                self.facets[facet].setdefault(value, BitMap()).add(row.id)
                held.setdefault(facet, []).append(value)
        for facet, coded in list(self._codes.items()):
            if not coded.hold(row.id, held.get(facet, [])):
                del self._codes[facet]  # a value new to this process: numbered again when asked
        meta = self.meta
        if self._newest is not None:
            at = bisect.bisect_left(self._newest, (-row.published_at, -row.id),
                                    key=lambda i: (-meta[i].published_at, -i))
            self._newest = np.insert(self._newest, at, row.id)
        if self._title is not None:
            at = bisect.bisect_left(self._title, (row.title_key, row.id), key=lambda i: (meta[i].title_key, i))
            self._title = np.insert(self._title, at, row.id)

    def changed_postings(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.postings.pop(key, None)
        self.results.clear()
        self.words.clear()

    def drop_derived(self) -> None:
        """Orders, value numbers, kept counts and results: each rebuilt when next asked."""
        self._newest = self._newest_rank = self._title = self._winners = None
        self._codes = {}
        self.counts = {}
        self.results.clear()
        self.words.clear()

    # -- orders -------------------------------------------------------------------------------

    def _size(self) -> int:
        return (self.all.max() + 1) if self.all else 1

    @property
    def newest(self) -> np.ndarray:
        """Every document id, newest first (ties: the higher id first)."""
        if self._newest is None:
            ids = np.fromiter(self.meta, dtype=np.int64, count=len(self.meta))
            published = np.fromiter((r.published_at for r in self.meta.values()), dtype=np.float64, count=len(self.meta))
            self._newest = ids[np.lexsort((-ids, -published))]
        return self._newest

    @property
    def newest_rank(self) -> np.ndarray:
        """Position of each id in `newest` (indexed by id)."""
        if self._newest_rank is None:
            rank = np.zeros(self._size(), dtype=np.int64)
            rank[self.newest] = np.arange(len(self.newest))
            self._newest_rank = rank
        return self._newest_rank

    @property
    def awarded(self) -> BitMap:
        """Documents with an award (any value of the award facet)."""
        return BitMap.union(BitMap(), *self.facets.get("award", {}).values())

    @property
    def winners(self) -> np.ndarray:
        """Every document id, those with an award first, then newest first."""
        if self._winners is None:
            newest = self.newest
            ahead = self.mask(self.awarded)[newest]
            self._winners = np.concatenate((newest[ahead], newest[~ahead]))
        return self._winners

    @property
    def title(self) -> np.ndarray:
        if self._title is None:
            order = sorted(self.meta.values(), key=lambda r: (r.title_key, r.id))
            self._title = np.fromiter((r.id for r in order), dtype=np.int64, count=len(order))
        return self._title

    def mask(self, subset: BitMap) -> np.ndarray:
        out = np.zeros(self._size(), dtype=bool)
        if subset:
            out[np.frombuffer(subset.to_array(), dtype=np.uint32)] = True
        return out

    def page(self, order: np.ndarray, subset: BitMap, offset: int, limit: int) -> list[int]:
        """One page of `subset` in the given order of ids."""
        everything = len(subset) == len(self.all)
        chosen = order if everything or not len(order) else order[self.mask(subset)[order]]
        return [int(i) for i in chosen[offset : offset + limit]]

    # -- postings and per-text results ---------------------------------------------------------

    def tiers_of(self, conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, tuple[BitMap, ...]]:
        """Each key's postings per tier (read from the file once, then kept)."""
        wanted = list(dict.fromkeys(keys))
        out: dict[str, tuple[BitMap, ...]] = {}
        missing = []
        with self.lock:
            for key in wanted:
                cached = self.postings.get(key)
                if cached is None:
                    missing.append(key)
                else:
                    self.postings.move_to_end(key)
                    out[key] = cached
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            found: dict[str, list[BitMap]] = {k: [BitMap() for _ in TIERS] for k in chunk}
            marks = ",".join("?" * len(chunk))
            for key, tier, ids in conn.execute(f"SELECT key, tier, ids FROM postings WHERE key IN ({marks})", chunk):
                found[key][tier] = BitMap.deserialize(ids)
            with self.lock:
                for key, tiers in found.items():
                    out[key] = self.postings[key] = tuple(tiers)
                while len(self.postings) > POSTINGS:
                    self.postings.popitem(last=False)
        return out

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """`make()`, kept per text (its plan, what it matches) until a write."""
        return self._kept(self.results, RESULTS, key, make)

    def cached_word(self, key: Any, make: Callable[[], Any]) -> Any:
        """`make()`, kept per query word until a write."""
        return self._kept(self.words, WORDS, key, make)

    def _kept(self, kept: OrderedDict[Any, Any], limit: int, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        value = make()
        with self.lock:
            kept[key] = value
            while len(kept) > limit:
                kept.popitem(last=False)
        return value

    # -- filters and facets ---------------------------------------------------------------------

    def _union(self, facet: str, values: Iterable[str]) -> BitMap:
        table = self.facets[facet]
        return BitMap.union(BitMap(), *(table[v] for v in set(values) if v in table))

    def filter_groups(self, q: SearchQuery) -> dict[str, BitMap]:
        """Facet name -> documents its selection allows (only facets with a selection)."""
        groups: dict[str, BitMap] = {}
        for name, condition in conditions(q).items():
            if isinstance(condition, AnyOf):
                groups[name] = self._union(name, condition.values)
            else:
                groups[name] = self._between(name, condition)
        return groups

    def _between(self, name: str, condition: Between) -> BitMap:
        facet = BY_NAME[name]
        assert isinstance(facet, RangeFacet)
        bounds = (condition.low, condition.high)
        return self._union(name, (v for v in self.facets[name] if facet.contains(bounds, v)))

    def _coded(self, facet: str) -> Coded:
        """The facet's values by number, and for each slot (a document's first value, its
        second, ...) the number of that value per document id (the number after the last: none)."""
        if facet not in self._codes:
            values = list(self.facets[facet])
            size = self._size()
            held = np.zeros(size, dtype=np.int32)  # values seen so far per document
            slots: list[np.ndarray] = []
            for number, bitmap in enumerate(self.facets[facet].values()):
                ids = np.frombuffer(bitmap.to_array(), dtype=np.uint32)
                slot = held[ids]
                for k in range(int(slot.max()) + 1 if len(slot) else 0):
                    if k == len(slots):
                        slots.append(np.full(size, len(values), dtype=np.min_scalar_type(len(values))))
                    slots[k][ids[slot == k]] = number
                held[ids] += 1
            ranks = np.empty(len(values), dtype=np.int64)
            ranks[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
            self._codes[facet] = Coded(values, {v: n for n, v in enumerate(values)}, ranks, slots)
        return self._codes[facet]

    def facet_counts(
        self,
        matched: BitMap,
        groups: dict[str, BitMap],
        wanted: Iterable[str],
        filtered: BitMap,
        kept: dict[str, list[FacetCount]] | None = None,
    ) -> dict[str, list[FacetCount]]:
        """Each wanted facet's counts, disjunctive: over `filtered`, or for a facet with a
        selection over `matched` and every other selection. Counts over all of `matched` (no
        other selection) are taken from and left in `kept`, which lives as long as `matched`
        does: else the browsing page without a query would count the whole catalogue on every
        visit."""
        out: dict[str, list[FacetCount]] = {}
        arrays: dict[int, tuple[BitMap, np.ndarray]] = {}  # a base's ids, once for every facet over it
        for facet in wanted:
            if facet not in self.facets or facet in out:
                continue
            others = [bm for name, bm in groups.items() if name != facet]
            keep = None if others else kept
            if keep is not None and facet in keep:
                out[facet] = list(keep[facet])
                continue
            base = filtered
            if facet in groups:  # disjunctive: every filter but the facet's own
                base = matched
                for bm in others:
                    base = base & bm
            counts = self._counted(facet, base, arrays)
            if keep is not None:
                keep[facet] = list(counts)
            out[facet] = counts
        return out

    def _counted(self, facet: str, base: BitMap, arrays: dict[int, tuple[BitMap, np.ndarray]]) -> list[FacetCount]:
        table = self.facets[facet]
        if not table or not base:
            return []
        values, _, ranks, slots = self._coded(facet)
        if len(slots) * len(base) <= TALLY_PER_VALUE * len(values):
            if id(base) not in arrays:  # the bitmap is kept with its ids, so its id is not reused
                arrays[id(base)] = (base, np.frombuffer(base.to_array(), dtype=np.uint32).astype(np.intp))
            ids = arrays[id(base)][1]
            tally = np.bincount(np.take(slots[0], ids), minlength=len(values) + 1)[:-1]
            for codes in slots[1:]:
                tally += np.bincount(np.take(codes, ids), minlength=len(values) + 1)[:-1]
            given = np.flatnonzero(tally)
            order = given[np.argsort(ranks[given] - tally[given] * len(values))]  # most documents first, then by value
            n = tally.tolist()
            return [FacetCount(values[i], n[i]) for i in order.tolist()]
        found = [(-n, value) for value, bm in table.items() if (n := base.intersection_cardinality(bm))]
        found.sort()  # most documents first, then by value
        return [FacetCount(value, -n) for n, value in found]


class RWLock:
    """Many readers or one writer; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._waiting = 0

    def acquire_read(self) -> None:
        with self._cond:
            while self._writer or self._waiting:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            self._waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._writer = True

    def release_write(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()
