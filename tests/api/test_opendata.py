"""The open data set: the Russian passport (meta.csv, data and structure files with versions in
their names) and DCAT (catalog.jsonld), each distribution answering."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from rdflib import RDF, Graph, Namespace, URIRef

from app.catalogue.practices.table import COLUMNS
from tests.api.conftest import HIDDEN_SLUGS
from tests.corpus import CORPUS

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def passport(client, path: str = "/opendata/meta.csv") -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[0] == ["property", "value"]
    assert all(len(r) == 2 for r in rows)
    return dict(rows[1:])


def test_passport_names_the_data_and_structure_files_which_answer(client, corpus):
    meta = passport(client)
    assert meta == passport(client, "/opendata/municipal-practices/meta.csv")
    assert meta["standardversion"] == "http://opendata.gosmonitor.ru/standard/3.0"
    assert meta["identifier"] == "municipal-practices" and meta["format"] == "csv"
    assert meta["title"] and meta["description"] and meta["creator"] and meta["subject"]
    assert re.fullmatch(r"\d{8}", meta["created"]) and re.fullmatch(r"\d{8}", meta["modified"])
    assert meta["license"].startswith("https://")
    data = [k for k in meta if k.startswith("data-")]
    structure = [k for k in meta if k.startswith("structure-")]
    assert len(data) == len(structure) == 1
    assert re.fullmatch(r"data-\d{8}-structure-\d{8}", data[0]) and data[0].endswith(structure[0].removeprefix("structure-"))
    assert data[0] == f"data-{meta['modified']}-{structure[0]}"  # the data's version is its last change
    # The data file: every published practice, no hidden one, RFC 4180 UTF-8 without a BOM.
    body = client.get(local(meta[data[0]]))
    assert body.status_code == 200 and not body.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.content.decode("utf-8"), newline="")))
    assert {r["slug"] for r in rows} == {c["slug"] for c in CORPUS} and not {r["slug"] for r in rows} & HIDDEN_SLUGS
    assert meta[data[0]].endswith(data[0] + ".csv") and meta[structure[0]].endswith(structure[0] + ".csv")
    # The structure file describes every column of the data file, in order.
    described = list(csv.reader(io.StringIO(client.get(local(meta[structure[0]])).content.decode("utf-8"))))
    assert described[0] == ["field name", "english description", "russian description", "format"]
    assert [r[0] for r in described[1:]] == list(rows[0].keys()) == [c.key for c in COLUMNS]
    assert all(r[1] and r[2] and r[3] in ("string", "integer", "number", "date", "dateTime") for r in described[1:])
    # The list of sets points to the passport; an old version's name says where the current one is.
    listing = list(csv.reader(io.StringIO(client.get("/opendata/list.csv").content.decode("utf-8"))))
    assert listing[0] == ["property", "title", "value", "format"]
    assert listing[2][0] == "municipal-practices" and local(listing[2][2]) == "/opendata/municipal-practices/meta.csv"
    old = client.get("/opendata/municipal-practices/data-20200101-structure-20200101.csv")
    assert old.status_code == 404 and data[0] in old.text
    assert client.get("/opendata/another-set/meta.csv").status_code == 404


def test_the_set_page_lists_its_files(client, corpus):
    page = BeautifulSoup(client.get("/opendata/municipal-practices/").text, "html.parser")
    links = [a["href"] for a in page.select("#files a")]
    meta = passport(client)
    assert local(links[0]) == local(meta[next(k for k in meta if k.startswith("data-"))])
    assert all(client.get(local(link) if link.startswith("http") else link).status_code == 200 for link in links)


def test_dcat_catalog_parses_and_every_distribution_answers(client, corpus):
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.text, format="json-ld", base="http://testserver/")
    [dataset] = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert (None, DCAT.dataset, dataset) in graph
    assert str(graph.value(dataset, DCT.identifier)) == "municipal-practices"
    assert str(graph.value(dataset, DCT.license)).startswith("https://creativecommons.org/")
    assert graph.value(dataset, DCT.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT")
    assert graph.value(dataset, DCT.modified) is not None and graph.value(dataset, DCAT.contactPoint) is not None
    media = {}
    for distribution in graph.objects(dataset, DCAT.distribution):
        url = str(graph.value(distribution, DCAT.downloadURL) or graph.value(distribution, DCAT.accessURL))
        media[str(graph.value(distribution, DCAT.mediaType)).rsplit("/", 2)[-2:][1]] = url
        answer = client.get(local(url))
        assert answer.status_code == 200, url
    assert set(media) == {"csv", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", "x-ndjson", "atom+xml", "json"}
    meta = passport(client)
    assert media["csv"] == meta[next(k for k in meta if k.startswith("data-"))]  # the same data file as the passport
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1 and client.get(local(str(graph.value(services[0], DCAT.endpointDescription)))).status_code == 200


def test_about_api_links_the_open_data_descriptions(client, corpus):
    page = BeautifulSoup(client.get("/about/api").text, "html.parser")
    links = {a["href"] for a in page.select("#opendata a")}
    assert {"/opendata/meta.csv", "/catalog.jsonld", "/opendata/list.csv", "/opendata/municipal-practices/"} <= links
    assert all(client.get(link).status_code == 200 for link in links)
    assert page.select_one('#export a[href="/export/practices-template.xlsx"]')
