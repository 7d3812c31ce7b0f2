"""CSV and JSON Lines export of the current search: streamed, public fields only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import Session, select

from app.api.feeds import export as feeds_export
from app.api.feeds.export import CSV_COLUMNS
from app.catalogue.practices.fields import to_record as practice_to_record
from app.catalogue.practices.io import parse_lines
from app.models import Practice
from tests.api.conftest import HIDDEN_SLUGS, MODERATION_NOTE, SUBMITTER_EMAIL, error_fields
from tests.corpus import CONTACT, CORPUS


def csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_csv_has_every_public_field_in_cyrillic(client, corpus):
    response = client.get("/export/practices.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="practices.csv"'
    rows = {r["slug"]: r for r in csv_rows(response)}
    assert set(rows) == {c["slug"] for c in CORPUS}
    row = rows["yunarmiya-belgorod"]
    assert row["id"] == str(corpus["yunarmiya-belgorod"].id)
    assert row["title"] == "Юнармейские отряды в школах Белгородского района"
    assert row["url"] == "http://testserver/practices/yunarmiya-belgorod"
    assert row["region_code"] == "RU-BEL" and row["region"] == "Белгородская область"
    assert row["municipality_type"] == "Муниципальный район"
    assert row["themes"] == "education; youth"
    assert row["theme_names"] == "Образование; Молодёжная политика и патриотическое воспитание"
    assert row["outcome_figures"] == "Участников: 120 → 480 чел. (2021–2023)"
    assert row["documents"] == "Положение об отрядах (https://example.ru/doc.pdf)"
    assert row["year_started"] == "2021"
    assert row["contact_email"] == CONTACT["email"]  # contact_public
    assert row["contact_phone"] == "'" + CONTACT["phone"]  # "+7 …" would be a formula to a spreadsheet
    assert row["published_at"].endswith("Z")
    hidden_contact = rows["dvory-belgorod"]
    assert [hidden_contact[c] for c in CSV_COLUMNS if c.startswith("contact_")] == [""] * 5
    assert SUBMITTER_EMAIL not in response.text and MODERATION_NOTE not in response.text


def test_csv_follows_the_search(client, corpus):
    rows = csv_rows(client.get("/export/practices.csv", params={"region": "RU-BEL,RU-TA", "has_figures": "true"}))
    assert {r["slug"] for r in rows} == {"yunarmiya-belgorod", "shkolnye-dvory-kazan"}
    assert csv_rows(client.get("/export/practices.csv", params={"q": "Тайная"})) == []


def test_csv_quotes_commas_quotes_and_newlines(client, make_practice):
    make_practice(title='Практика "в кавычках", с запятой', summary="строка 1\nстрока 2", slug="kavychki")
    row = csv_rows(client.get("/export/practices.csv"))[0]
    assert row["title"] == 'Практика "в кавычках", с запятой'
    assert row["summary"] == "строка 1\nстрока 2"


def test_export_streams_in_batches_through_every_page(client, corpus, monkeypatch):
    monkeypatch.setattr(feeds_export, "BATCH", 3)  # 8 practices: three pages of the index
    slugs = [r["slug"] for r in csv_rows(client.get("/export/practices.csv", params={"sort": "title"}))]
    assert len(slugs) == len(set(slugs)) == len(CORPUS)
    lines = client.get("/export/practices.jsonl", params={"sort": "title"}).text.splitlines()
    assert [json.loads(line)["slug"] for line in lines] == slugs


def test_jsonl_round_trips_through_the_import_format(client, engine, corpus):
    response = client.get("/export/practices.jsonl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="practices.jsonl"'
    lines = response.text.splitlines()
    parsed = list(parse_lines(lines))
    assert [errors for _, _, errors in parsed] == [[]] * len(CORPUS)  # every line imports as is
    records = {json.loads(line)["slug"]: json.loads(line) for line in lines}
    assert set(records) == {c["slug"] for c in CORPUS}
    with Session(engine) as session:
        for practice in session.exec(select(Practice)).unique():
            if practice.slug in HIDDEN_SLUGS:
                continue
            expected = practice_to_record(practice)
            if not practice.contact_public:
                expected.pop("contact", None)
            assert records[practice.slug] == expected
    assert records["yunarmiya-belgorod"]["contact"] == CONTACT
    assert "contact" not in records["dvory-belgorod"]
    assert SUBMITTER_EMAIL not in response.text and MODERATION_NOTE not in response.text


@pytest.mark.parametrize("path", ["/export/practices.csv", "/export/practices.jsonl"])
@pytest.mark.parametrize(("params", "field"), [({"year_from": "x"}, "year_from"), ({"region": "a b"}, "region"),
                                               ({"columns": "title"}, "columns")])
def test_bad_parameters_are_problems_before_streaming(client, path, params, field):
    assert error_fields(client.get(path, params=params)) == [field]


def test_search_page_parameters_are_accepted(client, corpus):
    """A search URL can be turned into an export URL as it is: paging and facets are ignored."""
    rows = csv_rows(client.get("/export/practices.csv", params={"theme": "youth", "page": 2, "per_page": 1,
                                                                "facets": "region"}))
    assert len(rows) == 4
