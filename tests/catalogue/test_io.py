"""JSON Lines import and export."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.catalogue.practices.io import ImportFailed, export_records, import_lines, write_jsonl
from app.catalogue.reference import SEED_DIR, Reference
from app.models import AuditLog, Outbox, Practice, Status


def record(**overrides) -> dict:
    base = {
        "title": "Народный бюджет в сельских поселениях",
        "summary": "Жители сами выбирают проекты благоустройства.",
        "region": "RU-KHA",
        "municipality": "Хабаровский муниципальный район",
        "municipality_type": "municipal-district",
        "themes": ["finance", "civic-participation"],
        "year_started": 2019,
        "outcome_figures": [{"indicator": "Проектов", "value_before": 3, "value_after": 41, "unit": "шт.", "period": "2019–2023"}],
        "contact": {"organisation": "Администрация района", "email": "adm@example.ru"},
        "contact_public": True,
        "source_url": "https://example.ru/news/1",
        "documents": [{"title": "Положение", "url": "https://example.ru/doc.pdf"}],
    }
    base.update(overrides)
    return base


def lines(*records: dict | str) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Practice)).one()


def test_import_creates_practices_with_everything(session: Session) -> None:
    report = import_lines(session, Reference(session), lines(record(), record(title="Школа старост", themes=["rural"], slug="shkola-starost")))
    session.commit()
    assert (report.created, report.updated, report.skipped) == (2, 0, 0)
    p = session.exec(select(Practice).where(Practice.slug == "shkola-starost")).one()
    assert p.status == Status.published and p.published_at is not None
    assert [t.slug for t in p.themes] == ["rural"]
    first = session.exec(select(Practice).where(Practice.slug != "shkola-starost")).one()
    assert first.slug == "narodnyy-byudzhet-v-selskikh-poseleniyakh"
    assert first.outcome_figures[0]["value_after"] == 41
    assert first.contact_email == "adm@example.ru" and first.contact_public is True
    assert {t.slug for t in first.themes} == {"finance", "civic-participation"}
    # Published practices are queued for the index and audited.
    assert session.exec(select(func.count()).select_from(Outbox)).one() == 2
    assert session.exec(select(func.count()).select_from(AuditLog)).one() == 2


def test_import_is_idempotent(session: Session) -> None:
    data = lines(record(), record(title="Другая практика", region="RU-BEL"))
    import_lines(session, Reference(session), data)
    session.commit()
    again = import_lines(session, Reference(session), data)
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(session) == 2


def test_reimport_with_changes_updates_in_place(session: Session) -> None:
    import_lines(session, Reference(session), lines(record()))
    session.commit()
    report = import_lines(session, Reference(session), lines(record(summary="Новое описание", status="archived")))
    session.commit()
    assert (report.created, report.updated) == (0, 1)
    p = session.exec(select(Practice)).one()
    assert p.summary == "Новое описание" and p.status == Status.archived


@pytest.mark.parametrize(
    ("bad_line", "field"),
    [
        ('{"title": "Без закрывающей скобки", "region": "RU-BEL"', "json"),
        (json.dumps(record(region="RU-XXX")), "region"),
        (json.dumps({k: v for k, v in record().items() if k != "title"}), "title"),
        (json.dumps(record(themes=["no-such-theme"])), "themes.0"),
        (json.dumps(record(municipality_type="kingdom")), "municipality_type"),
        (json.dumps(record(year_started=2999)), "year_started"),
        (json.dumps(record(contact={"email": "не почта"})), "contact.email"),
        (json.dumps(record(source_url="javascript:alert(1)")), "source_url"),
        ("[1, 2, 3]", "json"),
    ],
)
def test_bad_line_7_fails_whole_import_naming_line_and_field(session: Session, bad_line: str, field: str) -> None:
    good = [json.dumps(record(title=f"Практика {i}", slug=f"p-{i}"), ensure_ascii=False) for i in range(1, 7)]
    with pytest.raises(ImportFailed) as err:
        import_lines(session, Reference(session), [*good, bad_line, json.dumps(record(title="Восьмая", slug="p-8"))])
    session.rollback()
    assert [(e.line, e.field) for e in err.value.errors] == [(7, field)]
    assert f"строка 7: {field}" in str(err.value)
    assert count(session) == 0


def test_skip_bad_imports_the_good_lines(session: Session) -> None:
    report = import_lines(session, Reference(session), lines(record(slug="a"), record(slug="b", region="nowhere"), record(slug="c", title="Третья")), skip_bad=True)
    session.commit()
    assert (report.created, report.skipped) == (2, 1)
    assert report.errors[0].line == 2 and report.errors[0].field == "region"
    assert count(session) == 2


def test_duplicate_slug_in_one_file_is_an_error(session: Session) -> None:
    with pytest.raises(ImportFailed) as err:
        import_lines(session, Reference(session), lines(record(slug="same"), record(slug="same", title="Вторая")))
    assert (err.value.errors[0].line, err.value.errors[0].field) == (2, "slug")


def test_export_then_import_into_empty_database_gives_same_catalogue(session: Session, tmp_path) -> None:
    from app.db import make_engine
    from app.migrate import migrate

    source = [record(slug=f"p-{i}", title=f"Практика «{i}» — ёлка", status=s)
              for i, s in enumerate(["published", "published", "pending", "archived"])]
    import_lines(session, Reference(session), lines(*source))
    session.commit()
    out = io.StringIO()
    write_jsonl(export_records(session, list(Status)), out)
    exported = out.getvalue().splitlines()
    assert len(exported) == 4

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    with Session(other) as second:
        import_lines(second, Reference(second), exported)
        second.commit()
        again = io.StringIO()
        write_jsonl(export_records(second, list(Status)), again)
    assert again.getvalue() == out.getvalue()
    assert "ёлка" in out.getvalue()  # UTF-8, not \u escapes
    other.dispose()


def test_export_defaults_to_published_only(session: Session) -> None:
    import_lines(session, Reference(session), lines(record(slug="pub"), record(slug="hid", title="Скрытая", status="pending")))
    session.commit()
    assert [r["slug"] for r in export_records(session)] == ["pub"]


def test_seed_file_is_valid_and_real(session: Session) -> None:
    seed_lines = (SEED_DIR / "practices.jsonl").read_text(encoding="utf-8").splitlines()
    report = import_lines(session, Reference(session), seed_lines)
    session.commit()
    assert report.created == len(seed_lines) >= 30
    practices = session.exec(select(Practice)).all()
    assert all(p.region_code and p.themes and p.status == Status.published for p in practices)
    # The nine practices of the Belgorod club (seven Belgorod, two Saratov) are there.
    titles = " ".join(p.title for p in practices)
    for name in ("юнармейц", "Книжный дворик", "Кислород", "Студенческий проектный офис", "Культура с доставкой"):
        assert name in titles
    assert sum(p.region_code == "RU-BEL" for p in practices) >= 7


def test_check_file_reads_and_checks_with_the_collector_paused_and_then_back_on(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from app.catalogue.practices import io as practices_io

    seen: list[bool] = []
    check = practices_io.check_sources

    def spy(sources, ref):  # type: ignore[no-untyped-def]
        sources = list(sources)  # read here, so that reading is inside the spy too
        seen.append(gc.isenabled())
        return check(sources, ref)

    monkeypatch.setattr(practices_io, "check_sources", spy)
    data = "\n".join(lines(record(), record(title="Школа старост", region="XX-NOPE"))).encode()
    assert gc.isenabled()
    checked = practices_io.check_file("file.jsonl", data, Reference(session))
    assert seen == [False] and gc.isenabled()
    assert [bool(c.errors) for c in checked] == [False, True]
    with pytest.raises(practices_io.SheetError):
        practices_io.check_file("file.txt", data, Reference(session))
    assert gc.isenabled()  # on again after a file that cannot be read at all


def test_every_check_of_many_records_runs_with_the_collector_paused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The admin page's upload, an approved import batch and the API's JSON Lines import all
    # check through check_sources: each record stays alive until written, so a collection on
    # the way would traverse them all for nothing.
    import gc

    from app.catalogue.practices import io as practices_io

    seen: list[bool] = []
    check = practices_io.check

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(practices_io, "check", spy)
    sources = practices_io.jsonl_sources(lines(record(), record(title="Школа старост")))
    checked = practices_io.check_sources(sources, Reference(session))
    assert seen == [False, False] and gc.isenabled() and len(checked) == 2
