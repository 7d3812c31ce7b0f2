"""Relevance order for the local engine: bm25 where affordable, field tiers beyond."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from pyroaring import BitMap

from app.search.local import store
from app.search.local.plan import QueryPlan
from app.search.local.state import State

# At most this many matches are ranked by bm25 in one go (see `ranking`). A larger group is
# ordered by field tiers, newest first within a tier, much as Meilisearch's attribute rule
# orders a common word's matches; FTS5's bm25 costs about 4 µs a match, so ranking every
# title match of a word in 4 % of 100,000 practices alone took 15 ms (bench/README.md).
RANK_ALL = 2000
# A filtered set at most this large is ranked on its own (`rank_few`, about 25 µs a
# document in Python); a larger one takes the text's cached `ranking` through the filter.
RANK_FEW = 400
_K1, _B = 1.2, 0.75  # bm25 parameters (FTS5's)


def matches(conn: sqlite3.Connection, st: State, expression: str) -> BitMap:
    def run() -> BitMap:
        # One joined string from SQLite, parsed as JSON (in C): several times faster than a
        # row per id.
        (joined,) = conn.execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()
        if not joined:
            return BitMap()
        return BitMap(json.loads("[" + joined + "]")) & st.all

    found: BitMap = st.cached(("match", expression), run)
    return found


def count(conn: sqlite3.Connection, st: State, expression: str) -> int:
    def run() -> int:
        return int(conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()[0])

    n: int = st.cached(("count", expression), run)
    return n


def ranking(conn: sqlite3.Connection, st: State, plan: QueryPlan) -> tuple[list[int], list[BitMap]]:
    """The relevance order of a text's matches: (ranked head, tiers ordered newest first).

    Exact-form matches come before typo-only matches. Within each, bm25 (weighted by field)
    ranks the matches when there are at most RANK_ALL of them. A larger group of exact
    matches (a very common word) is split by where the words occur: all in the title, then
    all in title or summary, then anywhere. A field tier small enough is ranked by bm25; the
    first larger one is listed newest first, and so is everything after it (and a huge group
    of typo-only matches). So a common word never costs bm25 over the whole index, while
    totals and facet counts stay exact.
    """

    def run() -> tuple[list[int], list[BitMap]]:
        exact_expr, full_expr = plan.match(with_typos=False), plan.match()
        everything = matches(conn, st, full_expr)
        groups = [(everything, full_expr, True)]
        if plan.has_typos:
            exact = matches(conn, st, exact_expr)
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
            if len(matches(conn, st, expression)) <= RANK_ALL:
                rank(expression, group)
                continue
            left = group - head_set
            if not by_field:  # a huge set of typo-only matches: newest first
                tiers.append(left)
                continue
            for columns in ("title", "title summary"):
                scoped = "{" + columns + "} : (" + expression + ")"
                n = count(conn, st, scoped)
                if n <= RANK_ALL:
                    rank(scoped, left)
                    left = left - head_set
                elif n >= len(group):  # the words are there in every match: no tier
                    break
                else:  # one large tier is fetched; the rest follows it newest first
                    tier = matches(conn, st, scoped) & left
                    tiers.append(tier)
                    left = left - tier
                    break
            if left:
                tiers.append(left)
        return head, tiers

    order: tuple[list[int], list[BitMap]] = st.cached(("ranking", plan.match()), run)
    return order


def relevance_page(
    conn: sqlite3.Connection, st: State, plan: QueryPlan, filtered: BitMap, offset: int, limit: int
) -> list[int]:
    if len(filtered) <= RANK_FEW:
        return rank_few(conn, plan, filtered)[offset : offset + limit]
    head, tiers = ranking(conn, st, plan)
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


def rank_few(conn: sqlite3.Connection, plan: QueryPlan, filtered: BitMap) -> list[int]:
    """The relevance order of a few matches, scored from their indexed stems in Python.

    A text's `ranking` costs the same however few documents a filter leaves; a small filtered
    set is cheaper to score directly. Exact-form matches come first, then typo-only ones;
    within each, a field-weighted bm25 of the matching stems (FTS5's k1 and b, field lengths
    averaged over these documents; no idf, which only weighs query words against each other),
    then id.
    """
    words = plan.words
    exact_terms = [frozenset(w.exact) for w in words]
    exact_prefixes = [w.prefixes for w in words]
    typo_terms = [frozenset(w.typos) for w in words]
    typo_prefixes = [w.typo_prefixes for w in words]
    memo: dict[str, tuple[tuple[int, bool], ...]] = {}

    def classify(term: str) -> tuple[tuple[int, bool], ...]:
        """(word index, exact?) for every query word the indexed term matches."""
        out = []
        for j in range(len(words)):
            if term in exact_terms[j] or any(term.startswith(p) for p in exact_prefixes[j]):
                out.append((j, True))
            elif term in typo_terms[j] or any(term.startswith(p) for p in typo_prefixes[j]):
                out.append((j, False))
        return tuple(out)

    alternatives = {re.escape(t) for w in words for t in (*w.exact, *w.typos)}
    alternatives.update(re.escape(p) + r"\S*" for w in words for p in (*w.prefixes, *w.typo_prefixes))
    # Longest first, so an alternative is never cut short by a shorter one it starts with.
    pattern = "|".join(sorted(alternatives, key=lambda a: (-len(a), a)))
    findall = re.compile(r"(?<!\S)(" + pattern + r")(?!\S)").findall
    docs: list[tuple[Any, ...]] = []
    for chunk in store.rows_in(filtered):
        marks = ",".join("?" * len(chunk))
        # FTS5's own content table (id, c0.. in SEARCHABLE_FIELDS order): half the cost of
        # reading the same rows through the virtual table.
        docs.extend(conn.execute(f"SELECT * FROM fts_content WHERE id IN ({marks})", chunk))
    if not docs:
        return []
    nfields = len(store.WEIGHTS)
    # bm25's length normalisation k1 * (1 - b + b * length / average), as base + slope * length.
    base = _K1 * (1 - _B)
    slopes = [
        _K1 * _B * len(docs) / max(1, sum(d[i + 1].count(" ") + 1 for d in docs if d[i + 1])) for i in range(nfields)
    ]
    keyed = []
    for d in docs:
        exact_tf = [[0] * nfields for _ in words]
        any_tf = [[0] * nfields for _ in words]
        for i in range(nfields):
            text = d[i + 1]
            if not text:
                continue
            for t in findall(text):
                hits = memo.get(t)
                if hits is None:
                    hits = memo[t] = classify(t)
                for j, is_exact in hits:
                    any_tf[j][i] += 1
                    if is_exact:
                        exact_tf[j][i] += 1
        exact = all(any(tf) for tf in exact_tf)
        score = 0.0
        for per_word in exact_tf if exact else any_tf:
            for i, tf in enumerate(per_word):
                if tf:
                    norm = base + slopes[i] * (d[i + 1].count(" ") + 1)
                    score += store.WEIGHTS[i] * tf * (_K1 + 1) / (tf + norm)
        keyed.append((0 if exact else 1, -score, d[0]))
    keyed.sort()
    return [k[2] for k in keyed]
