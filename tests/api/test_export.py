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
from app.catalogue.practices.io import check_sources, jsonl_sources
from app.catalogue.reference import Reference
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
    assert [hidden_contact[c] for c in CSV_COLUMNS if c.startswith("contact_")] == [""] * 5 + ["нет"]
    assert row["contact_public"] == "да"
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
    with Session(engine) as session:
        checked = check_sources(jsonl_sources(lines), Reference(session))
    assert [c.errors for c in checked] == [[]] * len(CORPUS)  # every line imports as is
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
                                               ({"columns": "title"}, "columns"),
                                               ({"dialect": "", "region": "'"}, "region"),
                                               ({"dialect": "excel"}, "dialect")])
def test_bad_parameters_are_problems_before_streaming(client, path, params, field):
    assert error_fields(client.get(path, params=params)) == [field]


def test_an_empty_dialect_is_the_default_as_documented(client, corpus):
    """`dialect=` (an empty select of a form) is the default CSV; the document lists "" among its values."""
    assert csv_rows(client.get("/export/practices.csv?dialect=")) == csv_rows(client.get("/export/practices.csv"))


def test_search_page_parameters_are_accepted(client, corpus):
    """A search URL can be turned into an export URL as it is: paging and facets are ignored."""
    rows = csv_rows(client.get("/export/practices.csv", params={"theme": "youth", "page": 2, "per_page": 1,
                                                                "facets": "region"}))
    assert len(rows) == 4


def test_csv_for_excel_has_semicolons_and_russian_headers(client, corpus):
    response = client.get("/export/practices.csv", params={"dialect": "excel-ru", "region": "RU-BEL"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="practices-excel.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:4] == ["Номер", "Адрес страницы (slug)", "Ссылка на страницу", "Название практики"]
    assert "Код региона" in rows[0] and "Регион" in rows[0] and "Темы" in rows[0]
    assert len(rows[0]) == len(CSV_COLUMNS) and len(rows) == 3
    record = dict(zip(rows[0], next(r for r in rows[1:] if "yunarmiya-belgorod" in r), strict=True))
    assert record["Регион"] == "Белгородская область" and record["Год начала"] == "2021"
    assert record["Телефон"] == "'" + CONTACT["phone"]  # still no formula
    assert text.count("\r\n") == 3
    # The plain CSV for programs stays the default, and a wrong dialect is named.
    assert client.get("/export/practices.csv").content.decode("utf-8-sig").startswith("id,slug,url,")
    assert error_fields(client.get("/export/practices.csv", params={"dialect": "excel"})) == ["dialect"]


def test_xlsx_has_the_search_with_numbers_links_and_a_sheet_describing_the_columns(client, corpus):
    from openpyxl import load_workbook

    from app.catalogue.practices.table import SHEET_COLUMNS

    response = client.get("/export/practices.xlsx", params={"theme": "education"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="practices.xlsx"'
    assert int(response.headers["content-length"]) == len(response.content)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Практики", "Столбцы", "Цифры", "Документы", "Награды"]
    sheet = book["Практики"]
    header = [c.value for c in sheet[1]]
    assert header == [c.header for c in SHEET_COLUMNS]
    rows = {r[1].value: {h: c for h, c in zip(header, r, strict=True)} for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"yunarmiya-belgorod", "shkolnye-dvory-kazan", "robototehnika-ekb", "shkola-vozhatyh-krasnodar"}
    card = rows["yunarmiya-belgorod"]
    assert card["Номер"].value == corpus["yunarmiya-belgorod"].id and card["Год начала"].value == 2021  # numbers
    link = card["Ссылка на страницу"]
    assert link.hyperlink.target == link.value == "http://testserver/practices/yunarmiya-belgorod"
    assert card["Сайт"].hyperlink.target == CONTACT["website"]
    assert card["Телефон"].value == CONTACT["phone"] and card["Телефон"].data_type == "s"
    assert card["Контакт можно опубликовать"].value == "да"
    assert rows["shkolnye-dvory-kazan"]["Контакт можно опубликовать"].value == "нет"
    figures = [[c.value for c in r] for r in book["Цифры"].iter_rows(min_row=2)]
    assert ["yunarmiya-belgorod", "Участников", 120, 480, "чел.", "2021–2023"] in figures
    assert ["shkolnye-dvory-kazan", "Открытых дворов", 3, 27, "шт.", None] in figures
    documents = [[c.value for c in r] for r in book["Документы"].iter_rows(min_row=2)]
    assert documents == [["yunarmiya-belgorod", "Положение об отрядах", "https://example.ru/doc.pdf"]]
    described = {(r[0].value, r[1].value) for r in book["Столбцы"].iter_rows(min_row=2)}
    assert {("Практики", h) for h in header} | {("Цифры", "Стало")} <= described
    assert SUBMITTER_EMAIL.encode() not in response.content


def test_xlsx_cells_that_look_like_formulas_stay_text(client, make_practice):
    from openpyxl import load_workbook

    make_practice(slug="formula", title="=HYPERLINK(\"http://evil.example\",\"x\")", summary="+7 и @всё")
    book = load_workbook(io.BytesIO(client.get("/export/practices.xlsx").content))
    row = next(book["Практики"].iter_rows(min_row=2))
    assert row[3].value == '=HYPERLINK("http://evil.example","x")' and row[3].data_type == "s"
    assert row[4].value == "+7 и @всё" and row[4].data_type == "s"


def test_a_download_left_midway_holds_no_connection(client, corpus, engine, index):
    """A client that leaves mid-file abandons the stream: no transaction may stay open behind
    it (on PostgreSQL one blocked every TRUNCATE and migration until garbage collection)."""
    from app.catalogue.practices import queries
    from app.search.base import SearchQuery

    query = SearchQuery(text="", per_page=2)
    stream = feeds_export.matching_practices(engine, index, query, index.search(query))
    assert next(stream).slug
    assert engine.pool.checkedout() == 0
    with Session(engine) as session:
        practices = queries.iter_practices(session, batch=2)
        assert next(practices).slug
        assert not session.in_transaction()
