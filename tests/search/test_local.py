"""Local engine only: several instances/processes on one file, threads, the rebuild swap."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.search.base import SearchUnavailable
from app.search.local import LocalIndex
from app.search.typos import budget as typo_budget
from app.search.typos import within
from tests.factories import search_query
from tests.search.conftest import corpus, practice


def ids_for(index: LocalIndex, text: str = "", **kw: object) -> set[int]:
    return {h.id for h in index.search(search_query(text=text, per_page=100, **kw)).hits}  # type: ignore[arg-type]


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    a, b = LocalIndex(tmp_path / "search.db"), LocalIndex(tmp_path / "search.db")
    yield a, b
    a.close()
    b.close()


def test_writes_of_one_instance_are_seen_by_another(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    a.upsert(corpus())
    assert ids_for(b, '"ёлка"') == {3}  # b builds its state now
    a.upsert([practice(40, "Ёлка во дворе", region="RU-TA", themes=["culture"])])
    assert ids_for(b, '"ёлка"') == {3, 40}  # patched from the sequence number
    facets = b.search(search_query(regions=("RU-TA",))).facets
    assert {c.value: c.count for c in facets["theme"]}["culture"] == 1
    a.delete([3])
    assert ids_for(b, '"ёлка"') == {40}
    assert 3 not in ids_for(b)
    a.upsert([practice(40, "Новая редакция без праздника", version=2)])
    assert ids_for(b, '"ёлка"') == set()
    assert ids_for(b, "праздника") == {40}  # new terms reach the other vocabulary (typo/prefix)
    assert ids_for(b, "праздни") == {40}
    a.clear()
    assert ids_for(b) == set()


def _write_in_child(path: str) -> None:
    index = LocalIndex(Path(path))
    index.upsert([practice(77, "Запись из другого процесса")])
    index.close()


def test_writes_of_another_process_are_seen(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "search.db")
    index.upsert(corpus())
    assert ids_for(index, "процесса") == set()
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_write_in_child, args=(str(tmp_path / "search.db"),))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert ids_for(index, "процесса") == {77}
    assert index.count() == len(corpus()) + 1
    index.close()


def test_rebuild_swap_is_seen_by_another_instance(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    a.upsert(corpus())
    assert ids_for(b, '"ёлка"') == {3}
    old_target = os.path.realpath(tmp_path / "search.db")
    assert a.rebuild([practice(200, "Ёлка после пересборки")]) == 1
    assert os.path.realpath(tmp_path / "search.db") != old_target
    assert (tmp_path / "search.db").is_symlink()
    assert ids_for(b, '"ёлка"') == {200}
    assert b.ids() == {200}
    b.upsert([practice(201, "Запись после пересборки")])  # b writes to the new file
    assert a.ids() == {200, 201}
    # a second rebuild drops the file two generations back
    a.rebuild([practice(300, "Третье поколение")])
    assert not os.path.exists(old_target)
    assert b.ids() == {300}


def test_writes_during_rebuild_stay_with_the_old_file(pair) -> None:  # type: ignore[no-untyped-def]
    """The engine copies nothing over at the swap: the reindex replays the outbox rows written
    since it began (tests/test_sync.py proves the replay), so nothing is applied twice here."""
    a, b = pair
    a.upsert(corpus())

    def documents():  # type: ignore[no-untyped-def]
        yield from [dict(d) for d in corpus()]
        b.upsert([practice(90, "Опубликована во время пересборки")])  # reaches the old file

    assert a.rebuild(documents()) == len(corpus())
    assert a.ids() == {d["id"] for d in corpus()}
    b.upsert([practice(90, "Опубликована во время пересборки")])  # the replay: b follows the swap
    assert ids_for(a, "пересборки") == {90}


@dataclass
class CorpusPages:
    """The test corpus as a `PagedDocuments` source, two documents a page; `broken` pages
    fail to read (in whichever process reads them)."""

    broken: tuple[int, ...] = ()
    shareable: bool = True

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(corpus())

    def pages(self) -> list[tuple[int, ...]] | None:
        if not self.shareable:
            return None
        ids = sorted(d["id"] for d in corpus())
        return [tuple(ids[i:i + 2]) for i in range(0, len(ids), 2)]

    def read(self, page: tuple[int, ...]) -> list[dict[str, object]]:
        if set(page) & set(self.broken):
            raise ValueError(f"page {page} cannot be read")
        return [d for d in corpus() if d["id"] in page]


@pytest.fixture
def worker_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the worker processes started; two CPUs at least, as the worker path needs."""
    from app.search.local import workers as local_workers

    monkeypatch.setattr(local_workers, "cpus", lambda: 2)
    context = multiprocessing.get_context("spawn")
    names: list[str] = []
    start = context.Process.start

    def spy(self):  # type: ignore[no-untyped-def]
        names.append(self.name)
        return start(self)

    monkeypatch.setattr(context.Process, "start", spy)
    return names


def _answers(index: LocalIndex) -> list[object]:
    queries = ["ёлка", "юнармейский отряд", "благоустройство", "бюджет", ""]
    return [[(h.id, h.highlights) for h in index.search(search_query(text=q, per_page=100)).hits] for q in queries]


def test_rebuild_in_worker_processes_equals_one_in_process(tmp_path: Path, worker_starts: list[str]) -> None:
    from app.search.local import workers as local_workers

    parallel, serial = LocalIndex(tmp_path / "a" / "search.db"), LocalIndex(tmp_path / "b" / "search.db")
    try:
        assert parallel.rebuild(CorpusPages()) == len(corpus())
        assert worker_starts == ["local-index-stemming"] * local_workers.WORKERS
        serial.rebuild([dict(d) for d in corpus()])  # a plain iterable: stemmed in this process
        assert len(worker_starts) == local_workers.WORKERS
        assert _answers(parallel) == _answers(serial)
        assert parallel.ids() == serial.ids() == {d["id"] for d in corpus()}
        with sqlite3.connect(os.path.realpath(tmp_path / "a" / "search.db")) as conn:
            terms = dict(conn.execute("SELECT key, df FROM terms"))
            postings = conn.execute("SELECT count(*) FROM postings").fetchone()[0]
        assert terms["елк"] == 1 and terms["юнармейск"] == 1  # the vocabulary came through the stages
        assert postings >= len(terms)
        assert [p.name for p in (tmp_path / "a").iterdir() if p.name.startswith(".stage-")] == []
        parallel.upsert([practice(99, "Ёлка после пересборки")])  # the sync writes to the rebuilt file
        assert 99 in ids_for(parallel, "ёлка")
        assert ids_for(parallel, "ёл") == ids_for(serial, "ёл") | {99}  # prefix search
    finally:
        parallel.close()
        serial.close()


@dataclass
class CountedPages(CorpusPages):
    """`CorpusPages` that add a line to the file `log` whenever they are unpickled (where a real
    source opens a database engine, and with it a connection)."""

    log: str = ""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return _unpickled, (self.log,)


def _unpickled(log: str) -> CountedPages:
    with open(log, "a", encoding="utf-8") as f:
        f.write("unpickled\n")
    return CountedPages(log=log)


def test_each_worker_process_opens_the_source_once(tmp_path: Path, worker_starts: list[str]) -> None:
    """Not once per page: on PostgreSQL every page left a connection open in the worker, and a
    reindex of 100,000 practices (100 pages) ran the server out of connections."""
    from app.search.local import workers as local_workers

    log = tmp_path / "unpickled.txt"
    source = CountedPages(log=str(log))
    assert len(source.pages() or []) > 2 * local_workers.WORKERS
    index = LocalIndex(tmp_path / "search.db")
    try:
        assert index.rebuild(source) == len(corpus())
        assert log.read_text(encoding="utf-8").count("unpickled") == local_workers.WORKERS
    finally:
        index.close()


def test_rebuild_failing_in_a_worker_keeps_the_old_index(tmp_path: Path, worker_starts: list[str]) -> None:
    from app.search.local.store import data_files

    index = LocalIndex(tmp_path / "search.db")
    try:
        index.upsert(corpus())
        live = os.path.realpath(tmp_path / "search.db")
        with pytest.raises(RuntimeError, match=r"failed in a worker process.*ValueError: page \(7, 8\)"):
            index.rebuild(CorpusPages(broken=(7,)))
        assert worker_starts
        assert index.ids() == {d["id"] for d in corpus()}
        assert ids_for(index, '"ёлка"') == {3}
        assert [str(p) for p in data_files(tmp_path / "search.db")] == [live]  # the half-built file is gone
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".stage-")] == []
    finally:
        index.close()


def test_threads_search_while_writing(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "search.db")
    index.upsert(corpus())
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                r = index.search(search_query(text="благоустройство", regions=("RU-SPE", "RU-MOW")))
                assert r.total >= 2
                assert len(r.hits) == min(20, r.total)
                assert all("<mark>" in h.highlights["title"] + h.highlights["summary"] for h in r.hits)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(60):
            index.upsert([practice(1000 + i, f"Благоустройство сквера {i}", region="RU-MOW")])
            if i % 10 == 9:
                index.delete([1000 + i - 5])
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors[0]
    assert ids_for(index, '"сквера"') == {1000 + i for i in range(60)} - {1004, 1014, 1024, 1034, 1044, 1054}
    index.close()


def test_unreadable_file_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    data = tmp_path / "search.db"
    data.write_bytes(b"this is not a database" * 100)
    index = LocalIndex(data)
    assert index.health() is False
    with pytest.raises(SearchUnavailable):
        index.search(search_query(text="ёлка"))


def test_reopen_after_close(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "search.db")
    index.upsert(corpus())
    index.close()
    assert LocalIndex(tmp_path / "search.db").count() == len(corpus())
    assert index.count() == len(corpus())  # a closed index reopens on use


def test_typo_budget() -> None:
    assert typo_budget("парк") == 0
    assert typo_budget("парки") == 1
    assert typo_budget("юнармейск") == 2
    assert typo_budget("12345") == 0


def test_typo_look_up_is_osa() -> None:
    assert within("юнармеск", ["юнармейск", "юнарм", "отряд"], 1) == {"юнармейск": 1}
    assert within("юнрамейск", ["юнармейск"], 1) == {"юнармейск": 1}  # a swap counts once
    assert within("отряд", ["атряд", "отряд"], 0) == {}  # no budget, no look-up


def test_ranking_follows_kind_and_tier(tmp_path: Path) -> None:
    """Literal before typo before nothing; title before summary before body; then the newest."""
    index = LocalIndex(tmp_path / "search.db")
    index.upsert([
        practice(1, "Парк", summary="описание", solution="сквер и сквер"),  # body only, oldest
        practice(2, "Сквер у реки", summary="описание"),  # title
        practice(3, "Набережная", summary="новый сквер"),  # summary
        practice(4, "Сквер героев", summary="сквер"),  # title and summary
        practice(5, "Двор", outcome="сквер"),  # body only
        practice(6, "Свер", summary="сквре у дома"),  # typo-only matches
    ])
    order = [h.id for h in index.search(search_query(text="сквер", per_page=100)).hits]
    assert order == [4, 2, 3, 5, 1, 6]
    pages = [h.id for p in (1, 2, 3) for h in index.search(search_query(text="сквер", page=p, per_page=2)).hits]
    assert pages == order
    filtered = index.search(search_query(text="сквер", year_from=2020, regions=("RU-BEL",), per_page=2, page=2))
    assert [h.id for h in filtered.hits] == order[2:4] and filtered.total == 6
    index.close()


def test_a_filter_choosing_few_matches_ranks_them_as_scoring_every_match_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the filtered documents are scored when a filter keeps few of a text's matches; a
    score does not depend on the other candidates, so pages and sorts stay the same."""
    from app.search.local import matching

    index = LocalIndex(tmp_path / "search.db")
    titles = ["Сквер у реки", "Сквер героев", "Новый сквер", "Парк и сквер", "Скверы района", "Свер"]
    index.upsert([
        practice(i, titles[i % 6], summary="сквер" if i % 3 else "описание", region="RU-TA" if i % 5 == 0 else "RU-BEL",
                 awards=["lmp", "lmp:2023"] if i % 4 == 0 else [])
        for i in range(1, 121)
    ])
    queries = [search_query(text="сквер", regions=("RU-TA",), per_page=5, page=p, sort=s)
               for p in (1, 2, 5) for s in ("relevance", "winners")]

    def answers() -> list[tuple[list[int], int]]:
        index.close()  # a new state: nothing kept from the other way of scoring
        results = [index.search(q) for q in queries]
        return [([h.id for h in r.hits], r.total) for r in results]

    monkeypatch.setattr(matching, "SCORE_ALL_FROM", 10**9)  # every match scored
    every = answers()
    monkeypatch.setattr(matching, "SCORE_ALL_FROM", 0)  # only the filtered ones
    assert answers() == every
    assert every[0][1] == 24 and len(every[0][0]) == 5
    index.close()


def test_counts_over_a_whole_match_set_are_kept_until_a_write(tmp_path: Path) -> None:
    """The browsing page (no text, no filter) and a text's disjunctive counts reuse the counts of
    the whole catalogue or of the text's matches; any write drops them."""
    index = LocalIndex(tmp_path / "search.db")
    index.upsert([practice(i, "Сквер" if i % 2 else "Парк", region="RU-TA" if i % 3 else "RU-BEL",
                           themes=["culture"] if i % 4 else ["sport"]) for i in range(1, 13)])

    def counts(**kw: object) -> dict[str, dict[str, int]]:
        facets = index.search(search_query(**kw)).facets  # type: ignore[arg-type]
        return {name: {c.value: c.count for c in values} for name, values in facets.items()}

    everything = counts()
    assert everything["region"] == {"RU-TA": 8, "RU-BEL": 4}
    assert index._state is not None and set(index._state.counts) == set(everything)  # kept
    index.search(search_query()).facets["region"].clear()  # an answer's lists are its own
    assert counts() == everything
    chosen = counts(text="сквер", regions=("RU-BEL",))
    assert chosen["region"] == counts(text="сквер")["region"] == {"RU-TA": 4, "RU-BEL": 2}  # over the text's matches
    assert chosen["theme"] == {"culture": 2}  # over the chosen region's
    index.upsert([practice(13, "Сквер", region="RU-MOS")])
    assert counts()["region"] == {"RU-TA": 8, "RU-BEL": 4, "RU-MOS": 1}
    assert counts(text="сквер", regions=("RU-BEL",))["region"] == {"RU-TA": 4, "RU-BEL": 2, "RU-MOS": 1}
    index.close()


def test_what_a_word_matches_is_kept_across_texts_until_a_write(tmp_path: Path) -> None:
    """Another text with the same word reuses the word's documents; a write (here in another
    process's connection, seen through the file) drops them."""
    index = LocalIndex(tmp_path / "search.db")
    index.upsert([practice(1, "Школьный двор"), practice(2, "Сквер у реки"), practice(3, "Школьный сквер")])

    def found(text: str) -> set[int]:
        return {h.id for h in index.search(search_query(text=text, per_page=10)).hits}

    assert found("школьный") == {1, 3}
    assert index._state is not None
    word = next(k for k in index._state.words if getattr(k, "text", None) == "школьный")
    kept = index._state.words[word]
    assert kept.variants.literal == ("школьн",) and set(kept.union) == {1, 3}
    assert found("двор школьный") == {1}  # another text, the same last word
    assert index._state.words[word] is kept
    other = LocalIndex(tmp_path / "search.db")
    other.upsert([practice(4, "Школьный музей"), practice(5, "Школьный сад")])
    other.close()
    assert found("школьный") == {1, 3, 4, 5}
    assert index._state.words[word] is not kept
    index.close()


def test_a_loaded_state_is_left_out_of_full_collections(tmp_path: Path) -> None:
    """Its rows live until the next reload: the cyclic collector should not walk them each time."""
    index = LocalIndex(tmp_path / "search.db")
    index.upsert([practice(i, f"Практика {i}") for i in range(1, 20)])
    gc.unfreeze()
    try:
        assert index.search(search_query(text="практика")).total == 19  # loads the state
        assert index._state is not None
        meta = index._state.meta
        assert gc.get_freeze_count() > 0 and not any(o is meta for o in gc.get_objects())
    finally:
        gc.unfreeze()
    index.close()


def test_more_words_and_rarer_words_rank_first(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "search.db")
    index.upsert([
        practice(1, "Гранты для молодёжи", summary="конкурс"),
        practice(2, "Гранты для НКО"),
        practice(3, "Молодёжный совет"),
        practice(4, "Гранты", summary="гранты"),
    ])
    # «молодёжь» (2 documents) is rarer than «гранты» (3): it decides what matches
    order = [h.id for h in index.search(search_query(text="гранты молодёжи", per_page=10)).hits]
    assert order == [1, 3]
    index.close()


def test_old_tombstones_are_dropped_and_stale_states_reload(pair, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import app.search.local.index as local

    monkeypatch.setattr(local, "GONE_KEEP", 2)
    a, b = pair
    a.upsert(corpus())
    assert ids_for(b) == set(range(1, 16))
    for doc_id in (1, 2, 3, 4, 5):
        a.delete([doc_id])
    result = b.search(search_query(per_page=100))  # b's state is older than the floor: reload
    assert result.total == 10
    assert {h.id for h in result.hits} == set(range(6, 16))
    assert {c.value: c.count for c in result.facets["region"]}["RU-BEL"] == 1


def test_without_symlinks_the_path_is_a_plain_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_symlink(*args: object, **kwargs: object) -> None:
        raise OSError("symbolic links are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlink)
    index = LocalIndex(tmp_path / "search.db")
    index.upsert(corpus())
    assert not (tmp_path / "search.db").is_symlink()
    assert ids_for(index, '"ёлка"') == {3}
    assert index.rebuild([practice(500, "Ёлка в одном файле")]) == 1
    assert index.ids() == {500}
    assert ids_for(index, '"ёлка"') == {500}
    index.close()


def test_worker_processes_only_where_they_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.search.local import workers as local_workers

    monkeypatch.setattr(local_workers, "cpus", lambda: 2)
    assert local_workers.parallel_pages(CorpusPages()) == CorpusPages().pages()
    assert local_workers.parallel_pages([dict(d) for d in corpus()]) is None  # not readable elsewhere
    assert local_workers.parallel_pages(CorpusPages(shareable=False)) is None  # e.g. in-memory SQLite
    monkeypatch.setattr(local_workers, "PARALLEL_AFTER", len(CorpusPages().pages()) + 1)
    assert local_workers.parallel_pages(CorpusPages()) is None  # too few pages to pay for the start
    monkeypatch.setattr(local_workers, "PARALLEL_AFTER", 1)
    monkeypatch.setattr(local_workers, "cpus", lambda: 1)
    assert local_workers.parallel_pages(CorpusPages()) is None


def test_facets_tallied_equal_the_intersections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.search.local import state

    regions = [f"RU-R{i:02d}" for i in range(40)]
    index = LocalIndex(tmp_path / "search.db")

    def made(i: int, region: str | None = None) -> dict[str, object]:
        return practice(i, f"Практика {i}", region=region or regions[i % 40 if i % 7 else 0],
                        themes=["culture", "sport", "health"][: 1 + i % 3], year_started=2000 + i % 20)

    index.upsert([made(i) for i in range(1, 1500)])
    queries = [search_query(facets=("region", "theme", "year")), search_query(regions=("RU-R03", "RU-R00")),
               search_query(themes=("sport",)), search_query("практика", page=3),
               search_query(regions=("RU-R07",), themes=("health", "culture"))]
    monkeypatch.setattr(state, "TALLY_PER_VALUE", 10**9)  # every facet tallied
    tallied = [index.search(q).facets for q in queries]
    assert tallied[0]["region"][0].value == "RU-R00" and tallied[0]["region"][0].count > 1499 // 40
    assert index._state is not None
    coded = index._state._coded("theme")
    assert len(coded.slots) == 3 and sorted(coded.values) == ["culture", "health", "sport"]  # three a practice
    assert [(c.value, c.count) for c in tallied[0]["theme"]] == [("culture", 1499), ("sport", 1000), ("health", 500)]
    monkeypatch.setattr(state, "TALLY_PER_VALUE", 0)  # intersections only
    index._state.drop_derived()  # not the counts kept from the tallies
    assert [index.search(q).facets for q in queries] == tallied
    monkeypatch.setattr(state, "TALLY_PER_VALUE", 10**9)
    index.upsert([made(1, region=regions[5])])  # a write drops the kept value numbers
    index.upsert([made(1)])
    assert [index.search(q).facets for q in queries] == tallied
    index.close()


def test_orders_and_value_numbers_patched_by_writes_equal_rebuilt_ones(tmp_path: Path) -> None:
    """Another instance's writes patch this one's orders and facet value numbers in place
    (small writes) or drop them (large ones); either way it answers as a fresh load does."""
    import random

    import numpy as np

    from app.search.local import state

    rng = random.Random(7)
    regions = [f"RU-R{i:02d}" for i in range(40)]

    def made(i: int) -> dict[str, object]:
        return practice(i, rng.choice(["Парк", "Двор", "Ёлка", "Сквер", "Школа"]) + f" {rng.randrange(50)}",
                        region=rng.choice(regions), themes=rng.sample(["culture", "sport", "health", "roads"], rng.randrange(4)),
                        awards=rng.sample(["a1", "a2"], rng.randrange(2)), year_started=rng.randrange(1995, 2026),
                        published_at=state_time(rng.randrange(100)))

    def state_time(day: int) -> float:
        return 1_700_000_000.0 + day * 86_400.0

    writer, reader = LocalIndex(tmp_path / "search.db"), LocalIndex(tmp_path / "search.db")
    writer.upsert([made(i) for i in range(1, 400)])
    facets = ("region", "theme", "year", "award")
    queries = [search_query(facets=facets, sort=s, per_page=100, page=p) for s in ("newest", "title", "winners") for p in (1, 3)]
    queries += [search_query("парк", regions=("RU-R01", "RU-R02"), facets=facets, per_page=50)]
    for q in queries:
        reader.search(q)
    assert reader._state is not None and reader._state._title is not None and reader._state._codes
    version = 1
    for size in (1, 3, 40, state.PATCH_ROWS + 1):
        version += 1
        changed = [dict(made(rng.randrange(1, 600)), version=version) for _ in range(size)]  # changes and new ids
        changed.append(dict(made(900 + size), region="RU-NEW", version=version))  # a value new to the reader
        writer.upsert(changed)
        writer.delete(rng.sample(sorted(writer.ids()), 3))
        fresh = LocalIndex(tmp_path / "search.db")
        assert [reader.search(q) for q in queries] == [fresh.search(q) for q in queries]
        st, full = reader._state, fresh._state
        assert st is not None and full is not None and st is not full
        for order in ("newest", "title", "winners"):
            assert np.array_equal(getattr(st, order), getattr(full, order)), order
        fresh.close()
    writer.close()
    reader.close()


def test_postings_written_by_upserts_equal_a_rebuilt_file(tmp_path: Path) -> None:
    """Upserts and deletes in batches (over many 500-key chunks) leave the postings and word
    frequencies a rebuild from the same documents writes."""
    import random

    from pyroaring import BitMap

    rng = random.Random(3)
    vocabulary = ["".join(rng.choice("бвгдзклмнпрст") + rng.choice("аоуы") for _ in range(4)) for _ in range(3000)]

    def made(i: int, version: int = 1) -> dict[str, object]:
        return practice(i, " ".join(rng.sample(vocabulary, 5)), summary=" ".join(rng.sample(vocabulary, 30)),
                        version=version)

    grown = LocalIndex(tmp_path / "grown.db")
    docs = {i: made(i) for i in range(1, 301)}
    grown.upsert(list(docs.values()))
    changed = {i: made(i, 2) for i in rng.sample(sorted(docs), 120)}
    added = {i: made(i) for i in range(301, 420)}
    grown.upsert([*changed.values(), *added.values()])
    gone = rng.sample(sorted(docs), 40)
    grown.delete(gone)
    docs |= changed | added
    for i in gone:
        del docs[i]
    rebuilt = LocalIndex(tmp_path / "rebuilt.db")
    rebuilt.rebuild(list(docs.values()))

    def stored(index: LocalIndex) -> tuple[dict[tuple[str, int], BitMap], dict[str, int]]:
        conn = sqlite3.connect(os.path.realpath(index.path))
        postings = {(k, t): BitMap.deserialize(ids) for k, t, ids in conn.execute("SELECT key, tier, ids FROM postings")}
        terms = {k: df for k, df in conn.execute("SELECT key, df FROM terms") if df}
        conn.close()
        return {slot: ids for slot, ids in postings.items() if ids}, terms

    postings, terms = stored(grown)
    assert len(terms) > 3 * 500  # several chunks of keys (store.chunks)
    assert (postings, terms) == stored(rebuilt)
    grown.close()
    rebuilt.close()
