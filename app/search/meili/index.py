"""The Meilisearch engine of `SearchIndex`, through the official `meilisearch` client.

- Settings live in `meili.settings` and are applied by `configure()` only when they differ.
- Documents get hidden word keys per tier and a `title_sort` key; a query is understood by the
  shared layer (`app.search.query`) and sent as one key per word with the `frequency` matching
  strategy (documents with the rarest word; the more words, the higher), the thesaurus being the
  `synonyms` setting (its phrases of over three words: tokens in the documents, `LongPhrases`).
  Highlights come from the one highlighter (`app.search.highlight`).
- Filters come from `filters` (one escaping function); facets are disjunctive through one
  multi-search: the main query plus, per facet group with a selection, a query without that
  group's own filter.
- Searches go over one kept-alive connection per thread (`_searches`), uncompressed; every other
  call opens a connection as the client does (they are rare: writes, settings, rebuilds).
- Every task is awaited and checked; any engine or connection error is `SearchUnavailable`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import meilisearch
import orjson
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchError
from meilisearch.models.task import TaskInfo
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from app.search import facets
from app.search import thesaurus as thesauri
from app.search.base import (
    HIGHLIGHT_FIELDS,
    MAX_PER_PAGE,
    FacetCount,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    unavailable_on,
)
from app.search.highlight import CROP_WORDS, Matcher, highlight
from app.search.meili.filters import all_of, any_of, query_filters
from app.search.meili.settings import (
    AWARDED,
    DOCUMENT_FIELDS,
    STEMS,
    TITLE_SORT,
    LongPhrases,
    meili_key,
    public_document,
    query_token,
    search_document,
    settings,
)
from app.search.query import QueryPlan
from app.search.query import plan as make_plan

if TYPE_CHECKING:  # names in annotations only (urllib3 1.26 has no BaseHTTPResponse)
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

log = logging.getLogger(__name__)

_NOT_FOUND = frozenset({"index_not_found", "document_not_found"})
# Settings compared as sets: Meilisearch may return them in another order.
_UNORDERED = frozenset({"stopWords", "filterableAttributes", "sortableAttributes"})
_ID_CHUNK = 1000  # ids per filter expression / per documents fetch
_IDS_PAGE = 10_000  # ids per page when listing them all
_BUILD_SUFFIX = "__build_"

SORTS: dict[str, list[str]] = {
    "newest": ["published_at:desc", "id:desc"],
    "title": [f"{TITLE_SORT}:asc", "id:asc"],
    "winners": [f"{AWARDED}:desc", "published_at:desc", "id:desc"],
}
# With text, the winners come first and relevance orders each group (the ranking rules follow `sort`).
TEXT_SORTS: dict[str, list[str]] = {"winners": [f"{AWARDED}:desc"]}


def _chunks(items: Sequence[Any] | Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _same_setting(key: str, wanted: Any, have: Any) -> bool:
    if key in _UNORDERED:
        return sorted(map(str, wanted)) == sorted(map(str, have or []))
    if key == "synonyms":
        return {k: sorted(v) for k, v in wanted.items()} == {k: sorted(v) for k, v in (have or {}).items()}
    if isinstance(wanted, dict) and isinstance(have, dict):
        # Only what we declare: Meilisearch adds defaults (typoTolerance.disableOnWords, ...).
        return all(k in have and _same_setting(k, v, have[k]) for k, v in wanted.items())
    return bool(wanted == have)


class MeiliIndex:
    """A `SearchIndex` on one Meilisearch index `name` (swapped with a fresh one on rebuild)."""

    in_process = False  # a search waits on the server

    def __init__(
        self,
        url: str,
        api_key: str = "",
        name: str = "practices",
        *,
        timeout: int = 10,
        task_timeout: float = 120.0,
        batch_size: int = 5000,
        thesaurus: Path | None = None,
    ) -> None:
        self.name = name
        self.thesaurus = thesauri.read(thesaurus)[0] if thesaurus is not None else thesauri.Thesaurus()
        self.settings = settings(self.thesaurus)
        self.long_phrases = LongPhrases(self.thesaurus)
        self.url = url
        self.task_timeout = task_timeout
        self.batch_size = batch_size
        self._api_key = api_key or None
        self._timeout = timeout
        # The client keeps per-request state in shared dicts (its Content-Type header), so one
        # client per thread: web workers search from a thread pool while a sync writes.
        self._local = threading.local()

    @property
    def _client(self) -> meilisearch.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = meilisearch.Client(
                self.url, self._api_key, timeout=self._timeout, custom_headers=_PLAIN
            )
        return client

    def _multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The results of `queries`, sent as one multi-search through the client over this
        thread's kept-alive connection (`_searches`)."""
        session = getattr(self._local, "searches", None)
        if session is None:
            session = self._local.searches = _searches(self.url)
        body = orjson.dumps({"queries": queries})
        answer = self._client.http.send_request(session.post, "multi-search", body, "application/json")
        results: list[dict[str, Any]] = answer["results"]
        return results

    def __repr__(self) -> str:
        return f"MeiliIndex(url={self.url!r}, name={self.name!r})"

    # -- plumbing -------------------------------------------------------------------------

    def _engine(self, action: str) -> contextlib.AbstractContextManager[None]:
        """Every client or connection error (a timeout too) becomes SearchUnavailable."""
        return unavailable_on((MeilisearchError, requests.RequestException), f"Meilisearch {action}")

    def _wait(
        self,
        task: TaskInfo,
        action: str,
        *,
        timeout: float | None = None,
        ok_errors: frozenset[str] = frozenset(),
    ) -> None:
        """Wait for a task; anything but success (or an error code in ok_errors) raises."""
        timeout_ms = int((timeout or self.task_timeout) * 1000)
        done = self._client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms, interval_in_ms=20)
        if done.status == "succeeded":
            return
        error = done.error or {}
        if error.get("code") in ok_errors:
            return
        raise SearchUnavailable(
            f"Meilisearch {action}: task {done.uid} ({done.type}) {done.status}: "
            f"{error.get('code', '?')}: {error.get('message', 'no error given')}"
        )

    def _exists(self, uid: str) -> bool:
        try:
            self._client.get_raw_index(uid)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return False
            raise
        return True

    def _create(self, uid: str) -> None:
        if self._exists(uid):
            return
        task = self._client.create_index(uid, {"primaryKey": "id"})
        # Another worker may have created it meanwhile: that is fine.
        self._wait(task, f"create index {uid}", ok_errors=frozenset({"index_already_exists"}))

    def _apply_settings(self, uid: str) -> None:
        index = self._client.index(uid)
        current = index.get_settings()
        if all(_same_setting(k, v, current.get(k)) for k, v in self.settings.items()):
            return  # nothing to do: no task, no re-indexing
        self._wait(index.update_settings(dict(self.settings)), f"settings of {uid}")

    # -- SearchIndex ----------------------------------------------------------------------

    def configure(self) -> None:
        with self._engine("configure"):
            self._create(self.name)
            self._apply_settings(self.name)

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        if not documents:
            return
        # The newest version of each id in this batch (the later one wins a tie).
        latest: dict[int, dict[str, Any]] = {}
        for doc in documents:
            doc_id = int(doc["id"])
            if doc_id not in latest or _version(doc) >= _version(latest[doc_id]):
                latest[doc_id] = doc
        unknown = {k for doc in latest.values() for k in doc} - set(DOCUMENT_FIELDS)
        if unknown:
            log.warning("document keys not in meili.settings.DOCUMENT_FIELDS: %s", sorted(unknown))
        with self._engine("upsert"):
            stored = self._stored_versions(list(latest))
            if stored is None:  # no index (deleted by hand?): create it with its settings first
                self.configure()
                stored = {}
            # Never apply an older version over a newer one. Remaining race: two writers that
            # read the stored version before either task is processed can still land an older
            # document last (Meilisearch has no conditional write). app/search/sync.py avoids
            # that: it locks the practices it applies, so their writes cannot interleave.
            fresh = [
                search_document(doc, self.long_phrases)
                for doc_id, doc in latest.items()
                if doc_id not in stored or _version(doc) >= stored[doc_id]
            ]
            index = self._client.index(self.name)
            for chunk in _chunks(fresh, self.batch_size):
                self._wait(index.add_documents(chunk, primary_key="id"), "upsert")

    def _stored_versions(self, ids: list[int]) -> dict[int, int] | None:
        """id -> stored version for those of `ids` in the index; None if there is no index."""
        index = self._client.index(self.name)
        versions: dict[int, int] = {}
        for chunk in _chunks(ids, _ID_CHUNK):
            try:
                page = index.get_documents(
                    {"filter": any_of("id", chunk), "fields": ["id", "version"], "limit": len(chunk)}
                )
            except MeilisearchApiError as exc:
                if exc.code == "index_not_found":
                    return None
                raise
            for doc in page.results:
                versions[int(doc.id)] = int(getattr(doc, "version", 0) or 0)
        return versions

    def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self._engine("delete"):
            index = self._client.index(self.name)
            for chunk in _chunks([int(i) for i in ids], _ID_CHUNK):
                task = index.delete_documents(filter=any_of("id", chunk))
                self._wait(task, "delete", ok_errors=frozenset({"index_not_found"}))

    def clear(self) -> None:
        with self._engine("clear"):
            task = self._client.index(self.name).delete_all_documents()
            self._wait(task, "clear", ok_errors=frozenset({"index_not_found"}))

    def count(self) -> int:
        with self._engine("count"):
            try:
                return int(self._client.index(self.name).get_stats().number_of_documents)
            except MeilisearchApiError as exc:
                if exc.code == "index_not_found":
                    return 0
                raise

    def health(self) -> bool:
        try:
            probe = meilisearch.Client(self.url, self._api_key, timeout=2)
            return bool(probe.health().get("status") == "available")
        except Exception:  # never raises, whatever the failure
            return False

    def ids(self) -> set[int]:
        out: set[int] = set()
        with self._engine("ids"):
            index = self._client.index(self.name)
            offset, limit = 0, _IDS_PAGE
            while True:
                try:
                    page = index.get_documents({"fields": ["id"], "offset": offset, "limit": limit})
                except MeilisearchApiError as exc:
                    if exc.code == "index_not_found":
                        return out
                    raise
                out.update(int(doc.id) for doc in page.results)
                offset += limit
                if not page.results or offset >= page.total:
                    return out

    def get(self, doc_id: int) -> dict[str, Any] | None:
        with self._engine("get"):
            try:
                doc = self._client.index(self.name).get_document(int(doc_id))
            except MeilisearchApiError as exc:
                if exc.code in _NOT_FOUND:
                    return None
                raise
        return public_document(dict(doc))

    def search(self, query: SearchQuery) -> SearchResult:
        page = max(1, int(query.page))
        per_page = min(max(0, int(query.per_page)), MAX_PER_PAGE)
        plan = make_plan(query.text, self.thesaurus)
        q = _q(plan)
        groups = query_filters(query)
        wanted = [f.name for f in facets.wanted(query)]

        common: dict[str, Any] = {
            "indexUid": self.name,
            "q": q,
            "matchingStrategy": "frequency",
            "locales": ["rus"],
        }
        if plan.phrases:  # a phrase stands as typed: never through another word's family
            common["attributesToSearchOn"] = [a for a in self.settings["searchableAttributes"] if a.startswith(STEMS)]
        main: dict[str, Any] = {
            **common,
            "page": page,
            "hitsPerPage": per_page,
            "facets": [facets.facet(f).key for f in wanted if f not in groups],
        }
        if flt := all_of(list(groups.values())):
            main["filter"] = flt
        sort = query.sort if q or query.sort != "relevance" else "newest"
        if q and sort in TEXT_SORTS:
            main["sort"] = TEXT_SORTS[sort]
        elif sort in SORTS:
            main["sort"] = SORTS[sort]
        # Disjunctive facets: a facet with a selection is counted without its own filter.
        extra: list[tuple[str, dict[str, Any]]] = []
        for facet in wanted:
            if facet in groups:
                body: dict[str, Any] = {**common, "limit": 0, "facets": [facets.facet(facet).key]}
                if flt := all_of([c for g, c in groups.items() if g != facet]):
                    body["filter"] = flt
                extra.append((facet, body))

        with self._engine("search"):
            results = self._multi_search([main] + [body for _, body in extra])
            if not results[0].get("totalHits") and len(plan.words) > 1 and not plan.phrases:
                results = self._rarest_first(plan, main, extra)

        distributions = {f: results[0].get("facetDistribution", {}) for f in wanted}
        for (facet, _), result in zip(extra, results[1:], strict=True):
            distributions[facet] = result.get("facetDistribution", {})
        counts = {f: _facet_counts(distributions[f].get(facets.facet(f).key, {})) for f in wanted}

        matcher = _matcher(plan) if q else None
        hits = [
            Hit(
                id=int(doc["id"]),
                slug=doc.get("slug", ""),
                document=public_document(doc),
                highlights={
                    field: highlight(str(doc.get(field) or ""), matcher, None if field == "title" else CROP_WORDS)
                    for field in HIGHLIGHT_FIELDS
                },
            )
            for doc in results[0]["hits"]
        ]
        return SearchResult(
            hits=hits,
            total=int(results[0].get("totalHits", 0)),
            page=page,
            per_page=per_page,
            facets=counts,
        )

    def _rarest_first(self, plan: QueryPlan, main: dict[str, Any], extra: list[tuple[str, dict[str, Any]]]) -> Any:
        """The search again with the rarest word required and the others ranking.

        Meilisearch's `frequency` strategy finds nothing when every word is as rare as the
        others (it drops them all at once); the local engine, and the promise that a word some
        document has never finds nothing, keep the rarest: the same here, through `last` with
        that word first.
        """
        tokens = [query_token(w.text) for w in plan.words]
        probes = [{"indexUid": self.name, "q": t, "page": 1, "hitsPerPage": 0, "locales": ["rus"]} for t in tokens]
        counts = [int(r.get("totalHits", 0)) for r in self._multi_search(probes)]
        if not any(counts):
            return [{"totalHits": 0, "hits": []}] + [{} for _ in extra]
        rarest = min((i for i, n in enumerate(counts) if n), key=lambda i: counts[i])
        q = " ".join([tokens[rarest], *(t for i, t in enumerate(tokens) if i != rarest)])
        queries = [{**body, "q": q, "matchingStrategy": "last"} for body in [main, *(b for _, b in extra)]]
        return self._multi_search(queries)

    def rebuild(self, documents: Iterable[dict[str, Any]], progress: Any = None) -> int:
        """Fill a fresh index `<name>__build_<random>`, then swap it in and drop the old one.

        Searches are answered by the old index until the swap, which is atomic. Upserts made
        while the build runs land in the old index and are lost with it: the caller replays
        what changed since it started reading `documents` (the outbox does).
        """
        build = f"{self.name}{_BUILD_SUFFIX}{uuid.uuid4().hex[:10]}"
        with self._engine("rebuild"):
            self._drop_builds()
            self._create(build)
            self._apply_settings(build)
            try:
                added = self._fill(build, documents, progress)
                count = int(self._client.index(build).get_stats().number_of_documents)
                self._swap_in(build)
            except BaseException:
                with contextlib.suppress(Exception):
                    self._wait(self._client.delete_index(build), "drop failed build")
                raise
        log.info("rebuilt Meilisearch index %s: %d documents (%d added)", self.name, count, added)
        return count

    def _fill(self, uid: str, documents: Iterable[dict[str, Any]], progress: Any) -> int:
        index = self._client.index(uid)
        report: Callable[[int], Any] | None = progress if callable(progress) else None
        added = 0
        pending: tuple[TaskInfo, int] | None = None
        # Keep one batch enqueued while waiting for the previous one.
        for chunk in _chunks(documents, self.batch_size):
            task = index.add_documents([search_document(d, self.long_phrases) for d in chunk], primary_key="id")
            if pending:
                self._wait(pending[0], "rebuild batch", timeout=max(self.task_timeout, 600))
                added += pending[1]
                if report:
                    report(added)
            pending = (task, len(chunk))
        if pending:
            self._wait(pending[0], "rebuild batch", timeout=max(self.task_timeout, 600))
            added += pending[1]
            if report:
                report(added)
        return added

    def _swap_in(self, build: str) -> None:
        if self._exists(self.name):
            task = self._client.swap_indexes([{"indexes": [self.name, build]}])
            self._wait(task, "swap")
            # `build` now holds the old content.
            self._wait(self._client.delete_index(build), "drop old index", ok_errors=_NOT_FOUND)
        else:  # first run: rename the build to `name`
            task = self._client.swap_indexes([{"indexes": [build, self.name], "rename": True}])
            self._wait(task, "swap (rename)")

    def _drop_builds(self) -> None:
        """Delete builds left over by an interrupted rebuild."""
        prefix = self.name + _BUILD_SUFFIX
        listing: Any = self._client.get_raw_indexes({"limit": 10_000})  # a dict, whatever its stub says
        raw: list[dict[str, Any]] = listing["results"]
        for uid in (r["uid"] for r in raw if r["uid"].startswith(prefix)):
            log.warning("dropping leftover Meilisearch index %s", uid)
            self._wait(self._client.delete_index(uid), "drop leftover", ok_errors=_NOT_FOUND)

    def close(self) -> None:
        """Nothing to release: a thread's search connection closes with the thread (and the
        server closes idle ones)."""


# Answers uncompressed: on loopback or a LAN, gzip costs Meilisearch more CPU than the bytes
# cost the network (7 % of its time per search, measured).
_PLAIN = {"Accept-Encoding": "identity"}


class _ResentOnce(Retry):
    """One more try when the server closed the kept connection as the search went out (a search
    changes nothing, so sending it again is safe); never after a timeout, which a second try
    would only double."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _searches(url: str) -> requests.Session:
    """A session for searches: its connection is kept between searches, and the environment's
    proxy and certificate settings are read once, here, not on every search (with gzip, the
    client's way cost 0.9 ms of our CPU a search)."""
    session = requests.Session()
    environment = session.merge_environment_settings(url, {}, None, None, None)
    session.trust_env = False
    session.proxies.update(environment["proxies"])
    session.verify = environment["verify"]
    session.cert = environment["cert"]
    retry = _ResentOnce(total=1, connect=1, read=1, status=0, other=0, allowed_methods=None, backoff_factor=0)
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=1)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session  # the headers (the key, `_PLAIN`) come with each search from the client


def _q(plan: QueryPlan) -> str:
    """The plan as a Meilisearch query: quoted phrases as phrases of stems, then one key per
    other word; the engine's own typo tolerance, prefix on the last word and synonyms do the rest."""
    phrases = ['"' + " ".join(meili_key(w.keys.stem) for w in plan.words if w.text in p) + '"' for p in plan.phrases]
    loose = [query_token(w.text) for w in plan.words if not w.required]
    return " ".join([*phrases, *loose])


def _matcher(plan: QueryPlan) -> Matcher:
    """What to highlight: the words' keys, their synonyms' keys, the unfinished last word, and
    typos (the engine does not say which words it took for typos)."""
    keys = {k for w in plan.words for k in w.keys.all()}
    keys.update(k for a in plan.alternatives for k in a.phrase.stems)
    prefixes = tuple(w.text for w in plan.words if w.last and len(w.text) >= 2)
    fuzzy = tuple((w.keys.stem, w.typos) for w in plan.words if w.typos)
    return Matcher(frozenset(keys), prefixes, fuzzy)


def _version(doc: dict[str, Any]) -> int:
    return int(doc.get("version") or 0)


def _facet_counts(distribution: dict[str, int]) -> list[FacetCount]:
    counts = [FacetCount(str(value), int(n)) for value, n in distribution.items() if int(n) > 0]
    return sorted(counts, key=lambda c: (-c.count, c.value))
