"""GET /feeds/practices.atom: valid Atom 1.0 for any search, stable tag: ids, escaped text."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import feedparser
import pytest

from tests.api.conftest import HIDDEN_SLUGS, error_fields
from tests.corpus import CORPUS

URL = "/feeds/practices.atom"
A = "{http://www.w3.org/2005/Atom}"


def parse(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_feed_is_valid_atom_with_every_published_practice(client, corpus):
    feed = parse(client.get(URL))
    assert feed.feed.title == "Муниципальные практики"
    assert feed.feed.author == "Каталог лучших муниципальных практик"
    assert feed.feed.id == "tag:testserver,2026:practices"
    assert feed.feed.updated_parsed is not None
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "http://testserver/feeds/practices.atom"
    assert links["alternate"] == "http://testserver/practices?sort=newest"  # the same listing as a page
    assert len(feed.entries) == len(CORPUS)
    # Newest first.
    assert [e.link for e in feed.entries] == [f"http://testserver/practices/{c['slug']}" for c in reversed(CORPUS)]


def test_entries_have_stable_tag_ids_dates_links_and_categories(client, corpus):
    feed = parse(client.get(URL, params={"region": "RU-BEL"}))
    entry = next(e for e in feed.entries if e.link.endswith("/yunarmiya-belgorod"))
    assert entry.id == f"tag:testserver,2026:practice:{corpus['yunarmiya-belgorod'].id}"
    assert entry.title == "Юнармейские отряды в школах Белгородского района"
    assert entry.updated_parsed and entry.published_parsed
    terms = {(t.term, t.scheme) for t in entry.tags}
    assert ("RU-BEL", "http://testserver/api/v1/regions") in terms
    assert ("youth", "http://testserver/api/v1/themes") in terms
    assert "Отряды при каждой школе." in entry.content[0].value
    # The id does not depend on the search that found the entry.
    again = parse(client.get(URL, params={"theme": "youth"}))
    assert entry.id in {e.id for e in again.entries}


def test_text_is_escaped_not_interpreted(client, corpus):
    response = client.get(URL, params={"region": "RU-KDA"})
    parse(response)
    root = ET.fromstring(response.content)
    entry = next(e for e in root.iter(f"{A}entry") if e.find(f"{A}title").text.startswith("Набережная"))
    assert entry.find(f"{A}summary").attrib["type"] == "text"
    assert entry.find(f"{A}summary").text == "Проект благоустройства набережной по итогам голосования <b>&amp; «кавычки»</b>."
    assert entry.find(f"{A}summary").find("b") is None  # text, not markup
    content = entry.find(f"{A}content")
    assert content.attrib["type"] == "html"
    assert "&lt;b&gt;&amp;amp;" in content.text  # escaped once for HTML, then by XML


def test_filters_and_never_hidden(client, corpus):
    assert {e.link.rsplit("/", 1)[1] for e in parse(client.get(URL, params={"theme": "education"})).entries} == {
        c["slug"] for c in CORPUS if "education" in c["themes"]
    }
    assert parse(client.get(URL, params={"q": "Тайная"})).entries == []
    every = {e.link.rsplit("/", 1)[1] for e in parse(client.get(URL, params={"per_page": 100})).entries}
    assert not every & HIDDEN_SLUGS


def test_feed_title_and_id_follow_the_search(client, corpus):
    feed = parse(client.get(URL, params={"region": "RU-TA", "theme": "youth"}))
    assert feed.feed.title == "Муниципальные практики: Республика Татарстан, Молодёжная политика и патриотическое воспитание"
    assert feed.feed.id == "tag:testserver,2026:practices?region=RU-TA&theme=youth"
    assert [e.title for e in feed.entries] == ["Молодёжный совет при главе города"]


def test_feed_pages_link_to_each_other(client, corpus):
    feed = parse(client.get(URL, params={"per_page": 3}))
    seen = [e.id for e in feed.entries]
    while True:
        links = {link.rel: link.href for link in feed.feed.links}
        if "next" not in links:
            break
        feed = parse(client.get(links["next"]))
        seen += [e.id for e in feed.entries]
    assert len(seen) == len(set(seen)) == len(CORPUS)


def test_empty_feed_is_still_valid(client):
    feed = parse(client.get(URL, params={"region": "RU-NVS"}))
    assert feed.entries == []
    assert feed.feed.updated_parsed is not None


@pytest.mark.parametrize(("params", "field"), [({"sort": "x"}, "sort"), ({"per_page": "1000"}, "per_page"),
                                                ({"format": "rss"}, "format")])
def test_bad_parameters_are_problems(client, params, field):
    assert error_fields(client.get(URL, params=params)) == [field]


def test_base_url_setting_drives_links_and_tag_host(app, client, corpus):
    app.state.settings.base_url = "https://practices.example.org:8443/"
    feed = parse(client.get(URL))
    assert feed.feed.id == "tag:practices.example.org,2026:practices"
    assert feed.entries[0].link.startswith("https://practices.example.org:8443/practices/")
