"""The embedded default engine: SQLite FTS5 plus roaring bitmaps in memory.

- Documents (JSON) and their filter/sort columns live in a plain table; each searchable field
  is indexed in FTS5 as normalised Snowball stems (`text.stem`), ranked by weighted bm25.
- A query word matches its stem, typo variants and (last word) prefixes, found in an
  in-memory vocabulary (`local_typos`); the FTS5 MATCH is built only from quoted terms.
- Filters, disjunctive facet counts and sorting run on per-value roaring bitmaps
  (`local_state`), refreshed when the file changes (sequence number in `meta`), so other
  processes' writes are seen.
- Threads: one SQLite connection per thread; writers serialise with BEGIN IMMEDIATE (WAL).
- `rebuild` fills a new file and swaps it in atomically (`local_store`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pyroaring import BitMap

from app.search import local_store as store
from app.search.base import (
    HIGHLIGHT_FIELDS,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)
from app.search.local_highlight import highlight
from app.search.local_state import RWLock, State
from app.search.local_typos import QueryPlan, plan_query, query_words

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

RANK_ALL = 5000  # at most this many matches are ranked by bm25 in one go (see _ranking)
FULL_RELOAD_SHARE = 0.2  # refresh by reloading everything when more changed than this
BATCH = 1000


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
            meta = store.read_meta(conn)
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
                st.put(row, ())
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
        with self._engine("upsert"), self._write() as (conn, seq):
            self._apply_upserts(conn, [store.prepare(d, seq) for d in docs], seq)

    @staticmethod
    def _apply_upserts(conn: sqlite3.Connection, prepared: list[Any], seq: int) -> int:
        """Write prepared documents, skipping any older than the stored version."""
        stored: dict[int, int] = {}
        for chunk in store.rows_in(p[0][0] for p in prepared):
            marks = ",".join("?" * len(chunk))
            stored.update(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
        accepted: dict[int, Any] = {}
        for row, fts, terms in prepared:
            doc_id, version = row[0], row[1]
            if doc_id in stored and version < stored[doc_id]:
                continue  # an older version must never overwrite a newer one
            stored[doc_id] = version
            accepted[doc_id] = (row, fts, terms)
        if not accepted:
            return 0
        ids = [(i,) for i in accepted]
        conn.executemany("DELETE FROM fts WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM gone WHERE id = ?", ids)
        conn.executemany(store.DOC_SQL, [a[0][:10] for a in accepted.values()])
        conn.executemany(store.BODY_SQL, [(a[0][0], a[0][10]) for a in accepted.values()])
        conn.executemany(store.FTS_SQL, [a[1] for a in accepted.values()])
        terms = set().union(*(a[2] for a in accepted.values()))
        conn.executemany("INSERT OR IGNORE INTO terms (term, seq) VALUES (?, ?)", ((t, seq) for t in terms))
        return len(accepted)

    def delete(self, ids: Sequence[int]) -> None:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return
        with self._engine("delete"), self._write() as (conn, seq):
            self._apply_deletes(conn, wanted, seq, {})

    @staticmethod
    def _apply_deletes(conn: sqlite3.Connection, ids: list[int], seq: int, versions: dict[int, Any]) -> None:
        for chunk in store.rows_in(ids):
            marks = ",".join("?" * len(chunk))
            stored = dict(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
            conn.execute(f"DELETE FROM docs WHERE id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM bodies WHERE id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", chunk)
            conn.executemany(
                "INSERT OR REPLACE INTO gone (id, version, seq) VALUES (?, ?, ?)",
                [(i, stored.get(i, versions.get(i)), seq) for i in chunk],
            )

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
                matched = self._matches(conn, st, plan.match())
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
                ids = self._relevance_page(conn, st, plan, filtered, offset, per_page)
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
    def _matches(conn: sqlite3.Connection, st: State, expression: str) -> BitMap:
        def run() -> BitMap:
            cur = conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expression,))
            return BitMap(r for (r,) in cur) & st.all

        return st.cached(("match", expression), run)

    @staticmethod
    def _count(conn: sqlite3.Connection, st: State, expression: str) -> int:
        def run() -> int:
            return int(conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()[0])

        return st.cached(("count", expression), run)

    def _ranking(self, conn: sqlite3.Connection, st: State, plan: QueryPlan) -> tuple[list[int], list[BitMap]]:
        """The relevance order of a text's matches: (ranked head, tiers ordered newest first).

        Exact-form matches come before typo-only matches. Within each, bm25 (weighted by field)
        ranks the matches when there are at most RANK_ALL of them. A larger group of exact
        matches (a very common word) is split by where the words occur: all in the title, then
        all in title or summary, then anywhere; a field tier small enough is ranked by bm25, a
        larger one is listed newest first (as is a huge group of typo-only matches). So a common word never costs bm25 over the whole index, while
        totals and facet counts stay exact.
        """

        def run() -> tuple[list[int], list[BitMap]]:
            exact_expr, full_expr = plan.match(with_typos=False), plan.match()
            everything = self._matches(conn, st, full_expr)
            groups = [(everything, full_expr, True)]
            if plan.has_typos:
                exact = self._matches(conn, st, exact_expr)
                groups = [(exact, exact_expr, True), (everything - exact, full_expr, False)]
            head: list[int] = []
            head_set = BitMap()
            tiers: list[BitMap] = []

            def rank(expression: str, within: BitMap) -> None:
                sql = f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY {store.BM25}, rowid"
                for (r,) in conn.execute(sql, (expression,)):
                    if r in within and r not in head_set:
                        head.append(r)
                        head_set.add(r)

            for group, expression, by_field in groups:
                if not group:
                    continue
                if len(self._matches(conn, st, expression)) <= RANK_ALL:
                    rank(expression, group)
                    continue
                left = group - head_set
                if not by_field:  # a huge set of typo-only matches: newest first
                    tiers.append(left)
                    continue
                for columns in ("title", "title summary"):
                    scoped = "{" + columns + "} : (" + expression + ")"
                    n = self._count(conn, st, scoped)
                    if n <= RANK_ALL:
                        rank(scoped, left)
                        left = left - head_set
                    elif n >= len(group):  # the words are there in every match: no tier
                        break
                    else:
                        tier = self._matches(conn, st, scoped) & left
                        tiers.append(tier)
                        left = left - tier
                if left:
                    tiers.append(left)
            return head, tiers

        return st.cached(("ranking", plan.match()), run)

    def _relevance_page(
        self, conn: sqlite3.Connection, st: State, plan: QueryPlan, filtered: BitMap, offset: int, limit: int
    ) -> list[int]:
        head, tiers = self._ranking(conn, st, plan)
        out: list[int] = []
        skip = offset
        for i in head:
            if i in filtered:
                if skip:
                    skip -= 1
                    continue
                out.append(i)
                if len(out) >= limit:
                    return out
        for tier in tiers:
            part = tier & filtered if len(filtered) < len(tier) * 8 else filtered & tier
            if skip >= len(part):
                skip -= len(part)
                continue
            out.extend(st.newest.page(part, skip, limit - len(out)))
            skip = 0
            if len(out) >= limit:
                break
        return out

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
                return self._rebuild_swap(documents, progress)

    def _fill(self, conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int) -> int:
        """Insert every document (a later duplicate id replaces an earlier one).

        Stemming (Python) and FTS5 inserts (C, without the GIL) overlap: this thread prepares
        batches while a writer thread inserts the previous ones into `conn`.
        """
        terms: set[str] = set()
        pending: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)
        failed: list[BaseException] = []
        written = 0

        def write() -> None:
            nonlocal written
            seen = BitMap()
            while (prepared := pending.get()) is not None:
                if failed:
                    continue  # keep draining so the producer never blocks
                try:
                    rows = {p[0][0]: p for p in prepared}
                    ids = BitMap(rows)
                    if seen.intersection_cardinality(ids):
                        conn.executemany("DELETE FROM fts WHERE rowid = ?", ((i,) for i in seen & ids))
                    seen.update(ids)
                    conn.executemany(store.DOC_SQL, [p[0][:10] for p in rows.values()])
                    conn.executemany(store.BODY_SQL, [(p[0][0], p[0][10]) for p in rows.values()])
                    conn.executemany(store.FTS_SQL, [p[1] for p in rows.values()])
                    written += len(prepared)
                except BaseException as exc:  # noqa: BLE001 - re-raised by the producer
                    failed.append(exc)

        writer = threading.Thread(target=write, name="local-index-fill", daemon=True)
        writer.start()
        reported = 0
        try:
            batch: list[dict[str, Any]] = []
            for doc in itertools.chain(documents, [None]):
                if doc is not None:
                    batch.append(doc)
                    if len(batch) < BATCH:
                        continue
                if not batch or failed:
                    break
                prepared = [store.prepare(d, seq) for d in batch]
                for p in prepared:
                    terms.update(p[2])
                pending.put(prepared)
                batch = []
                if progress is not None and written != reported:
                    reported = written
                    progress(reported)
        finally:
            pending.put(None)
            writer.join()
        if failed:
            raise failed[0]
        if progress is not None and written != reported:
            progress(written)
        conn.executemany("INSERT OR IGNORE INTO terms (term, seq) VALUES (?, ?)", ((t, seq) for t in terms))
        return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def _rebuild_swap(self, documents: Iterable[dict[str, Any]], progress: Any) -> int:
        old_target = store.resolve(self.path)
        old = store.connect(old_target)
        try:
            start_seq = int(store.read_meta(old)["seq"])
            new_path = store.new_data_name(self.path)
            new = sqlite3.connect(str(new_path), isolation_level=None, check_same_thread=False)
            try:
                new.execute("PRAGMA journal_mode = OFF")
                new.execute("PRAGMA synchronous = OFF")
                new.execute("PRAGMA cache_size = -64000")
                store.init_file(new)
                new.execute("BEGIN")
                count = self._fill(new, documents, progress, 0)
                # Writes that reached the old file meanwhile (outbox sync) are carried over;
                # the version check keeps whichever copy is newer.
                old.execute("BEGIN IMMEDIATE")
                try:
                    self._carry_over(old, new, start_seq)
                    new.execute("COMMIT")
                    new.execute("PRAGMA journal_mode = WAL")
                    count = int(new.execute("SELECT count(*) FROM docs").fetchone()[0])
                    new.close()
                    fd = os.open(new_path, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                    link = self.path.with_name(self.path.name + ".link-" + new_path.name)
                    with contextlib.suppress(FileNotFoundError):
                        link.unlink()
                    os.symlink(new_path.name, link)
                    os.replace(link, self.path)
                    old.execute("UPDATE meta SET value = '1' WHERE key = 'retired'")
                    old.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        old.execute("ROLLBACK")
                    raise
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    new.close()
                store.remove_data_file(new_path)
                raise
        finally:
            old.close()
        # Keep the file just replaced (readers may still hold it); drop older leftovers.
        keep = {Path(old_target).name, new_path.name}
        for p in store.data_files(self.path):
            if p.name not in keep:
                store.remove_data_file(p)
        return count

    def _carry_over(self, old: sqlite3.Connection, new: sqlite3.Connection, start_seq: int) -> None:
        changed = [
            json.loads(d)
            for (d,) in old.execute(
                "SELECT b.doc FROM docs AS d JOIN bodies AS b ON b.id = d.id WHERE d.seq > ?", (start_seq,)
            )
        ]
        if changed:
            self._apply_upserts(new, [store.prepare(d, 0) for d in changed], 0)
        gone = old.execute("SELECT id, version FROM gone WHERE seq > ?", (start_seq,)).fetchall()
        if gone:
            versions = dict(new.execute("SELECT id, version FROM docs").fetchall()) if len(gone) > 500 else {}
            drop = []
            for doc_id, version in gone:
                have = versions.get(doc_id)
                if have is None:
                    row = new.execute("SELECT version FROM docs WHERE id = ?", (doc_id,)).fetchone()
                    have = row[0] if row else None
                if have is not None and (version is None or have <= version):
                    drop.append(doc_id)
            if drop:
                self._apply_deletes(new, drop, 0, {})

    def _rebuild_in_place(self, documents: Iterable[dict[str, Any]], progress: Any) -> int:
        """Without symbolic links: replace the content in one transaction (readers see either)."""
        with self._write() as (conn, seq):
            for table in store.TABLES:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (os.urandom(8).hex(),))
            return self._fill(conn, documents, progress, seq)
