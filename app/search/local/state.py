"""In-memory side of the local engine: facet bitmaps, sort orders and the vocabulary.

Built once from the SQLite file and patched with the documents changed since (each write
bumps a sequence number stored with the rows), so a process sees other processes' writes
without reloading everything. Facet counts are intersection cardinalities of roaring bitmaps;
sorting walks fixed chunks of a global order and only sorts the chunk a page falls in.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from pyroaring import BitMap

from app.search.base import FacetCount, SearchQuery
from app.search.facets import BY_NAME, FACETS, AnyOf, Between, RangeFacet, conditions
from app.search.local.plan import Vocabulary
from app.search.local.store import MetaRow, split_facets

CHUNK = 1024
MAX_CHUNK = 4 * CHUNK
CACHE_SIZE = 64


class Ordering:
    """Document ids in a global order, kept as chunks of consecutive ids (roaring bitmaps).

    A page of a subset F is found by counting |F ∩ chunk| chunk by chunk (fast, in C) and
    sorting only the members of F in the chunks the page falls in.
    """

    def __init__(self, keyed: list[tuple[Any, int]], key: Callable[[int], Any]) -> None:
        keyed.sort()
        self.key = key
        self.firsts: list[Any] = [keyed[i][0] for i in range(0, len(keyed), CHUNK)]
        self.chunks: list[BitMap] = [BitMap([d for _, d in keyed[i : i + CHUNK]]) for i in range(0, len(keyed), CHUNK)]

    def _slot(self, k: Any) -> int:
        return max(0, bisect.bisect_right(self.firsts, k) - 1)

    def add(self, doc_id: int) -> None:
        k = self.key(doc_id)
        if not self.chunks:
            self.firsts, self.chunks = [k], [BitMap([doc_id])]
            return
        i = self._slot(k)
        chunk = self.chunks[i]
        chunk.add(doc_id)
        if len(chunk) > MAX_CHUNK:  # split an overgrown chunk in two
            members = sorted(chunk, key=self.key)
            half = len(members) // 2
            self.chunks[i : i + 1] = [BitMap(members[:half]), BitMap(members[half:])]
            self.firsts[i : i + 1] = [min(self.firsts[i], self.key(members[0])), self.key(members[half])]

    def remove(self, doc_id: int) -> None:
        if self.chunks:
            self.chunks[self._slot(self.key(doc_id))].discard(doc_id)

    def page(self, subset: BitMap, offset: int, limit: int) -> list[int]:
        out: list[int] = []
        skip = offset
        for chunk in self.chunks:
            n = subset.intersection_cardinality(chunk)
            if not n:
                continue
            if skip >= n:
                skip -= n
                continue
            members = sorted(subset & chunk, key=self.key)
            out.extend(members[skip : skip + limit - len(out)])
            skip = 0
            if len(out) >= limit:
                break
        return out


class State:
    """A snapshot of one index file at (epoch, seq), patched forward in place."""

    def __init__(self, ident: str, epoch: str, seq: int) -> None:
        self.ident = ident  # which data file this state describes
        self.epoch = epoch
        self.seq = seq
        self.lock = threading.RLock()
        self.all = BitMap()
        self.facets: dict[str, dict[str, BitMap]] = {f.name: {} for f in FACETS}
        self.meta: dict[int, MetaRow] = {}
        self.vocab = Vocabulary()
        self.newest = Ordering([], self._newest_key)
        self.title = Ordering([], self._title_key)
        self.cache: OrderedDict[Any, Any] = OrderedDict()

    # -- keys ------------------------------------------------------------------------------

    def _newest_key(self, doc_id: int) -> tuple[float, int]:
        return (-(self.meta[doc_id].published_at or 0.0), -doc_id)

    def _title_key(self, doc_id: int) -> tuple[str, int]:
        return (self.meta[doc_id].title_key, doc_id)

    # -- building and patching ---------------------------------------------------------------

    def load(self, rows: Iterable[tuple[Any, ...]], terms: Iterable[str]) -> None:
        meta = self.meta
        lists: dict[str, dict[str, list[int]]] = {f.name: {} for f in FACETS}
        for raw in rows:
            row = MetaRow(*raw)
            meta[row.id] = row
            for facet, value in split_facets(row.facets):
                if facet in lists:  # a facet dropped from the registry is left out
                    lists[facet].setdefault(value, []).append(row.id)
        self.all = BitMap(meta)
        self.facets = {f: {v: BitMap(ids) for v, ids in values.items()} for f, values in lists.items()}
        self.newest = Ordering([((-(r.published_at or 0.0), -d), d) for d, r in meta.items()], self._newest_key)
        self.title = Ordering([((r.title_key, d), d) for d, r in meta.items()], self._title_key)
        self.vocab = Vocabulary(terms)

    def _values(self, row: MetaRow) -> Iterable[tuple[str, str]]:
        return ((f, v) for f, v in split_facets(row.facets) if f in self.facets)

    def _index(self, row: MetaRow) -> None:
        doc_id = row.id
        self.meta[doc_id] = row
        self.all.add(doc_id)
        for facet, value in self._values(row):
            bm = self.facets[facet].get(value)
            if bm is None:
                bm = self.facets[facet][value] = BitMap()
            bm.add(doc_id)

    def remove(self, doc_id: int) -> None:
        row = self.meta.get(doc_id)
        if row is None:
            return
        self.newest.remove(doc_id)
        self.title.remove(doc_id)
        for facet, value in self._values(row):
            bm = self.facets[facet].get(value)
            if bm is not None:
                bm.discard(doc_id)
                if not bm:
                    del self.facets[facet][value]
        self.all.discard(doc_id)
        del self.meta[doc_id]

    def put(self, row: MetaRow, terms: Iterable[str]) -> None:
        self.remove(row.id)
        self._index(row)
        self.newest.add(row.id)
        self.title.add(row.id)
        self.vocab.add(terms)

    # -- cache of per-text results (match bitmaps, rankings), dropped on every change -----------

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        value = make()
        with self.lock:
            self.cache[key] = value
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        return value

    # -- filters and facets -------------------------------------------------------------------

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

    def facet_counts(
        self, matched: BitMap, groups: dict[str, BitMap], wanted: Iterable[str], filtered: BitMap
    ) -> dict[str, list[FacetCount]]:
        out: dict[str, list[FacetCount]] = {}
        for facet in wanted:
            if facet not in self.facets or facet in out:
                continue
            base = filtered
            if facet in groups:  # disjunctive: every filter but the facet's own
                base = matched
                for name, bm in groups.items():
                    if name != facet:
                        base = base & bm
            counts = [
                FacetCount(value, n)
                for value, bm in self.facets[facet].items()
                if (n := base.intersection_cardinality(bm))
            ]
            counts.sort(key=lambda c: (-c.count, c.value))
            out[facet] = counts
        return out


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
