"""HTTP done right: ETag/304, Cache-Control, CORS, problem+json everywhere, OpenAPI."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from app.api.responses import STABILITY_PROMISE, TAG_API, TAG_FEEDS
from tests.api.conftest import error_fields, problem_of

GET_URLS = [
    "/api/v1/practices?region=RU-BEL",
    "/api/v1/practices/yunarmiya-belgorod",
    "/api/v1/regions",
    "/api/v1/themes",
    "/api/v1/municipality-types",
    "/api/v1/changes",
    "/feeds/practices.atom?theme=youth",
]


@pytest.mark.parametrize("url", GET_URLS)
def test_etag_and_if_none_match_give_304(client, corpus, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    # A list of tags, or the strong form of the same tag, matches as well (weak comparison).
    assert client.get(url, headers={"If-None-Match": f'"nope", {etag.removeprefix("W/")}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_changes_when_the_catalogue_does(client, corpus, make_practice):
    etag = client.get("/api/v1/practices", params={"region": "RU-BEL"}).headers["etag"]
    make_practice(title="Новая практика в Белгороде", region="RU-BEL")
    response = client.get("/api/v1/practices", params={"region": "RU-BEL"}, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag
    assert response.json()["total"] == 3


def test_cache_control_public_for_success_and_no_store_for_errors(client, corpus):
    ok = client.get("/api/v1/practices")
    assert ok.headers["cache-control"].startswith("public, max-age=")
    assert 0 < int(ok.headers["cache-control"].split("max-age=")[1]) <= 300
    for url in ("/api/v1/practices?per_page=0", "/api/v1/practices/nope", "/api/v1/nothing-here",
                "/feeds/practices.atom?sort=x", "/export/practices.csv?year_from=x"):
        response = client.get(url)
        assert response.status_code >= 400
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/practices", "/api/v1/practices/1", "/api/v1/changes",
                                  "/feeds/practices.atom", "/export/practices.csv", "/export/practices.jsonl"])
def test_cors_preflight_answered_for_any_origin(client, path):
    response = client.options(path, headers={
        "Origin": "https://council.example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match, Accept",
    })
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= methods
    assert "POST" not in methods
    assert "if-none-match" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_cors_headers_on_reads_and_errors(client, corpus):
    ok = client.get("/api/v1/practices", headers={"Origin": "https://council.example.org"})
    assert ok.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in ok.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "link"} <= exposed
    bad = client.get("/api/v1/practices?foo=1", headers={"Origin": "https://council.example.org"})
    assert bad.headers["access-control-allow-origin"] == "*"  # the other site can read why it failed


def test_cors_not_opened_for_pages_and_writes(client):
    page = client.get("/about/api", headers={"Origin": "https://council.example.org"})
    assert "access-control-allow-origin" not in page.headers


def _open_data_get_paths(client) -> list[str]:  # type: ignore[no-untyped-def]
    """Every documented GET of this area (its operations carry the open-data tags)."""
    schema = client.get("/openapi.json").json()
    return [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and set(operations["get"].get("tags", [])) & {TAG_API, TAG_FEEDS}
    ]


def test_every_open_data_route_names_an_unknown_parameter(client, corpus):
    paths = _open_data_get_paths(client)
    assert len(paths) == 13, paths
    for path in paths:
        url = path.replace("{key}", "yunarmiya-belgorod")
        response = client.get(url, params={"zzz_unknown": "1"})
        assert response.status_code == 400, (url, response.status_code)
        assert error_fields(response) == ["zzz_unknown"], url


def test_unknown_paths_and_methods_are_problems(client):
    assert problem_of(client.get("/api/v1/nothing-here"))["status"] == 404
    assert problem_of(client.get("/feeds/nothing.atom"))["status"] == 404
    assert problem_of(client.delete("/api/v1/practices"))["status"] in (403, 405)


def test_openapi_documents_parameters_and_the_promise(client):
    schema = client.get("/openapi.json").json()
    assert STABILITY_PROMISE in schema["info"]["description"]
    operation = schema["paths"]["/api/v1/practices"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"q", "district", "region", "theme", "municipality_type", "year_from", "year_to",
                           "has_figures", "award", "sort", "page", "per_page", "facets"}
    for param in params.values():
        assert param["description"], param["name"]
        assert param["schema"].get("examples"), param["name"]
    # What the one parser takes: an empty value (not given) beside the value, comma lists in a list's items.
    assert params["per_page"]["schema"]["anyOf"] == [{"type": "integer", "minimum": 1, "maximum": 100}, {"const": ""}]
    assert params["sort"]["schema"]["enum"] == ["relevance", "newest", "title", "winners", ""]
    assert params["region"]["schema"]["type"] == "array"
    region = re.compile(params["region"]["schema"]["items"]["pattern"])
    assert all(region.fullmatch(v) for v in ("", "RU-BEL", "RU-BEL,RU-TA", "RU-BEL, RU-TA,", "lmp:2023"))
    assert not any(region.fullmatch(v) for v in ("'", "RU BEL", "RU-BEL\n", "\tRU-BEL", "a" * 65))
    assert "application/problem+json" in operation["responses"]["400"]["content"]
    assert "422" not in operation["responses"]
    item = schema["components"]["schemas"]["PracticeItem"]
    assert {"id", "slug", "title", "region", "themes", "highlights", "url"} <= set(item["properties"])
    assert "/api/v1/changes" in schema["paths"] and "/feeds/practices.atom" in schema["paths"]


@pytest.mark.parametrize("url", ["/api/v1/practices", "/api/v1/regions", "/feeds/practices.atom",
                                 "/export/practices.csv"])
def test_head_answers_like_get_without_a_body(client, corpus, url):
    get, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    for header in ("content-type", "etag", "cache-control", "content-disposition", "access-control-allow-origin"):
        assert head.headers.get(header) == get.headers.get(header), header


@pytest.mark.parametrize("url", ["/api/v1/practices", "/feeds/practices.atom", "/export/practices.csv",
                                 "/export/practices.jsonl"])
def test_search_engine_down_is_503_problem_with_retry_after(app, client, monkeypatch, url):
    from app.search.base import SearchUnavailable

    def down(query):  # type: ignore[no-untyped-def]
        raise SearchUnavailable("engine is down")

    monkeypatch.setattr(app.state.index, "search", down)
    response = client.get(url)
    assert response.status_code == 503
    assert problem_of(response)["detail"].startswith("Поиск временно недоступен")
    assert response.headers["retry-after"] == "30"
    assert response.headers["cache-control"] == "no-store"


def test_embed_with_search_engine_down_explains_in_the_frame(app, client, monkeypatch):
    from app.search.base import SearchUnavailable

    def down(query):  # type: ignore[no-untyped-def]
        raise SearchUnavailable("engine is down")

    monkeypatch.setattr(app.state.index, "search", down)
    response = client.get("/embed/practices")
    assert response.status_code == 503
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    page = BeautifulSoup(response.text, "html.parser")
    assert page.p.get_text() == "Список практик временно недоступен, загляните позже."
