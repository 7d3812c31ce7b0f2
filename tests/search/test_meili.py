"""The Meilisearch engine against a real Meilisearch 1.21 server (tests/meili_server.py)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from app.search import thesaurus as thesauri
from app.search.base import SearchIndex, SearchUnavailable
from app.search.meili import MeiliIndex, filters
from app.search.meili import index as meili_index_module
from app.search.meili import settings as meili_settings
from app.search.meili.settings import ngram_tokens
from app.settings import SEED_DIR
from tests.factories import search_query
from tests.meili_server import MeiliServer

# Fixtures meili_server, meili_server_factory, meili_index_name and meili_index come from
# tests/meili_server.py, loaded by tests/conftest.py (pytest_plugins).

meili = pytest.mark.meili
HOSTILE = 'x" OR year_started EXISTS'


def make_doc(doc_id: int, **fields: Any) -> dict[str, Any]:
    """A search document as `app.search.documents` reads them, with overrides."""
    doc: dict[str, Any] = {
        "id": doc_id,
        "slug": f"practice-{doc_id}",
        "title": f"Практика {doc_id}",
        "summary": "",
        "problem": "",
        "solution": "",
        "outcome": "",
        "municipality": "Город",
        "region": "RU-BEL",
        "region_name": "Белгородская область",
        "federal_district": "Центральный",
        "municipality_type": "urban-okrug",
        "themes": ["youth"],
        "year_started": 2020,
        "has_figures": False,
        "published_at": 1_700_000_000.0 + doc_id,
        "updated_at": 1_700_000_000.0 + doc_id,
        "version": 1,
    }
    doc.update(fields)
    return doc


def found(index: MeiliIndex, text: str = "", **kw: Any) -> list[int]:
    return [hit.id for hit in index.search(search_query(text=text, per_page=100, **kw)).hits]


def facet(result_facets: dict, name: str) -> dict[str, int]:
    return {c.value: c.count for c in result_facets[name]}


# -- the search connection: a scripted stand-in for the server -------------------------------


class _Scripted:
    """A stand-in for Meilisearch on loopback: each connection reads one request and then does
    what its turn says: "drop" (closes without answering), "stall" (never answers) or "answer"
    (an empty result)."""

    ANSWER = b'{"results":[{"hits":[],"totalHits":0,"facetDistribution":{}}]}'

    def __init__(self, turns: list[str]) -> None:
        self.turns = turns
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            turn = self.turns[min(self.connections, len(self.turns) - 1)]
            self.connections += 1  # counted as accepted: a stalled turn must not hide the next
            threading.Thread(target=self._answer, args=(conn, turn), daemon=True).start()

    def _answer(self, conn: socket.socket, turn: str) -> None:
        with conn:
            conn.recv(65536)
            if turn == "answer":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(self.ANSWER)).encode() + b"\r\n\r\n" + self.ANSWER)
            elif turn == "stall":
                time.sleep(3)

    def close(self) -> None:
        self.listener.close()


def test_the_search_connection_keeps_the_environment_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read once for the session (not on every search), but read: a proxy or a CA bundle set in
    the environment applies to searches as to the client's other calls."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/our-ca.pem")
    remote = meili_index_module._searches("https://meili.example.ru")
    assert remote.proxies.get("https") == "http://proxy.example:3128"
    assert remote.verify == "/etc/ssl/certs/our-ca.pem" and remote.trust_env is False
    assert "https" not in meili_index_module._searches("https://127.0.0.1:7700").proxies


def test_a_search_the_server_dropped_is_sent_once_more() -> None:
    server = _Scripted(["drop", "answer"])
    try:
        index = MeiliIndex(url=server.url, api_key="k" * 16, name="practices", timeout=2)
        assert index.search(search_query(text="музей")).total == 0
        assert server.connections == 2
    finally:
        server.close()


def test_a_search_that_timed_out_is_not_sent_again() -> None:
    server = _Scripted(["stall"])
    try:
        index = MeiliIndex(url=server.url, api_key="k" * 16, name="practices", timeout=1)
        with pytest.raises(SearchUnavailable):
            index.search(search_query(text="музей"))
        assert server.connections == 1  # waited once, not twice
    finally:
        server.close()


# -- filters: no server needed --------------------------------------------------------------


def test_literal_quotes_and_escapes_strings() -> None:
    assert filters.literal(HOSTILE) == '"x\\" OR year_started EXISTS"'
    assert filters.literal('a\\"b\\') == '"a\\\\\\"b\\\\"'
    assert filters.literal(2021) == "2021"
    assert filters.literal(True) == "true"
    with pytest.raises(TypeError):
        filters.literal(None)


def test_filter_attribute_names_and_operators_are_checked() -> None:
    with pytest.raises(ValueError):
        filters.compare("region = 1 OR x", "=", "a")
    with pytest.raises(ValueError):
        filters.compare("region", "= 1 OR x =", "a")
    assert filters.any_of("region", ["a", HOSTILE]) == ('region IN ["a", "x\\" OR year_started EXISTS"]')


def test_query_filters_group_by_facet() -> None:
    groups = filters.query_filters(search_query(regions=("RU-BEL",), year_from=2019, year_to=2021, has_figures=False))
    assert groups == {
        "region": 'region IN ["RU-BEL"]',
        "year": "year_started >= 2019 AND year_started <= 2021",
        "has_figures": 'has_figures IN ["false"]',
    }


# -- the thesaurus as Meilisearch takes it: no server needed ---------------------------------


def test_long_phrases_run_together_in_twos_and_threes_never_one_alone() -> None:
    assert ngram_tokens(["a", "b", "c", "d"]) == ["ab", "cd"]
    assert ngram_tokens(["a", "b", "c", "d", "e"]) == ["abc", "de"]
    assert ngram_tokens(["a", "b", "c", "d", "e", "f"]) == ["abc", "def"]
    assert ngram_tokens(list("abcdefg")) == ["abc", "de", "fg"]
    assert ngram_tokens(list("abcdefghij")) == ["abc", "def", "gh", "ij"]


def test_every_thesaurus_phrase_reaches_meilisearch_one_way_or_the_other() -> None:
    """A phrase of up to three words is a synonyms key; a longer one (never looked up there) is
    carried by the documents that hold what it finds."""
    thesaurus = thesauri.read(SEED_DIR / "thesaurus.csv")[0]
    keys = meili_settings.synonyms(thesaurus)
    long_phrases = meili_settings.LongPhrases(thesaurus)
    assert keys and all(len(k.split()) <= meili_settings.MAX_SYNONYM_WORDS for k in keys)
    long = 0
    for a, b in thesaurus.pairs():
        tokens = meili_settings.phrase_tokens(a)
        if len(tokens) > meili_settings.MAX_SYNONYM_WORDS:
            long += 1
            held = [meili_settings.meili_key(s) for s in b.stems]
            assert set(meili_settings.ngram_tokens(tokens)) <= set(long_phrases.tokens(["x", *held, "y"])), a.text
    assert long > 40  # the seed thesaurus has such names (ЕДДС, ДЮСШ, МФЦ, ...)


def test_a_long_phrase_is_carried_where_its_alternative_stands_as_a_phrase() -> None:
    thesaurus = thesauri.build([("equivalent", "закон о местном самоуправлении", "закон об общих принципах организации")])
    long_phrases = meili_settings.LongPhrases(thesaurus)
    short = [meili_settings.meili_key(s) for s in thesauri.phrase("закон о местном самоуправлении").stems]
    tokens = long_phrases.tokens(["x", *short])
    assert len(tokens) == 2  # «закон об общих принципах организации»: five words, in two runs
    assert long_phrases.tokens([short[0], "x", *short[1:]]) == []
    assert long_phrases.tokens(short[:-1]) == []


# -- the engine ----------------------------------------------------------------------------


@meili
def test_is_a_search_index(meili_index: MeiliIndex) -> None:
    assert isinstance(meili_index, SearchIndex)
    assert meili_index.health() is True
    assert meili_index.count() == 0


@meili
def test_hostile_filter_value_does_not_widen_the_filter(meili_index: MeiliIndex) -> None:
    meili_index.upsert([make_doc(i, year_started=2000 + i) for i in range(1, 6)])
    assert found(meili_index, regions=(HOSTILE,)) == []
    assert found(meili_index, themes=(HOSTILE,)) == []
    assert found(meili_index, municipality_types=('") OR (id EXISTS',)) == []
    assert meili_index.search(search_query(regions=(HOSTILE,))).total == 0


@meili
def test_values_with_quotes_and_backslashes_match_exactly(meili_index: MeiliIndex) -> None:
    values = ['a"b', "a\\b", "a\\", '\\"', HOSTILE, "plain"]
    meili_index.upsert([make_doc(i, region=v) for i, v in enumerate(values, 1)])
    for i, value in enumerate(values, 1):
        assert found(meili_index, regions=(value,)) == [i], value
    assert sorted(found(meili_index, regions=('a"b', "a\\"))) == [1, 3]
    counts = facet(meili_index.search(search_query()).facets, "region")
    assert counts == {v: 1 for v in values}


@meili
def test_failed_task_raises_search_unavailable(meili_index: MeiliIndex) -> None:
    bad = make_doc(2**70)  # Meilisearch accepts the request, then the task fails
    with pytest.raises(SearchUnavailable, match="invalid_document_id"):
        meili_index.upsert([bad])
    client = meili_index._client
    task = client.swap_indexes([{"indexes": [meili_index.name, meili_index.name + "_missing"]}])
    with pytest.raises(SearchUnavailable, match="index_not_found"):
        meili_index._wait(task, "swap")


@meili
def test_rejected_request_raises_search_unavailable(meili_index: MeiliIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = dict(meili_index.settings, typoTolerance={"minWordSizeForTypos": {"oneTypo": 9, "twoTypos": 5}})
    monkeypatch.setattr(meili_index, "settings", bad)
    with pytest.raises(SearchUnavailable, match="Meilisearch configure"):
        meili_index.configure()


@meili
def test_stopped_server(meili_server_factory) -> None:
    server: MeiliServer = meili_server_factory()
    index = MeiliIndex(url=server.url, api_key=server.master_key, name="practices")
    index.configure()
    index.upsert([make_doc(1, title="Школьный музей")])
    server.stop()
    assert index.health() is False
    for call in (
        index.configure,
        index.count,
        index.ids,
        lambda: index.get(1),
        lambda: index.upsert([make_doc(2)]),
        lambda: index.delete([1]),
        lambda: index.search(search_query(text="музей")),
        lambda: index.rebuild([make_doc(3)]),
    ):
        with pytest.raises(SearchUnavailable):
            call()
    server.start()
    assert index.health() is True
    assert found(index, "музей") == [1]


@meili
def test_searches_keep_one_uncompressed_connection_across_a_restart(meili_server_factory) -> None:
    server: MeiliServer = meili_server_factory()
    index = MeiliIndex(url=server.url, api_key=server.master_key, name="practices")
    index.configure()
    index.upsert([make_doc(1, title="Школьный музей"), make_doc(2, title="Музей под открытым небом")])
    for _ in range(5):
        assert sorted(found(index, "музей")) == [1, 2]
    session = index._local.searches
    pools = session.get_adapter(server.url).poolmanager.pools
    # RecentlyUsedContainer cannot be iterated, only its keys()
    assert [pools[key].num_connections for key in pools.keys()] == [1]  # noqa: SIM118 (five searches, one connection)
    # A search as the index sends it (the client's headers over the session), answer kept raw.
    http = index._client.http
    answer = session.post(server.url + "/multi-search", json={"queries": []}, headers=http.headers)
    assert "Content-Encoding" not in answer.headers  # asked for identity: no gzip to pay for
    server.stop()  # the kept connection dies with the server
    server.start()
    assert sorted(found(index, "музей")) == [1, 2]


@meili
def test_killed_server_keeps_confirmed_writes(meili_server_factory) -> None:
    server: MeiliServer = meili_server_factory()
    index = MeiliIndex(url=server.url, api_key=server.master_key, name="practices")
    index.configure()
    index.upsert([make_doc(i) for i in range(1, 11)])
    server.kill()
    assert index.health() is False
    server.start()
    assert index.count() == 10
    index.configure()
    assert index.ids() == set(range(1, 11))


@meili
def test_wrong_key_is_unavailable(meili_server: MeiliServer, meili_index_name: str) -> None:
    index = MeiliIndex(url=meili_server.url, api_key="not-the-key-0123456789", name=meili_index_name)
    with pytest.raises(SearchUnavailable):
        index.configure()
    assert index.health() is True  # /health needs no key: the engine answers


@meili
def test_configure_is_idempotent(meili_index: MeiliIndex) -> None:
    client = meili_index._client

    def tasks() -> int:
        return client.get_tasks({"indexUids": [meili_index.name], "limit": 1000}).total

    before = tasks()
    meili_index.configure()
    meili_index.configure()
    assert tasks() == before  # same settings: no task at all
    settings = client.index(meili_index.name).get_settings()
    assert settings["searchableAttributes"] == meili_index.settings["searchableAttributes"]
    assert "_s" not in settings["displayedAttributes"]
    assert settings["faceting"]["maxValuesPerFacet"] >= 200
    # Drifted settings are put back.
    client.wait_for_task(client.index(meili_index.name).update_stop_words(["парк"]).task_uid)
    meili_index.configure()
    assert client.index(meili_index.name).get_stop_words() == meili_index.settings["stopWords"] == []


@meili
def test_get_count_ids_delete_clear(meili_index: MeiliIndex, monkeypatch) -> None:
    docs = [make_doc(i, title=f"Практика номер {i}") for i in range(1, 26)]
    meili_index.upsert(docs)
    assert meili_index.count() == 25
    assert meili_index.get(3) == docs[2]  # as upserted: no hidden keys, no title_sort
    assert meili_index.get(999) is None
    monkeypatch.setattr("app.search.meili.index._IDS_PAGE", 7)
    assert meili_index.ids() == set(range(1, 26))
    meili_index.delete([1, 2, 999])
    assert meili_index.count() == 23
    assert meili_index.get(1) is None
    meili_index.delete([])
    meili_index.clear()
    assert meili_index.count() == 0
    assert meili_index.ids() == set()


@meili
def test_older_version_never_overwrites_newer(meili_index: MeiliIndex) -> None:
    meili_index.upsert([make_doc(1, title="Вторая редакция", version=2)])
    meili_index.upsert([make_doc(1, title="Первая редакция", version=1)])
    assert meili_index.get(1)["title"] == "Вторая редакция"
    meili_index.upsert([make_doc(1, title="Та же версия, исправлена", version=2)])
    assert meili_index.get(1)["title"] == "Та же версия, исправлена"
    meili_index.upsert([make_doc(1, title="Третья редакция", version=3)])
    assert meili_index.get(1)["version"] == 3
    # Within one batch the newest version of an id wins, whatever the order.
    meili_index.upsert([make_doc(2, title="Пятая", version=5), make_doc(2, title="Четвёртая", version=4)])
    assert meili_index.get(2)["title"] == "Пятая"
    assert found(meili_index, "редакция") == [1]


@meili
def test_upsert_recreates_a_deleted_index_with_its_settings(meili_index: MeiliIndex) -> None:
    client = meili_index._client
    client.wait_for_task(client.delete_index(meili_index.name).task_uid)
    assert meili_index.count() == 0
    assert meili_index.ids() == set()
    assert meili_index.get(1) is None
    meili_index.delete([1])
    meili_index.upsert([make_doc(1, title="Юнармейские отряды")])
    assert found(meili_index, "юнармейский отряд") == [1]


@meili
def test_word_forms_prefix_yo_and_typos(meili_index: MeiliIndex) -> None:
    meili_index.upsert(
        [
            make_doc(1, title="Благоустройство дворовых территорий"),
            make_doc(2, title="Создание юнармейских отрядов в школах"),
            make_doc(3, title="Новогодняя ёлка на площади"),
            make_doc(4, title="Ёлочный базар", summary="Елка для каждого двора"),
            make_doc(5, title="Поддержка ТОС в поселениях"),
            make_doc(6, title="Школа территориального общественного самоуправления"),
            make_doc(7, title="Музей", outcome="Посетителей стало больше вдвое"),
        ]
    )
    assert found(meili_index, "благоустр") == [1]
    assert found(meili_index, "благоустройства")[0] == 1  # then 4 (a yard: a narrower term)
    assert found(meili_index, "юнармейский отряд") == [2]
    assert found(meili_index, "юнармейские отр") == [2]
    assert sorted(found(meili_index, "елка")) == [3, 4]
    assert sorted(found(meili_index, "ёлка")) == [3, 4]
    assert found(meili_index, "ёлочн") == [4]
    assert found(meili_index, "благоустройсво") == [1]  # one typo in a long word
    assert found(meili_index, "блогоустройство") == [1]
    assert found(meili_index, "юнармейскх отрядов") == [2]
    assert sorted(found(meili_index, "тос")) == [5, 6]  # abbreviation <-> its expansion
    assert sorted(found(meili_index, "территориальное общественное самоуправление")) == [5, 6]
    assert found(meili_index, "посетители") == [7]  # every searchable field
    assert found(meili_index, "белгородская") == sorted(found(meili_index))  # region_name
    assert len(found(meili_index, "юнармейский музей")) == 1  # the rarest word decides (one document each)


@meili
def test_highlights_mark_word_forms_and_escape(meili_index: MeiliIndex) -> None:
    meili_index.upsert([make_doc(1, title="<script>alert(1)</script> юнармейских отрядов", summary="Ёлка & <b>")])
    hit = meili_index.search(search_query(text="юнармейский отряд ёлка")).hits[0]
    assert hit.highlights["title"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>юнармейских</mark> <mark>отрядов</mark>"
    )
    assert hit.highlights["summary"] == "<mark>Ёлка</mark> &amp; &lt;b&gt;"
    plain = meili_index.search(search_query()).hits[0]
    assert "<mark>" not in plain.highlights["title"]
    assert "&lt;script&gt;" in plain.highlights["title"]


@meili
def test_disjunctive_facets(meili_index: MeiliIndex) -> None:
    meili_index.upsert(
        [
            make_doc(1, region="RU-BEL", themes=["youth"], year_started=2019, has_figures=True),
            make_doc(2, region="RU-BEL", themes=["youth", "culture"], year_started=2020),
            make_doc(3, region="RU-MOS", themes=["culture"], year_started=2021),
            make_doc(4, region="RU-MOS", themes=["youth"], year_started=2021, has_figures=True),
            make_doc(5, region="RU-TVE", themes=["sport"], year_started=None),
        ]
    )
    everything = meili_index.search(search_query())
    assert facet(everything.facets, "region") == {"RU-BEL": 2, "RU-MOS": 2, "RU-TVE": 1}
    assert [c.value for c in everything.facets["region"]] == ["RU-BEL", "RU-MOS", "RU-TVE"]
    assert facet(everything.facets, "year") == {"2019": 1, "2020": 1, "2021": 2}
    assert facet(everything.facets, "has_figures") == {"true": 2, "false": 3}
    assert everything.facets["theme"][0].value == "youth"

    result = meili_index.search(search_query(regions=("RU-BEL",), themes=("youth",)))
    assert sorted(h.id for h in result.hits) == [1, 2] and result.total == 2
    # Region counts ignore the region selection but keep the theme one (youth: 1, 2, 4).
    assert facet(result.facets, "region") == {"RU-BEL": 2, "RU-MOS": 1}
    # Theme counts ignore the theme selection but keep the region one (1, 2).
    assert facet(result.facets, "theme") == {"youth": 2, "culture": 1}
    # Facets without a selection count the full selection.
    assert facet(result.facets, "municipality_type") == {"urban-okrug": 2}
    assert facet(result.facets, "has_figures") == {"true": 1, "false": 1}

    result = meili_index.search(search_query(has_figures=True, facets=("has_figures", "region")))
    assert sorted(h.id for h in result.hits) == [1, 4]
    assert set(result.facets) == {"has_figures", "region"}
    assert facet(result.facets, "has_figures") == {"true": 2, "false": 3}
    assert facet(result.facets, "region") == {"RU-BEL": 1, "RU-MOS": 1}

    result = meili_index.search(search_query(year_from=2020, year_to=2021))
    assert sorted(h.id for h in result.hits) == [2, 3, 4]  # inclusive
    assert facet(result.facets, "year") == {"2019": 1, "2020": 1, "2021": 2}
    assert found(meili_index, year_from=2021) == found(meili_index, year_from=2021, year_to=2021)
    assert found(meili_index, year_to=2019) == [1]


@meili
def test_sort_orders_pages_and_exact_total(meili_index: MeiliIndex) -> None:
    titles = ["Ёлка", "Арт-объект", "банк идей", "Ель", "Юнармия"]
    meili_index.upsert(
        [make_doc(i, title=f"{t} практика", published_at=1000.0 + i * (-1) ** i) for i, t in enumerate(titles, 1)]
    )
    newest = [1, 2, 3, 4, 5]
    newest.sort(key=lambda i: -(1000.0 + i * (-1) ** i))
    assert found(meili_index) == newest  # no text: newest first
    assert found(meili_index, sort="newest") == newest
    assert found(meili_index, "практика", sort="newest") == newest
    assert found(meili_index, sort="title") == [2, 3, 1, 4, 5]  # ё sorts as е, case folded
    page = meili_index.search(search_query(sort="title", page=2, per_page=2))
    assert [h.id for h in page.hits] == [1, 4]
    assert (page.total, page.page, page.per_page, page.pages) == (5, 2, 2, 3)
    beyond = meili_index.search(search_query(page=10, per_page=2))
    assert beyond.hits == [] and beyond.total == 5


@meili
def test_total_is_exact_beyond_a_thousand(meili_index: MeiliIndex) -> None:
    meili_index.upsert([make_doc(i, title="Молодёжный совет") for i in range(1, 1206)])
    result = meili_index.search(search_query(text="молодежный", per_page=100, page=12))
    assert result.total == 1205
    assert len(result.hits) == 100
    assert facet(result.facets, "region") == {"RU-BEL": 1205}


@meili
def test_rebuild_swaps_in_new_content(meili_index: MeiliIndex, meili_server: MeiliServer) -> None:
    meili_index.upsert([make_doc(i, title="Старая практика") for i in range(1, 4)])
    seen: list[tuple[int, list[int]]] = []

    def progress(added: int) -> None:
        # While the build runs, the name still answers with the old content.
        seen.append((added, found(meili_index, "старая")))

    meili_index.batch_size = 2
    count = meili_index.rebuild((make_doc(i, title="Новая практика") for i in range(10, 15)), progress)
    assert count == 5
    assert [added for added, _ in seen] == [2, 4, 5]
    assert all(old == [1, 2, 3] for _, old in seen)
    assert meili_index.ids() == set(range(10, 15))
    assert found(meili_index, "новая") == [10, 11, 12, 13, 14]
    assert found(meili_index, "старая") == []
    uids = {r["uid"] for r in meili_server.client().get_raw_indexes({"limit": 1000})["results"]}
    assert {u for u in uids if u.startswith(meili_index.name)} == {meili_index.name}
    # Settings came with the new index.
    assert sorted(found(meili_index, "новую практику")) == [10, 11, 12, 13, 14]


@meili
def test_rebuild_first_run_and_empty(meili_server: MeiliServer, meili_index_name: str) -> None:
    index = MeiliIndex(url=meili_server.url, api_key=meili_server.master_key, name=meili_index_name)
    assert index.rebuild([make_doc(1, title="Первая сборка")]) == 1
    assert found(index, "сборки") == [1]
    assert index.rebuild([]) == 0
    assert index.count() == 0
    index.configure()  # the rebuilt index already has the settings


@meili
def test_rebuild_leaves_no_build_index_when_it_fails(meili_index: MeiliIndex, meili_server: MeiliServer) -> None:
    meili_index.upsert([make_doc(1, title="Старая")])
    with pytest.raises(SearchUnavailable):
        meili_index.rebuild([make_doc(2), make_doc(2**70)])
    uids = {r["uid"] for r in meili_server.client().get_raw_indexes({"limit": 1000})["results"]}
    assert {u for u in uids if u.startswith(meili_index.name)} == {meili_index.name}
    assert meili_index.ids() == {1}


@meili
def test_concurrent_searches_during_rebuild(meili_index: MeiliIndex) -> None:
    meili_index.upsert([make_doc(i, title="Практика благоустройства") for i in range(1, 51)])
    errors: list[BaseException] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                assert meili_index.search(search_query(text="благоустройство")).total == 50
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        meili_index.batch_size = 10
        meili_index.rebuild(make_doc(i, title="Практика благоустройства") for i in range(1, 51))
    finally:
        stop.set()
        thread.join()
    assert errors == []


@meili
def test_relevance_prefers_title_matches(meili_index: MeiliIndex) -> None:
    meili_index.upsert(
        [
            make_doc(1, title="Школьный музей", outcome="Волонтёры района помогают", published_at=2e9),
            make_doc(2, title="Волонтёры района", published_at=1e9),
        ]
    )
    assert found(meili_index, "волонтеры района") == [2, 1]
    assert found(meili_index, "волонтеры района", sort="newest") == [1, 2]
