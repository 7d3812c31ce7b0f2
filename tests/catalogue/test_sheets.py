"""Spreadsheet import: XLSX and CSV in, every error of every row in one pass (with its sheet, row
and column), and the round trip of the exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.catalogue.practices import fields
from app.catalogue.practices.io import ImportFailed, check_sources, file_sources, import_lines, write_checked
from app.catalogue.practices.sheets import MAX_ROWS, SheetError
from app.catalogue.reference import SEED_DIR, Reference
from app.db import make_engine, session_scope
from app.migrate import migrate
from app.models import Practice, Status
from app.search.sync import drain_inline
from tests.corpus import CORPUS

HEADERS = ["Название практики", "Регион", "Тип муниципального образования", "Темы", "Год начала", "Сайт",
           "Электронная почта для связи", "Контакт можно опубликовать", "Примечание"]


def xlsx(rows: list[list[Any]], figures: list[list[Any]] | None = None, headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Практики"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if figures is not None:
        other = book.create_sheet("Цифры")
        other.append(["Практика", "Показатель", "Было", "Стало", "Единица"])
        for row in figures:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Practice)).one()


def fresh_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(engine)
    return engine


GOOD = ["Народный бюджет", "Белгородская область", "Городской округ", "Участие жителей, ТОС и обратная связь; Муниципальные финансы",
        2021, "belgorod.ru", "adm@example.ru", "да", "заметка для себя"]


def test_a_sheet_with_ten_bad_rows_reports_all_of_them_with_row_and_column(session: Session) -> None:
    ref = Reference(session)
    bad = [
        ["аб", "Нарния", *GOOD[2:]],  # row 3: too short AND an unknown region, both at once
        [None, *GOOD[1:]],  # 4: no title
        ["Практика с темой", GOOD[1], GOOD[2], "Астрология", *GOOD[4:]],  # 5
        ["Практика старая", *GOOD[1:4], 1900, *GOOD[5:]],  # 6
        ["Практика с почтой", *GOOD[1:6], "не почта", *GOOD[7:]],  # 7
        ["Практика с сайтом", *GOOD[1:5], "не сайт", *GOOD[6:]],  # 8
        ["Практика без типа", GOOD[1], "Королевство", *GOOD[3:]],  # 9
        ["Практика с согласием", *GOOD[1:7], "может быть", GOOD[8]],  # 10
        ["Практика без тем", GOOD[1], GOOD[2], None, *GOOD[4:]],  # 11
        GOOD,  # 12: the same address as row 2
    ]
    data = xlsx([GOOD, *bad, ["Вторая хорошая", *GOOD[1:]]], figures=[["Нет такой", "Проектов", 1, 2, "шт."]])
    checked = check_sources(file_sources("сводка.xlsx", data, ref), ref)
    errors = [e for c in checked for e in c.errors]
    by_row: dict[int, list[str]] = {}
    for e in errors:
        if e.place and e.place.sheet == "Практики":
            by_row.setdefault(e.place.row, []).append(str(e))
    assert sorted(by_row) == list(range(3, 13))  # ten rows, each with its errors, in one pass
    assert by_row[3] == ["лист «Практики», строка 3, столбец A «Название практики»: слишком коротко: не меньше 3 символов",
                         "лист «Практики», строка 3, столбец B «Регион»: неизвестный регион «Нарния»"]
    assert by_row[4] == ["лист «Практики», строка 4, столбец A «Название практики»: обязательное поле"]
    assert by_row[5] == ["лист «Практики», строка 5, столбец D «Темы»: неизвестная тема «Астрология»"]
    assert by_row[6][0].startswith("лист «Практики», строка 6, столбец E «Год начала»: год должен быть от 1991")
    assert by_row[7] == ["лист «Практики», строка 7, столбец G «Электронная почта для связи»: неверный адрес электронной почты"]
    assert by_row[8][0].startswith("лист «Практики», строка 8, столбец F «Сайт»: нужна ссылка на сайт")
    assert by_row[9] == ["лист «Практики», строка 9, столбец C «Тип муниципального образования»: "
                         "неизвестный тип муниципального образования «Королевство»"]
    assert by_row[10] == ["лист «Практики», строка 10, столбец H «Контакт можно опубликовать»: нужно «да» или «нет»"]
    assert by_row[11] == ["лист «Практики», строка 11, столбец D «Темы»: обязательное поле"]
    assert by_row[12] == ["лист «Практики», строка 12, столбец A «Название практики»: тот же адрес страницы, что в строке 2"]
    others = [str(e) for e in errors if e.place and e.place.sheet == "Цифры"]
    assert others == ["лист «Цифры», строка 2, столбец A «Практика»: нет практики «Нет такой» на листе «Практики»: "
                      "укажите её адрес страницы или название"]
    # Nothing is written while any row is bad; skipping them writes the good ones.
    with pytest.raises(ImportFailed) as failed:
        write_checked(session, ref, checked)
    assert len(failed.value.errors) == len(errors)
    assert count(session) == 0
    report = write_checked(session, ref, checked, skip_bad=True, new_status=Status.pending)
    session.commit()
    assert (report.created, report.skipped) == (2, 11)
    created = session.exec(select(Practice).order_by(Practice.id)).all()
    assert [p.status for p in created] == [Status.pending, Status.pending]  # to the moderators' queue
    first = created[0]
    assert (first.region_code, first.municipality_type_slug) == ("RU-BEL", "urban-okrug")  # names read as codes
    assert sorted(t.slug for t in first.themes) == ["civic-participation", "finance"]
    assert first.contact_website == "https://belgorod.ru" and first.contact_public is True


def test_a_file_that_is_no_spreadsheet_is_one_clear_error(session: Session) -> None:
    ref = Reference(session)
    with pytest.raises(SheetError, match="это не файл Excel"):
        file_sources("сводка.xlsx", b"PK\x03\x04 not really a zip", ref)
    with pytest.raises(SheetError, match="нужен файл .jsonl, .xlsx или .csv"):
        file_sources("сводка.doc", b"x", ref)
    with pytest.raises(SheetError, match="Название практики"):
        file_sources("сводка.xlsx", xlsx([["x"]], headers=["Что-то своё"]), ref)
    with pytest.raises(SheetError, match=f"не больше {MAX_ROWS}"):
        file_sources("много.csv", ("title\n" + "Практика\n" * (MAX_ROWS + 1)).encode(), ref)


def _seed_published(app) -> None:  # type: ignore[no-untyped-def]
    state = app.state
    lines = (SEED_DIR / "practices.jsonl").read_text(encoding="utf-8").splitlines()
    with session_scope(state.engine, lambda: drain_inline(state.engine, state.index)) as session:
        import_lines(session, Reference(session), lines)


def _public(engine: Engine) -> dict[str, dict[str, Any]]:
    with Session(engine) as session:
        return {p.slug: fields.to_record(p, public_only=True) for p in session.exec(select(Practice)).unique()}


def test_xlsx_export_imported_back_gives_the_same_practices(app, client, engine, tmp_path: Path) -> None:
    """The 310 real practices (figures, documents, awards, sources) out to XLSX and back in."""
    _seed_published(app)
    response = client.get("/export/practices.xlsx")
    assert response.status_code == 200
    other = fresh_engine(tmp_path)
    with Session(other) as session:
        ref = Reference(session)
        checked = check_sources(file_sources("practices.xlsx", response.content, ref), ref)
        assert [str(e) for c in checked for e in c.errors] == []
        report = write_checked(session, ref, checked, new_status=Status.published)
        session.commit()
    original, imported = _public(engine), _public(other)
    assert report.created == len(original) >= 300
    assert imported == original
    assert any(r.get("awards") for r in imported.values()) and any(r.get("outcome_figures") for r in imported.values())
    other.dispose()


@pytest.mark.parametrize("dialect", ["excel-ru", "rfc4180"])
def test_csv_export_imported_back_gives_the_same_practices(make_practice, client, engine, tmp_path: Path, dialect) -> None:
    for item in CORPUS:
        make_practice(**item)
    response = client.get("/export/practices.csv", params={"dialect": dialect})
    other = fresh_engine(tmp_path)
    with Session(other) as session:
        ref = Reference(session)
        checked = check_sources(file_sources("practices.csv", response.content, ref), ref)
        assert [str(e) for c in checked for e in c.errors] == []
        write_checked(session, ref, checked, new_status=Status.published)
        session.commit()
    assert _public(other) == _public(engine)
    other.dispose()


def test_importing_a_sheet_again_updates_and_keeps_the_status(session: Session) -> None:
    ref = Reference(session)
    data = xlsx([GOOD])
    write_checked(session, ref, check_sources(file_sources("a.xlsx", data, ref), ref), new_status=Status.published)
    again = xlsx([[*GOOD[:5], "new.belgorod.ru", *GOOD[6:]]])
    report = write_checked(session, ref, check_sources(file_sources("a.xlsx", again, ref), ref), new_status=Status.pending)
    session.commit()
    practice = session.exec(select(Practice)).one()
    assert (report.created, report.updated) == (0, 1)
    assert practice.contact_website == "https://new.belgorod.ru" and practice.status == Status.published
