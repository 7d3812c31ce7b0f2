"""Web conventions: HEAD on every GET address, robots.txt, the sitemap (valid against the
sitemaps.org schema, split past 50,000 addresses), Open Graph and Twitter tags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from bs4 import BeautifulSoup

from app.api.opendata import STRUCTURE_VERSION
from app.web.pages import sitemap as sitemap_module
from tests.corpus import CORPUS
from tests.web.conftest import soup

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "sitemaps"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def get_paths(routes: Any, prefix: str = "") -> Iterator[str]:
    """Every GET path the app routes, with the prefixes of the routers that include it."""
    for route in routes:
        context = getattr(route, "include_context", None)
        if context is not None:
            yield from get_paths(route.original_router.routes, prefix + context.prefix)
        elif "GET" in (getattr(route, "methods", None) or ()):
            yield prefix + route.path


def test_head_answers_every_get_address_like_get_without_a_body(app, admin_client, corpus, make_practice, monkeypatch):  # noqa: F811
    from app.catalogue import imports
    from app.catalogue.practices.io import check_sources, jsonl_sources
    from app.catalogue.reference import Reference
    from app.db import session_scope

    monkeypatch.setattr(sitemap_module, "MAX_URLS", 10)  # so that /sitemap-{part}.xml exists
    with session_scope(app.state.engine) as session:
        ref = Reference(session)
        batch = imports.create_batch(session, "a.xlsx", "admin:moder", check_sources(jsonl_sources(['{"title": "x"}']), ref))
        batch_id = batch.id
    card = corpus["yunarmiya-belgorod"]
    from app.catalogue.practices import tokens
    from app.models import Practice

    returned = make_practice(status="revision")  # the edit link works while a practice is «на доработке»
    with session_scope(app.state.engine) as session:
        token, _ = tokens.issue(session, session.get(Practice, returned.id), app.state.settings.secret_key, 14)
    values = {"{slug}": card.slug, "{key}": card.slug, "{code}": "RU-BEL", "{practice_id}": str(card.id),
              "{batch_id}": str(batch_id), "{part}": "1", "{tracking_code}": card.tracking_code,
              "{set_id}": "municipal-practices", "{token}": token, "{name}": f"structure-{STRUCTURE_VERSION:%Y%m%d}.csv"}
    paths = sorted(set(get_paths(app.routes)))
    assert {"/", "/practices", "/practices/{slug}", "/sitemap.xml", "/api/v1/practices", "/admin/imports",
            "/docs"} <= set(paths)
    for path in paths:
        url = re.sub(r"\{[a-z_]+\}", lambda m: values[m.group(0)], path)
        url = {"/themes/{slug}": "/themes/youth", "/submit/{code}": f"/submit/{card.tracking_code}"}.get(path, url)
        if path == "/admin/login":
            continue  # a signed-in moderator is sent on to the queue (303), for HEAD as for GET
        got, head = admin_client.get(url), admin_client.head(url)
        assert got.status_code == 200, (url, got.status_code)
        assert head.status_code == 200, (url, head.status_code)
        assert head.content == b"", url
        assert head.headers.get("content-type") == got.headers.get("content-type"), url
        if "content-length" in got.headers and path not in ("/metrics", "/readyz", "/healthz"):
            assert head.headers["content-length"] == got.headers["content-length"], url
    assert admin_client.head("/no-such-page").status_code == 404


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_moderation(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin" in lines and "User-agent: *" in lines
    assert "Disallow: /practices/" not in lines  # the cards are to be found


def _validate(xml: bytes, schema: str) -> Any:
    xmlschema.XMLSchema(SCHEMAS / schema).validate(xml)
    from xml.etree import ElementTree

    return ElementTree.fromstring(xml)


def test_sitemap_lists_cards_regions_and_themes_and_validates(client, corpus):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = _validate(response.content, "sitemap.xsd")
    locs = [u.findtext("s:loc", namespaces=NS) for u in root.findall("s:url", NS)]
    assert {f"http://testserver/practices/{c['slug']}" for c in CORPUS} <= set(locs)
    assert {"http://testserver/regions/RU-BEL", "http://testserver/themes/youth", "http://testserver/"} <= set(locs)
    assert "http://testserver/regions/RU-NVS" not in locs  # only its rejected practice: nothing to show
    assert not [loc for loc in locs if "skrytaya" in loc]  # never a hidden practice
    assert len(locs) == len(set(locs))
    card = next(u for u in root.findall("s:url", NS) if u.findtext("s:loc", namespaces=NS).endswith("/yunarmiya-belgorod"))
    assert card.findtext("s:lastmod", namespaces=NS).startswith(str(corpus["yunarmiya-belgorod"].updated_at.year))


def test_past_the_limit_the_sitemap_is_an_index_of_valid_parts(client, corpus, monkeypatch):
    monkeypatch.setattr(sitemap_module, "MAX_URLS", 5)
    whole = len(sitemap_module.PAGES) + 4 + 3 + len(CORPUS)  # pages, regions, themes, cards
    index = _validate(client.get("/sitemap.xml").content, "siteindex.xsd")
    parts = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    assert parts == [f"http://testserver/sitemap-{n}.xml" for n in range(1, -(-whole // 5) + 1)]
    seen: list[str] = []
    for url in parts:
        part = _validate(client.get(url.removeprefix("http://testserver")).content, "sitemap.xsd")
        locs = [u.findtext("s:loc", namespaces=NS) for u in part.findall("s:url", NS)]
        assert 0 < len(locs) <= 5
        seen += locs
    assert len(seen) == len(set(seen)) == whole  # every address once, none lost between parts
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404 and client.get("/sitemap-x.xml").status_code == 404


@pytest.mark.parametrize("url", ["/practices/yunarmiya-belgorod", "/practices?theme=youth", "/regions/RU-BEL"])
def test_shared_links_have_open_graph_and_twitter_tags(client, corpus, url):
    page = soup(client.get(url))

    def meta(key: str) -> str:
        node = page.select_one(f'meta[property="{key}"]') or page.select_one(f'meta[name="{key}"]')
        assert node is not None, key
        return node["content"]

    title = page.title.get_text().removesuffix(" — Каталог муниципальных практик")
    assert meta("og:title") == meta("twitter:title") == title
    assert meta("og:url") == "http://testserver" + url
    assert meta("og:site_name") == "Каталог лучших муниципальных практик" and meta("og:locale") == "ru_RU"
    assert meta("twitter:card") == "summary"
    assert meta("og:description") == meta("twitter:description") and 20 < len(meta("og:description")) <= 301
    assert meta("og:type") == ("article" if url.startswith("/practices/") else "website")
    if url.startswith("/practices/"):
        assert meta("og:description") == "Развитие юнармейского движения в общеобразовательных организациях."
    else:
        assert meta("og:description").startswith("Найдено ")


def test_social_description_is_escaped_and_cut_at_a_word(client, make_practice):
    make_practice(slug="dlinnaya", title='Практика "с кавычками" <b>', summary="слово " * 100)
    page = BeautifulSoup(client.get("/practices/dlinnaya").text, "html.parser")
    description = page.select_one('meta[property="og:description"]')["content"]
    assert description.endswith("слово…") and len(description) <= 301
    assert page.select_one('meta[property="og:title"]')["content"] == 'Практика "с кавычками" <b>'
