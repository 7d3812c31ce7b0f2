"""The embedded default engine: word postings in a SQLite file, facets and orders in memory.

- Documents (JSON), their filter and sort values and, per word key and tier, the ids of the
  documents with it (roaring bitmaps) live in one SQLite file (`local.store`).
- A query is understood by the shared layer (`app.search.query`) and executed on the postings
  (`local.matching`); filters, disjunctive facet counts and sorting run on in-memory bitmaps and
  arrays (`local.state`), patched when the file changes, so other processes' writes are seen.
- Threads: one SQLite connection per thread; writers serialise with BEGIN IMMEDIATE (WAL).
- `rebuild` fills a new file and swaps it in atomically (`local.rebuild`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from app.search import thesaurus as thesauri
from app.search.base import (
    HIGHLIGHT_FIELDS,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    unavailable_on,
)
from app.search.highlight import CROP_WORDS, highlight
from app.search.local import matching, rebuild, store, writes
from app.search.local.state import RWLock, State
from app.search.query import plan as make_plan

log = logging.getLogger(__name__)

GONE_KEEP = 100_000  # tombstones kept for other processes to patch from
FULL_RELOAD_SHARE = 0.2  # refresh by reloading everything when more changed than this


class LocalIndex:
    name = "local"
    in_process = True

    def __init__(self, path: Path | str, thesaurus: Path | None = None) -> None:
        self.path = Path(path)
        self.thesaurus_path = thesaurus
        self._tls = threading.local()
        self._conns: dict[int, sqlite3.Connection] = {}
        self._conns_lock = threading.Lock()
        self._state: State | None = None
        self._state_lock = threading.Lock()
        self._rw = RWLock()

    def __repr__(self) -> str:
        return f"LocalIndex({str(self.path)!r})"

    # -- connections -----------------------------------------------------------------------

    def _conn(self) -> tuple[sqlite3.Connection, str]:
        """This thread's connection to the current data file (a retired file is left by the
        caller through `_forget`, so the link is resolved only then, not on every request)."""
        conn = getattr(self._tls, "conn", None)
        if conn is not None:
            return conn, self._tls.target
        target = store.resolve(self.path)
        conn = store.connect(target)
        store.init_file(conn)
        self._tls.conn, self._tls.target = conn, target
        with self._conns_lock:
            self._conns[id(conn)] = conn
        return conn, target

    def _forget(self, conn: sqlite3.Connection) -> None:
        with self._conns_lock:
            self._conns.pop(id(conn), None)
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        self._tls.conn = None

    def _engine(self, action: str) -> contextlib.AbstractContextManager[None]:
        return unavailable_on((sqlite3.Error, OSError), f"local index {action} failed")

    @contextlib.contextmanager
    def _write(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """A write transaction on the current file with the next sequence number."""
        for _ in range(10):
            conn, _target = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                head = store.read_head(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if head.retired:  # a rebuild swapped this file out: follow it
                conn.execute("ROLLBACK")
                self._forget(conn)
                continue
            seq = head.seq + 1
            try:
                yield conn, seq
                conn.execute("UPDATE head SET seq = ?", (seq,))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return
        raise SearchUnavailable("local index keeps being swapped out")

    # -- in-memory state -------------------------------------------------------------------

    def _thesaurus(self, conn: sqlite3.Connection) -> thesauri.Thesaurus:
        return thesauri.build(conn.execute("SELECT kind, term, alternatives FROM thesaurus ORDER BY line"))

    def _fresh(self, conn: sqlite3.Connection, target: str, head: store.Head) -> State:
        """The in-memory state for the snapshot `conn` reads (inside its read transaction)."""
        st = self._state
        if st and st.ident == target and st.epoch == head.epoch and st.seq >= head.seq:
            return st  # current, or ahead of this snapshot (the caller takes a newer one)
        with self._state_lock:
            st = self._state
            if st and st.ident == target and st.epoch == head.epoch and st.seq >= head.seq:
                return st
            if (
                st is None
                or st.ident != target
                or st.epoch != head.epoch
                or st.seq < head.floor
                or not self._patch(conn, st, head.seq)
            ):
                st = State(target, head.epoch, head.seq, self._thesaurus(conn))
                st.load(conn.execute(f"SELECT {store.META_COLUMNS} FROM docs"), conn.execute("SELECT key, df FROM terms"))
                self._state = st
                # The state lives until the next reload, and refcounts free it then: the cyclic
                # collector need not walk its rows (300,000 objects at 100,000 practices) in
                # every full collection, which took 5 % of the request time.
                gc.freeze()
            return st

    def _patch(self, conn: sqlite3.Connection, st: State, seq: int) -> bool:
        """Apply the changes since st.seq to st in place; False if a reload is cheaper."""
        changed = conn.execute("SELECT count(*) FROM docs WHERE seq > ?", (st.seq,)).fetchone()[0]
        if changed > max(1000, FULL_RELOAD_SHARE * len(st.meta)):
            return False
        rows = conn.execute(f"SELECT {store.META_COLUMNS} FROM docs WHERE seq > ?", (st.seq,)).fetchall()
        gone = [i for (i,) in conn.execute("SELECT id FROM gone WHERE seq > ?", (st.seq,))]
        terms = conn.execute("SELECT key, df FROM terms WHERE seq > ?", (st.seq,)).fetchall()
        keys = [k for (k,) in conn.execute("SELECT DISTINCT key FROM postings WHERE seq > ?", (st.seq,))]
        self._rw.acquire_write()
        try:
            st.apply(gone, (store.MetaRow(*row) for row in rows))
            st.vocab.update(terms)
            st.changed_postings([*keys, *(t for t, _ in terms)])
            st.seq = seq
        finally:
            self._rw.release_write()
        return True

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[sqlite3.Connection, State]]:
        """A read transaction and the in-memory state of exactly that snapshot.

        Bitmaps, postings and stored documents then agree, so totals and hits match even
        while other threads or processes write.
        """
        for attempt in range(6):
            conn, target = self._conn()
            conn.execute("BEGIN")
            head = store.read_head(conn)
            if head.retired:  # swapped out by a rebuild: follow the link to the new file
                conn.execute("COMMIT")
                self._forget(conn)
                continue
            done = False
            try:
                st = self._fresh(conn, target, head)
                self._rw.acquire_read()
                try:
                    if attempt < 4 and (st.seq != head.seq or self._state is not st):
                        continue  # the state moved past this snapshot: read a newer one
                    done = True
                    yield conn, st
                finally:
                    self._rw.release_read()
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
            if done:
                return
        raise SearchUnavailable("local index keeps being swapped out")

    # -- the contract ----------------------------------------------------------------------

    def configure(self) -> None:
        """Open (or create) the file; a new file takes the thesaurus from `thesaurus`."""
        with self._engine("configure"):
            conn, _ = self._conn()
            if self.thesaurus_path is not None and not conn.execute("SELECT 1 FROM thesaurus LIMIT 1").fetchone():
                rows, errors = thesauri.rows_of(self.thesaurus_path)
                for error in errors:
                    log.warning("thesaurus %s, line %d: %s", self.thesaurus_path.name, error.line, error.message)
                with self._write() as (conn, _seq):
                    rebuild.store_thesaurus(conn, rows)
                    store.new_epoch(conn)  # every process reloads its state with it

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        docs = list(documents)
        if not docs:
            return
        prepared = [store.prepare(d, 0) for d in docs]  # analyse before taking the write lock
        with self._engine("upsert"), self._write() as (conn, seq):
            writes.apply_upserts(conn, prepared, seq)

    def delete(self, ids: Sequence[int]) -> None:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return
        with self._engine("delete"), self._write() as (conn, seq):
            writes.apply_deletes(conn, wanted, seq)
            # Tombstones let other processes patch their state; keep the most recent ones.
            # A process whose state is older than the floor reloads everything instead.
            row = conn.execute("SELECT seq FROM gone ORDER BY seq DESC LIMIT 1 OFFSET ?", (GONE_KEEP,)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM gone WHERE seq <= ?", (row[0],))
                conn.execute("UPDATE head SET floor = ?", (row[0],))

    def clear(self) -> None:
        with self._engine("clear"), self._write() as (conn, _seq):
            for table in store.TABLES:
                conn.execute(f"DELETE FROM {table}")
            store.new_epoch(conn)

    def count(self) -> int:
        with self._engine("count"), self._reading() as (_conn, st):
            return len(st.all)

    def health(self) -> bool:
        try:
            with self._reading() as (conn, _st):
                conn.execute("SELECT count(*) FROM docs").fetchone()
            return True
        except Exception:  # never raises: health is a yes/no
            log.warning("local index health check failed", exc_info=True)
            return False

    def ids(self) -> set[int]:
        with self._engine("ids"), self._reading() as (conn, _st):
            return {i for (i,) in conn.execute("SELECT id FROM docs")}

    def get(self, doc_id: int) -> dict[str, Any] | None:
        with self._engine("get"), self._reading() as (conn, _st):
            row = conn.execute("SELECT doc FROM bodies WHERE id = ?", (int(doc_id),)).fetchone()
            return orjson.loads(row[0]) if row else None

    def close(self) -> None:
        with self._conns_lock:
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._tls = threading.local()
        self._state = None

    # -- search ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        page = max(1, int(query.page))
        per_page = min(max(0, int(query.per_page)), MAX_PER_PAGE)
        with self._engine("search"), self._reading() as (conn, st):
            plan = st.cached(("text", query.text), lambda: make_plan(query.text, st.thesaurus))
            found = matching.execute(conn, st, plan) if plan else None
            matched = found.ids if found is not None else st.all
            groups = st.filter_groups(query)
            filtered = matched
            for bm in groups.values():
                filtered = filtered & bm
            total = len(filtered)
            facets = st.facet_counts(matched, groups, query.facets, filtered, found.counts if found is not None else st.counts)
            sort = query.sort if query.sort in SORTS else "relevance"
            offset = (page - 1) * per_page
            if offset >= total or not per_page:
                ids: list[int] = []
            elif sort == "title":
                ids = st.page(st.title, filtered, offset, per_page)
            elif sort == "winners" and found is None:
                ids = st.page(st.winners, filtered, offset, per_page)
            elif sort == "newest" or found is None:
                ids = st.page(st.newest, filtered, offset, per_page)
            else:
                ids = found.page(st, filtered, offset, per_page, first=st.awarded if sort == "winners" else None)
            docs = self._documents(conn, ids)
        matcher = found.matcher if found is not None else None
        hits = [
            Hit(
                id=doc_id,
                slug=str(docs[doc_id].get("slug", "")),
                document=docs[doc_id],
                highlights={
                    f: highlight(str(docs[doc_id].get(f) or ""), matcher, None if f == "title" else CROP_WORDS)
                    for f in HIGHLIGHT_FIELDS
                },
            )
            for doc_id in ids
            if doc_id in docs
        ]
        return SearchResult(hits=hits, total=total, page=page, per_page=per_page, facets=facets)

    @staticmethod
    def _documents(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {i: orjson.loads(d) for i, d in conn.execute(f"SELECT id, doc FROM bodies WHERE id IN ({marks})", ids)}

    # -- rebuild ---------------------------------------------------------------------------

    def rebuild(self, documents: Iterable[dict[str, Any]], progress: Any = None) -> int:
        """A new file from `documents` (and the thesaurus file, if any), swapped in atomically."""
        rows = thesauri.rows_of(self.thesaurus_path)[0] if self.thesaurus_path is not None else None
        with self._engine("rebuild"):
            return rebuild.rebuild(self.path, documents, progress, rows, self._write)
