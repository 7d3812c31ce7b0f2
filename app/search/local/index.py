"""The embedded default engine: SQLite FTS5 plus roaring bitmaps in memory.

- Documents (JSON) and their filter/sort columns live in a plain table; each searchable field
  is indexed in FTS5 as normalised Snowball stems (`text.stem`), ranked by weighted bm25.
- A query word matches its stem, typo variants and (last word) prefixes, found in an
  in-memory vocabulary (`local.plan`); the FTS5 MATCH is built only from quoted terms.
- Filters, disjunctive facet counts and sorting run on per-value roaring bitmaps
  (`local.state`), refreshed when the file changes (sequence number in `meta`), so other
  processes' writes are seen.
- Threads: one SQLite connection per thread; writers serialise with BEGIN IMMEDIATE (WAL).
- `rebuild` fills a new file and swaps it in atomically (`local.store`, `local.rebuild`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from app.search.base import (
    HIGHLIGHT_FIELDS,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)
from app.search.highlight import highlight
from app.search.local import rank, rebuild, store
from app.search.local.plan import QueryPlan, plan_query, query_words
from app.search.local.state import RWLock, State

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

GONE_KEEP = 100_000  # tombstones kept for other processes to patch from
FULL_RELOAD_SHARE = 0.2  # refresh by reloading everything when more changed than this


class LocalIndex:
    name = "local"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
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
        """This thread's connection to the current data file (reopened after a swap)."""
        target = store.resolve(self.path)
        conn = getattr(self._tls, "conn", None)
        if conn is not None and self._tls.target == target:
            return conn, target
        if conn is not None:
            self._forget(conn)
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

    @contextlib.contextmanager
    def _engine(self, action: str) -> Iterator[None]:
        try:
            yield
        except SearchUnavailable:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise SearchUnavailable(f"local index {action} failed: {exc}") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """A write transaction on the current file with the next sequence number."""
        for _ in range(10):
            conn, _target = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                meta = store.read_meta(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if meta.get("retired") == "1":  # a rebuild swapped this file out: follow it
                conn.execute("ROLLBACK")
                self._forget(conn)
                continue
            seq = int(meta["seq"]) + 1
            try:
                yield conn, seq
                conn.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq),))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return
        raise SearchUnavailable("local index keeps being swapped out")

    # -- in-memory state -------------------------------------------------------------------

    def _fresh(self, conn: sqlite3.Connection, target: str, meta: dict[str, str]) -> State:
        """The in-memory state for the snapshot `conn` reads (inside its read transaction)."""
        epoch, seq, floor = meta["epoch"], int(meta["seq"]), int(meta["floor"])
        st = self._state
        if st and st.ident == target and st.epoch == epoch and st.seq >= seq:
            return st  # current, or ahead of this snapshot (the caller takes a newer one)
        with self._state_lock:
            st = self._state
            if st and st.ident == target and st.epoch == epoch and st.seq >= seq:
                return st
            if (
                st is None
                or st.ident != target
                or st.epoch != epoch
                or st.seq < floor
                or not self._patch(conn, st, seq)
            ):
                st = State(target, epoch, seq)
                rows = conn.execute(f"SELECT {store.META_COLUMNS} FROM docs")
                terms = (t for (t,) in conn.execute("SELECT term FROM terms"))
                st.load(rows, terms)
                self._state = st
            return st

    def _patch(self, conn: sqlite3.Connection, st: State, seq: int) -> bool:
        """Apply the changes since st.seq to st in place; False if a reload is cheaper."""
        changed = conn.execute("SELECT count(*) FROM docs WHERE seq > ?", (st.seq,)).fetchone()[0]
        if changed > max(1000, FULL_RELOAD_SHARE * len(st.meta)):
            return False
        rows = conn.execute(f"SELECT {store.META_COLUMNS} FROM docs WHERE seq > ?", (st.seq,)).fetchall()
        gone = [i for (i,) in conn.execute("SELECT id FROM gone WHERE seq > ?", (st.seq,))]
        terms = [t for (t,) in conn.execute("SELECT term FROM terms WHERE seq > ?", (st.seq,))]
        self._rw.acquire_write()
        try:
            for doc_id in gone:
                st.remove(doc_id)
            for row in rows:
                st.put(store.MetaRow(*row), ())
            st.vocab.add(terms)
            st.cache.clear()
            st.seq = seq
        finally:
            self._rw.release_write()
        return True

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[sqlite3.Connection, State]]:
        """A read transaction and the in-memory state of exactly that snapshot.

        Bitmaps, FTS matches and stored documents then agree, so totals and hits match even
        while other threads or processes write.
        """
        conn, target = self._conn()
        for attempt in range(5):
            conn.execute("BEGIN")
            done = False
            try:
                meta = store.read_meta(conn)
                st = self._fresh(conn, target, meta)
                self._rw.acquire_read()
                try:
                    if attempt < 4 and (st.seq != int(meta["seq"]) or self._state is not st):
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

    # -- the contract ----------------------------------------------------------------------

    def configure(self) -> None:
        with self._engine("configure"):
            self._conn()

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        docs = list(documents)
        if not docs:
            return
        prepared = [store.prepare(d, 0) for d in docs]  # stem before taking the write lock
        with self._engine("upsert"), self._write() as (conn, seq):
            stamped = [p._replace(doc=p.doc._replace(seq=seq)) for p in prepared]
            rebuild.apply_upserts(conn, stamped, seq)

    def delete(self, ids: Sequence[int]) -> None:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return
        with self._engine("delete"), self._write() as (conn, seq):
            rebuild.apply_deletes(conn, wanted, seq, {})
            # Tombstones let other processes patch their state; keep the most recent ones.
            # A process whose state is older than the floor reloads everything instead.
            row = conn.execute("SELECT seq FROM gone ORDER BY seq DESC LIMIT 1 OFFSET ?", (GONE_KEEP,)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM gone WHERE seq <= ?", (row[0],))
                conn.execute("UPDATE meta SET value = ? WHERE key = 'floor'", (str(row[0]),))

    def clear(self) -> None:
        with self._engine("clear"), self._write() as (conn, _seq):
            for table in store.TABLES:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (os.urandom(8).hex(),))

    def count(self) -> int:
        with self._engine("count"):
            conn, _ = self._conn()
            return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def health(self) -> bool:
        try:
            conn, _ = self._conn()
            conn.execute("SELECT rowid FROM fts WHERE fts MATCH '\"health\"' LIMIT 1").fetchall()
            conn.execute("SELECT count(*) FROM docs").fetchone()
            return True
        except Exception:  # never raises: health is a yes/no
            log.warning("local index health check failed", exc_info=True)
            return False

    def ids(self) -> set[int]:
        with self._engine("ids"):
            conn, _ = self._conn()
            return {i for (i,) in conn.execute("SELECT id FROM docs")}

    def get(self, doc_id: int) -> dict[str, Any] | None:
        with self._engine("get"):
            conn, _ = self._conn()
            row = conn.execute("SELECT doc FROM bodies WHERE id = ?", (int(doc_id),)).fetchone()
            return json.loads(row[0]) if row else None

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
        per_page = min(max(1, int(query.per_page)), MAX_PER_PAGE)
        words = query_words(query.text)
        with self._engine("search"), self._reading() as (conn, st):
            plan: QueryPlan | None = None
            matched = st.all
            if words:
                plan = st.cached(("plan", tuple(words)), lambda: plan_query(words, st.vocab))
                matched = rank.matches(conn, st, plan.match())
            groups = st.filter_groups(query)
            filtered = matched
            for bm in groups.values():
                filtered = filtered & bm
            total = len(filtered)
            facets = st.facet_counts(matched, groups, query.facets, filtered)
            sort = query.sort if query.sort in SORTS else "relevance"
            if sort == "relevance" and plan is None:
                sort = "newest"
            offset = (page - 1) * per_page
            if offset >= total:
                ids: list[int] = []
            elif sort == "title":
                ids = st.title.page(filtered, offset, per_page)
            elif sort == "newest" or plan is None:
                ids = st.newest.page(filtered, offset, per_page)
            else:
                ids = rank.relevance_page(conn, st, plan, filtered, offset, per_page)
            docs = self._documents(conn, ids)
        matcher = plan.matcher() if plan else None
        hits = [
            Hit(
                id=doc_id,
                slug=str(docs[doc_id].get("slug", "")),
                document=docs[doc_id],
                highlights={
                    f: highlight(str(docs[doc_id].get(f) or ""), matcher, None if f == "title" else 30)
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
        return {i: json.loads(d) for i, d in conn.execute(f"SELECT id, doc FROM bodies WHERE id IN ({marks})", ids)}

    # -- rebuild ---------------------------------------------------------------------------

    def rebuild(self, documents: Iterable[dict[str, Any]], progress: Any = None) -> int:
        with self._engine("rebuild"):
            store.resolve(self.path)
            lock_path = self.path.with_name(self.path.name + ".lock")
            with open(lock_path, "a+b") as lock:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_EX)  # one rebuild at a time, across processes
                if not self.path.is_symlink():
                    return self._rebuild_in_place(documents, progress)
                return rebuild.rebuild_swap(self.path, documents, progress)

    def _rebuild_in_place(self, documents: Iterable[dict[str, Any]], progress: Any) -> int:
        """Without symbolic links: replace the content in one transaction (readers see either)."""
        with self._write() as (conn, seq):
            for table in store.TABLES:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (os.urandom(8).hex(),))
            return rebuild.fill(conn, documents, progress, seq)
