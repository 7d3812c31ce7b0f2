"""The embed listing (for other sites' iframes), /static/embed.js and the /about/api page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.api.conftest import HIDDEN_SLUGS
from tests.corpus import CORPUS


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def test_embed_lists_newest_practices_of_a_region(client, corpus):
    response = client.get("/embed/practices", params={"region": "RU-BEL", "limit": 5})
    page = soup(response)
    items = page.select("ul.practices-embed > li")
    assert [li.a.get_text(strip=True) for li in items] == [
        "Благоустройство дворов вместе с жителями",
        "Юнармейские отряды в школах Белгородского района",
    ]
    link = items[1].a
    assert link["href"] == "http://testserver/practices/yunarmiya-belgorod"
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert " ".join(items[1].select_one(".meta").get_text().split()) == "Белгородская область, Белгородский район · с 2021 г."
    more = page.select_one("p.more a")
    assert urlsplit(more["href"]).path == "/practices"
    assert parse_qs(urlsplit(more["href"]).query)["region"] == ["RU-BEL"]
    assert "(2)" in more.get_text()


def test_embed_may_be_framed_and_has_no_site_chrome(client, corpus):
    response = client.get("/embed/practices")
    assert "x-frame-options" not in response.headers
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp
    assert "default-src 'none'" in csp  # nothing runs in the frame
    page = soup(response)
    assert page.find("header") is None and page.find("nav") is None and page.find("footer") is None
    assert len(page.select("ul.practices-embed > li")) == 5  # default limit


def test_embed_limit_theme_and_hidden(client, corpus):
    page = soup(client.get("/embed/practices", params={"theme": "youth", "limit": 50}))
    hrefs = {a["href"].rsplit("/", 1)[1] for a in page.select("ul.practices-embed a")}
    assert hrefs == {c["slug"] for c in CORPUS if "youth" in c["themes"]}
    assert not hrefs & HIDDEN_SLUGS


def test_embed_escapes_titles(client, make_practice):
    make_practice(title='<script>alert("x")</script> Практика', slug="xss-test")
    page = soup(client.get("/embed/practices"))
    assert page.find("script") is None
    assert page.select_one("ul.practices-embed a").get_text() == '<script>alert("x")</script> Практика'


@pytest.mark.parametrize(("params", "field"), [({"limit": "0"}, "limit"), ({"limit": "51"}, "limit"),
                                               ({"region": "bad value"}, "region"), ({"page": "2"}, "page"),
                                               ({"colour": "red"}, "colour")])
def test_embed_bad_parameters_name_them_in_the_frame(client, params, field):
    response = client.get("/embed/practices", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    page = BeautifulSoup(response.text, "html.parser")
    assert [li["data-field"] for li in page.select("ul.errors li")] == [field]


def test_embed_script_is_served_and_never_parses_api_data_as_html(client):
    response = client.get("/static/embed.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    script = response.text
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "textContent" in script
    assert "data-practices-" in script and "/api/v1/practices" in script


def test_about_api_shows_copyable_absolute_examples(client):
    page = soup(client.get("/about/api"))
    assert page.h1.get_text(strip=True) == "Открытые данные каталога"
    assert page.select_one("#example-list code").get_text() == (
        "http://testserver/api/v1/practices?region=RU-BEL&theme=youth&per_page=10"
    )
    assert page.select_one("#example-feed code").get_text() == "http://testserver/feeds/practices.atom?region=RU-BEL"
    assert page.select_one("#example-csv code").get_text() == "http://testserver/export/practices.csv?region=RU-BEL"
    assert page.select_one("#example-jsonl code").get_text().startswith("http://testserver/export/practices.jsonl?")
    iframe_code = BeautifulSoup(page.select_one("#example-iframe code").get_text(), "html.parser")
    assert iframe_code.iframe["src"] == "http://testserver/embed/practices?region=RU-BEL&limit=5"
    snippet = BeautifulSoup(page.select_one("#example-script code").get_text(), "html.parser")
    assert snippet.div["data-practices-region"] == "RU-BEL"
    assert snippet.script["src"] == "http://testserver/static/embed.js" and snippet.script.has_attr("async")
    promise = page.select_one("#promise").get_text(" ")
    assert "/api/v2" in promise and "12 месяцев" in promise
    assert page.select_one('a[href="http://testserver/docs"]') is not None
    alternates = {link["type"] for link in page.select('link[rel="alternate"]')}
    assert {"application/atom+xml", "application/json"} <= alternates


def test_about_api_uses_the_configured_base_url(app, client):
    app.state.settings.base_url = "https://practices.example.org"
    page = soup(client.get("/about/api"))
    assert page.select_one("#example-list code").get_text().startswith("https://practices.example.org/api/v1/practices?")
    snippet = BeautifulSoup(page.select_one("#example-script code").get_text(), "html.parser")
    assert snippet.script["src"] == "https://practices.example.org/static/embed.js"


def test_embed_refuses_a_limit_in_other_digits(client, corpus):
    response = client.get("/embed/practices", params={"limit": "²"})
    assert response.status_code == 400 and "limit" in response.text
