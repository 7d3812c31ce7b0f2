"""Writing documents into a local index file: upserts and deletes with their postings, and the
bulk fill of a new file (from worker processes' stage files, or in process)."""

from __future__ import annotations

import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from pyroaring import BitMap

from app.search.analysis import analyze
from app.search.local import store, workers
from app.search.local.store import Prepared

BATCH = 1000
Slot = tuple[str, int]  # (word key, tier)


class Postings:
    """Posting changes gathered over a unit of work and written in one go."""

    def __init__(self) -> None:
        self.added: dict[Slot, array[int]] = defaultdict(lambda: array("I"))
        self.removed: dict[Slot, array[int]] = defaultdict(lambda: array("I"))

    def add(self, doc_id: int, tiers: Iterable[Iterable[str]]) -> None:
        for tier, keys in enumerate(tiers):
            for key in keys:
                self.added[(key, tier)].append(doc_id)

    def remove(self, doc_id: int, tiers: Iterable[Iterable[str]]) -> None:
        for tier, keys in enumerate(tiers):
            for key in keys:
                self.removed[(key, tier)].append(doc_id)

    def change(self, doc_id: int, old: tuple[frozenset[str], ...], new: tuple[frozenset[str], ...]) -> None:
        self.remove(doc_id, (o - n for o, n in zip(old, new, strict=True)))
        self.add(doc_id, (n - o for o, n in zip(old, new, strict=True)))

    def write(self, conn: sqlite3.Connection, seq: int) -> None:
        """Apply to the stored postings (read, change, write back) and refresh the terms' frequencies."""
        by_key: dict[str, set[Slot]] = defaultdict(set)
        for slot in (*self.added, *self.removed):
            by_key[slot[0]].add(slot)
        for chunk in store.chunks(sorted(by_key)):
            marks = ",".join("?" * len(chunk))
            current: dict[Slot, BitMap] = {
                (k, t): BitMap.deserialize(ids)
                for k, t, ids in conn.execute(f"SELECT key, tier, ids FROM postings WHERE key IN ({marks})", chunk)
            }
            slots = set().union(*(by_key[k] for k in chunk))
            for slot in slots:
                bitmap = current.get(slot, BitMap())
                if slot in self.added:
                    bitmap.update(self.added[slot])
                if slot in self.removed:
                    bitmap.difference_update(BitMap(self.removed[slot]))
                current[slot] = bitmap
            write_postings(conn, {s: b for s, b in current.items() if s in slots}, seq, partial=True)


def write_postings(conn: sqlite3.Connection, postings: dict[Slot, BitMap], seq: int, partial: bool = False) -> None:
    """Store postings and the document frequency of their keys.

    An emptied posting stays as an empty row (and a key no document has any more stays in
    `terms` at 0): its new sequence number is how other processes learn it changed.
    `partial`: `postings` holds only some tiers of a key; the frequency is read back in full.
    """
    conn.executemany(store.POSTING_SQL, ((k, t, b.serialize(), seq) for (k, t), b in postings.items()))
    by_key: dict[str, list[BitMap]] = defaultdict(list)
    for (key, _), bitmap in postings.items():
        by_key[key].append(bitmap)
    if partial:
        for chunk in store.chunks(sorted(by_key)):
            marks = ",".join("?" * len(chunk))
            by_key.update((k, []) for k in chunk)
            for key, ids in conn.execute(f"SELECT key, ids FROM postings WHERE key IN ({marks})", chunk):
                by_key[key].append(BitMap.deserialize(ids))
    frequencies = [(key, len(BitMap.union(*bitmaps)) if bitmaps else 0) for key, bitmaps in by_key.items()]
    conn.executemany("INSERT OR REPLACE INTO terms (key, df, seq) VALUES (?, ?, ?)", ((k, n, seq) for k, n in frequencies))


def _old_tiers(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[frozenset[str], ...]]:
    out = {}
    for chunk in store.chunks(ids):
        marks = ",".join("?" * len(chunk))
        for doc_id, body in conn.execute(f"SELECT id, doc FROM bodies WHERE id IN ({marks})", chunk):
            out[doc_id] = analyze(orjson.loads(body))
    return out


def apply_upserts(conn: sqlite3.Connection, prepared: list[Prepared], seq: int) -> int:
    """Write prepared documents (stamped with `seq`), skipping any older than the stored version."""
    stored: dict[int, int] = {}
    for chunk in store.chunks(p.doc.id for p in prepared):
        marks = ",".join("?" * len(chunk))
        stored.update(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
    accepted: dict[int, Prepared] = {}
    for p in prepared:
        if p.doc.id in stored and p.doc.version < stored[p.doc.id]:
            continue  # an older version must never overwrite a newer one
        stored[p.doc.id] = p.doc.version
        accepted[p.doc.id] = p._replace(doc=p.doc._replace(seq=seq))
    if not accepted:
        return 0
    old = _old_tiers(conn, list(accepted))
    postings = Postings()
    empty = tuple(frozenset[str]() for _ in next(iter(accepted.values())).tiers)
    for doc_id, p in accepted.items():
        postings.change(doc_id, old.get(doc_id, empty), p.tiers)
    conn.executemany("DELETE FROM gone WHERE id = ?", [(i,) for i in accepted])
    conn.executemany(store.DOC_SQL, [p.doc for p in accepted.values()])
    conn.executemany(store.BODY_SQL, [(p.doc.id, p.body) for p in accepted.values()])
    postings.write(conn, seq)
    return len(accepted)


def apply_deletes(conn: sqlite3.Connection, ids: list[int], seq: int) -> None:
    old = _old_tiers(conn, ids)
    postings = Postings()
    for doc_id, tiers in old.items():
        postings.remove(doc_id, tiers)
    for chunk in store.chunks(ids):
        marks = ",".join("?" * len(chunk))
        versions = dict(conn.execute(f"SELECT id, version FROM docs WHERE id IN ({marks})", chunk))
        conn.execute(f"DELETE FROM docs WHERE id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM bodies WHERE id IN ({marks})", chunk)
        conn.executemany("INSERT OR REPLACE INTO gone (id, version, seq) VALUES (?, ?, ?)",
                         [(i, versions.get(i), seq) for i in chunk])
    postings.write(conn, seq)


def fill(
    conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int, stage: Path | None = None
) -> int:
    """Insert every document into an empty file (a later duplicate id replaces an earlier one).

    With `stage` (a directory for stage files, given when `conn` is a new file nobody reads yet,
    in autocommit mode), pages of a `PagedDocuments` source are read and analysed by worker
    processes (`local.workers`) and copied in page by page; the postings are merged here and
    written once at the end.
    """
    postings: dict[Slot, BitMap] = {}
    pages = workers.parallel_pages(documents) if stage is not None else None
    if pages is not None:
        assert stage is not None  # parallel_pages answers only when given a stage
        written = 0
        source: Any = documents  # a PagedDocuments: parallel_pages checked it
        for staged in workers.staged(source, pages, seq, stage, postings):
            written += workers.copy_in(conn, staged)
            if progress is not None:
                progress(written)
        conn.execute("BEGIN")
        write_postings(conn, postings, seq)
        conn.execute("COMMIT")
    else:
        if stage is not None:
            conn.execute("BEGIN")
        _fill_here(conn, documents, progress, seq, postings)
        if stage is not None:
            conn.execute("COMMIT")
    return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])


def _fill_here(
    conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], progress: Any, seq: int, postings: dict[Slot, BitMap]
) -> None:
    latest: dict[int, Prepared] = {}
    written = 0
    for batch in store.chunks(documents, BATCH):
        for doc in batch:
            p = store.prepare(doc, seq)
            latest[p.doc.id] = p
        written += len(batch)
        if progress is not None:
            progress(written)
    gathered = Postings()
    for p in latest.values():
        gathered.add(p.doc.id, p.tiers)
    conn.executemany(store.DOC_SQL, [p.doc for p in latest.values()])
    conn.executemany(store.BODY_SQL, [(p.doc.id, p.body) for p in latest.values()])
    postings.update((slot, BitMap(ids)) for slot, ids in gathered.added.items())
    write_postings(conn, postings, seq)
