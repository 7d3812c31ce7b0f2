"""/docs: Swagger UI served by this site to try requests; /docs/reference: the OpenAPI document
rendered on the server, without JavaScript or any other host; the document itself in Russian, with
examples that match their schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from app.api.responses import STABILITY_PROMISE


def docs(client) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get("/docs/reference")
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
    # An empty value is documented as what it means: not given (the way an HTML form sends it).
    assert rows["per_page"][1] == "целое 1–100 или пусто (= не указано)"
    assert rows["sort"][1] == "одно из: relevance , newest , title , winners , пусто (= не указано)"
    assert rows["has_figures"][3] == "true"
    assert rows["region"][3] == "RU-BEL,RU-MOW"
    statuses = [dt.get_text() for dt in practices.select("dl.responses dt")]
    assert statuses == ["200", "304", "400", "503"]
    assert practices.select("dl.responses dd")[0].get_text(" ", strip=True).startswith("Успешно:")
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


def test_docs_try_requests_with_swagger_ui_served_here(client):
    page = BeautifulSoup(client.get("/docs").text, "html.parser")
    scripts = [s["src"] for s in page.select("script[src]")]
    assert scripts == ["/static/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"]
    assert not page.select("script:not([src])")  # no inline script (the site's CSP allows none)
    for url in [*scripts, *(link["href"] for link in page.select("link[rel=stylesheet]"))]:
        assert not urlsplit(url).netloc  # this site's own files (a path: never the request's Host)
        assert client.get(url).status_code == 200, url
    assert page.select_one("#swagger-ui")["data-openapi"] == "/openapi.json"
    assert page.select_one('a[href="/docs/reference"]')
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle and "//cdn." not in bundle[:2000]
    assert (Path(__file__).resolve().parents[2] / "app/web/static/swagger-ui/VERSION").read_text().strip() == "5.35.0"


def _schema_of(document: dict, spec: dict) -> dict:
    """A schema with the document's components, for jsonschema to resolve $ref."""
    return {**spec, "components": document["components"]}


def test_openapi_speaks_russian_and_every_schema_and_operation_has_a_valid_example(client):
    from jsonschema import Draft202012Validator

    document = client.get("/openapi.json").json()
    text = json.dumps(document, ensure_ascii=False)
    assert "Successful Response" not in text and "Validation Error" not in text
    assert "HTTPValidationError" not in document["components"]["schemas"]  # every error is problem+json
    for name, schema in document["components"]["schemas"].items():
        assert schema.get("examples"), name
        for example in schema["examples"]:
            errors = list(Draft202012Validator(_schema_of(document, schema)).iter_errors(example))
            assert not errors, (name, errors[0].message)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary") and re.search("[а-яё]", operation["summary"], re.I), (method, path)
            for status, response in operation["responses"].items():
                assert re.search("[а-яё]", response["description"], re.I), (method, path, status)
                for media, spec in (response.get("content") or {}).items():
                    if spec.get("schema", {}).get("format") == "binary":
                        continue  # a workbook: no text to show
                    assert "example" in spec, (method, path, status, media)
                    if media.endswith("json"):
                        errors = list(Draft202012Validator(_schema_of(document, spec.get("schema", {}))).iter_errors(spec["example"]))
                        assert not errors, (method, path, status, errors[0].message)
            for spec in operation.get("requestBody", {}).get("content", {}).values():
                assert "example" in spec
                assert not list(Draft202012Validator(_schema_of(document, spec["schema"])).iter_errors(spec["example"]))


def test_the_submission_example_is_accepted_as_it_is(client):
    """The documented request body is a real submission: posting it works."""
    document = client.get("/openapi.json").json()
    body = document["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["example"]
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
