"""/docs: the OpenAPI document rendered on the server, without JavaScript or any other host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from app.api.responses import STABILITY_PROMISE


def docs(client) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get("/docs")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_docs_load_nothing_from_other_hosts(client):
    page = docs(client)
    assert page.find("script", src=True) is None
    for tag, attr in (("link", "href"), ("img", "src"), ("script", "src")):
        for node in page.find_all(tag, **{attr: True}):
            assert urlsplit(node[attr]).netloc in ("", "testserver"), node
    assert client.get("/redoc").status_code == 404


def test_docs_describe_every_operation_with_parameters_and_examples(client):
    page = docs(client)
    schema = client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method in item:
            anchor = re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-")
            assert page.find(id=anchor) is not None, (method, path)
    practices = page.find(id="get-api-v1-practices")
    rows = {tr.find("code").get_text(): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in practices.select("table.parameters tbody tr")}
    assert set(rows) >= {"q", "region", "theme", "municipality_type", "year_from", "year_to", "has_figures", "sort",
                         "page", "per_page", "facets"}
    assert rows["per_page"][1] == "целое 1–100"
    assert rows["sort"][1] == "одно из: relevance , newest , title"
    assert rows["has_figures"][3] == "true"
    assert rows["region"][3] == "RU-BEL,RU-MOW"
    statuses = [dt.get_text() for dt in practices.select("dl.responses dt")]
    assert statuses == ["200", "304", "400", "503"]
    assert "application/problem+json" in practices.select("dl.responses dd")[2].get_text()


def test_docs_link_to_schemas_that_exist(client):
    page = docs(client)
    anchors = {node["id"] for node in page.find_all(id=True)}
    links = [a["href"][1:] for a in page.select('a[href^="#schema-"]')]
    assert links and set(links) <= anchors
    fields = [td.get_text() for td in page.select("#schema-PracticeItem tbody tr td:first-child code")]
    assert {"id", "slug", "title", "highlights", "url"} <= set(fields)


def test_docs_state_the_stability_promise(client):
    text = " ".join(docs(client).get_text(" ").split())
    assert " ".join(STABILITY_PROMISE.replace("`", " ").split()) in text
