"""Import from a spreadsheet in moderation: upload, a preview with every error, then import once."""

from __future__ import annotations

import io
import threading

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, select

from app.models import ImportBatch, ImportStatus, Practice, Status
from tests.catalogue.test_sheets import GOOD, xlsx
from tests.submit.helpers import soup

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, same_site, data: bytes, name: str = "сводка.xlsx"):  # type: ignore[no-untyped-def]
    return client.post("/admin/imports", files={"file": (name, data, XLSX_TYPE)}, headers=same_site,
                       follow_redirects=False)


def practices(engine) -> list[Practice]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Practice).order_by(Practice.id)).unique())


def test_a_sheet_with_errors_is_shown_whole_and_written_only_when_the_moderator_says(admin_client, same_site, engine):
    rows = [GOOD, ["аб", "Нарния", *GOOD[2:]], ["Вторая практика", GOOD[1], "Королевство", *GOOD[3:]],
            ["Третья практика", *GOOD[1:]]]
    response = upload(admin_client, same_site, xlsx(rows))
    assert response.status_code == 303
    preview_url = response.headers["location"]
    page = soup(admin_client.get(preview_url))
    assert "Строк с практиками: 4; без ошибок: 2; с ошибками: 2" in " ".join(page.select_one("#summary").get_text().split())
    errors = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("#import-errors tbody tr")]
    assert errors == [
        ["3", "аб", "лист «Практики», строка 3, столбец A «Название практики»", "слишком коротко: не меньше 3 символов"],
        ["3", "аб", "лист «Практики», строка 3, столбец B «Регион»", "неизвестный регион «Нарния»"],
        ["4", "Вторая практика", "лист «Практики», строка 4, столбец C «Тип муниципального образования»",
         "неизвестный тип муниципального образования «Королевство»"],
    ]
    assert [tr["data-line"] for tr in page.select("#import-good tbody tr")] == ["2", "5"]
    assert practices(engine) == []  # nothing written by the check
    form = page.select_one("#import-form")
    assert form.select_one("input[name=skip_bad]").has_attr("required")

    # Without choosing to skip the bad rows, nothing is written.
    refused = admin_client.post(preview_url, data={"publish": "1"}, headers=same_site, follow_redirects=False)
    assert refused.status_code == 422 and practices(engine) == []
    done = admin_client.post(preview_url, data={"skip_bad": "1"}, headers=same_site, follow_redirects=False)
    assert done.status_code == 303
    written = practices(engine)
    assert [p.title for p in written] == ["Народный бюджет", "Третья практика"]
    assert {p.status for p in written} == {Status.pending}  # to the queue: the moderator did not publish
    queue = soup(admin_client.get("/admin?status=pending"))
    assert {a.get_text() for a in queue.select("table.queue td a")} == {"Народный бюджет", "Третья практика"}
    after = soup(admin_client.get(preview_url))
    assert "создано 2" in after.select_one("#import-done").get_text() and after.select_one("#import-form") is None
    # Importing the same batch again writes nothing more.
    again = admin_client.post(preview_url, data={"skip_bad": "1"}, headers=same_site, follow_redirects=False)
    assert again.status_code == 303 and len(practices(engine)) == 2


def test_a_good_sheet_published_at_once_is_searchable(admin_client, client, same_site, engine):
    preview_url = upload(admin_client, same_site, xlsx([["Светлячковый бюджет", *GOOD[1:]]])).headers["location"]
    page = soup(admin_client.get(preview_url))
    assert page.select_one("#import-form input[name=skip_bad]") is None
    assert page.select_one("#import-form button").get_text(strip=True) == "Импортировать 1 практику"
    assert admin_client.post(preview_url, data={"publish": "1"}, headers=same_site, follow_redirects=False).status_code == 303
    [practice] = practices(engine)
    assert practice.status == Status.published
    assert practice.slug in client.get("/practices?q=светлячковый").text
    # A second file with the same practice updates it (the preview says so).
    second = upload(admin_client, same_site, xlsx([["Светлячковый бюджет", *GOOD[1:5], "new.example.ru", *GOOD[6:]]]))
    page = soup(admin_client.get(second.headers["location"]))
    assert "обновит практику" in page.select_one("#import-good").get_text()


def test_two_moderators_importing_one_batch_at_once_write_it_once(app, admin_client, same_site, engine):
    rows = [[f"Практика номер {n}", *GOOD[1:]] for n in range(12)]
    preview_url = upload(admin_client, same_site, xlsx(rows)).headers["location"]
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def confirm() -> None:
        with TestClient(app, base_url="http://testserver", cookies=dict(admin_client.cookies)) as other:
            barrier.wait(timeout=10)
            response = other.post(preview_url, data={"publish": "1"}, headers=same_site, follow_redirects=False)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [303, 303, 303, 303]
    assert len(practices(engine)) == 12
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch)).one()
        assert batch.status == ImportStatus.imported and batch.report["created"] == 12
        assert all(row["raw"] is None for row in batch.rows) and batch.rows[0]["title"] == "Практика номер 0"
        assert session.exec(select(func.count()).select_from(Practice)).one() == 12


def test_bad_uploads_get_a_clear_message(admin_client, client, same_site, engine):
    not_excel = upload(admin_client, same_site, b"PK\x03\x04 nonsense")
    assert not_excel.status_code == 422 and "это не файл Excel" in soup(not_excel).select_one(".error-summary").get_text()
    wrong_kind = upload(admin_client, same_site, b"x", name="сводка.docx")
    assert wrong_kind.status_code == 422 and "нужен файл .jsonl, .xlsx или .csv" in wrong_kind.text
    empty = admin_client.post("/admin/imports", data={"x": "1"}, files={"file": ("", b"", XLSX_TYPE)}, headers=same_site)
    assert empty.status_code == 400 and "Выберите файл" in empty.text
    too_big = upload(admin_client, same_site, b"x" * (11 * 1024 * 1024 + 1))
    assert too_big.status_code == 413 and "не больше 10 МБ" in too_big.text
    header_only = upload(admin_client, same_site, xlsx([]))
    assert header_only.status_code == 422 and "нет ни одной практики" in header_only.text
    # Moderators only, and never from another site.
    anonymous = client.post("/admin/imports", files={"file": ("a.xlsx", xlsx([GOOD]), XLSX_TYPE)}, headers=same_site,
                            follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    assert practices(engine) == []
    cross = admin_client.post("/admin/imports", files={"file": ("a.xlsx", xlsx([GOOD]), XLSX_TYPE)},
                              headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403


def test_the_template_filled_in_imports(admin_client, same_site, engine):
    page = soup(admin_client.get("/admin/imports"))
    link = page.select_one("a[download]")["href"]
    assert page.select_one('.admin-bar a[href="/admin/imports"]')  # in the moderators' navigation
    response = admin_client.get(link)
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Практики", "Столбцы", "Цифры", "Документы", "Награды", "Справочники"]
    assert book["Практики"].max_row == 1  # headers only
    references = {(r[0].value, r[2].value) for r in book["Справочники"].iter_rows(min_row=2)}
    assert ("Регионы", "Белгородская область") in references and ("Темы", "Муниципальные финансы") in references
    headers = [c.value for c in book["Практики"][1]]
    sheet = book["Практики"]
    values = {"Название практики": "Школа старост", "Регион": "Белгородская область",
              "Тип муниципального образования": "Городской округ", "Темы": "Муниципальные финансы"}
    sheet.append([values.get(h) for h in headers])
    book["Цифры"].append(["Школа старост", "Старост", 3, 41, "чел."])
    out = io.BytesIO()
    book.save(out)
    preview_url = upload(admin_client, same_site, out.getvalue()).headers["location"]
    done = admin_client.post(preview_url, data={"publish": "0"}, headers=same_site, follow_redirects=False)
    assert done.status_code == 303, soup(done).select_one("main").get_text(" ", strip=True)[:2000]
    [practice] = practices(engine)
    assert practice.title == "Школа старост" and practice.outcome_figures[0]["value_after"] == 41
