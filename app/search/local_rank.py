"""Relevance order for the local engine: bm25 where affordable, field tiers beyond."""

from __future__ import annotations

import sqlite3

from pyroaring import BitMap

from app.search import local_store as store
from app.search.local_state import State
from app.search.local_typos import QueryPlan

RANK_ALL = 5000  # at most this many matches are ranked by bm25 in one go (see `ranking`)


def matches(conn: sqlite3.Connection, st: State, expression: str) -> BitMap:
    def run() -> BitMap:
        cur = conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expression,))
        return BitMap(r for (r,) in cur) & st.all

    return st.cached(("match", expression), run)


def count(conn: sqlite3.Connection, st: State, expression: str) -> int:
    def run() -> int:
        return int(conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()[0])

    return st.cached(("count", expression), run)


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

    return st.cached(("ranking", plan.match()), run)


def relevance_page(
    conn: sqlite3.Connection, st: State, plan: QueryPlan, filtered: BitMap, offset: int, limit: int
) -> list[int]:
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
