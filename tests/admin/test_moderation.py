"""Moderation end to end: pending is invisible everywhere; approve, reject, archive, restore, edit."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AuditLog, Status
from tests.moderation import form_values
from tests.submit.helpers import field_error, form_data, practice_by_code, search_ids, soup

WORD = "светлячковый"  # in the title only: found by search exactly when the practice is public


def _public_surfaces(client, practice) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Where the practice shows: True if a public page or API names it."""
    shown = {}
    shown["card"] = client.get(f"/practices/{practice.slug}").status_code == 200
    shown["api card"] = client.get(f"/api/v1/practices/{practice.slug}").status_code == 200
    shown["api card by id"] = client.get(f"/api/v1/practices/{practice.id}").status_code == 200
    for name, url in [
        ("search page", f"/practices?q={WORD}"),
        ("api list", f"/api/v1/practices?q={WORD}"),
        ("atom feed", "/feeds/practices.atom"),
        ("csv export", "/export/practices.csv"),
        ("jsonl export", "/export/practices.jsonl"),
        ("sitemap", "/sitemap.xml"),
        ("home", "/"),
    ]:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        shown[name] = response.status_code == 200 and (practice.slug in response.text or practice.title in response.text)
    return shown


def _review(client, practice_id: int):  # type: ignore[no-untyped-def]
    response = client.get(f"/admin/practices/{practice_id}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return soup(response)


def _act(client, practice, action: str, same_site, note: str | None = None, version: int | None = None):  # type: ignore[no-untyped-def]
    data = {"action": action, "version": str(version if version is not None else practice.version)}
    if note is not None:
        data["note"] = note
    return client.post(f"/admin/practices/{practice.id}/status", data=data, headers=same_site, follow_redirects=False)


def test_submit_approve_archive_restore_end_to_end(admin_client, submit, session, index, same_site):
    code = submit(title=f"Фестиваль {WORD} огней")
    practice = practice_by_code(session, code)
    assert practice.status == Status.pending
    assert practice.id not in index.ids()
    assert practice.id not in search_ids(index, WORD)
    assert not any(_public_surfaces(admin_client, practice).values())

    response = _act(admin_client, practice, "approve", same_site)
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/practices/{practice.id}?done=approve"
    practice = practice_by_code(session, code)
    assert practice.status == Status.published and practice.published_at is not None
    # Indexed at once: the request's commit ran the inline sync.
    assert practice.id in index.ids()
    assert practice.id in search_ids(index, WORD)
    shown = _public_surfaces(admin_client, practice)
    assert shown["card"] and shown["api card"] and shown["search page"] and shown["api list"]
    page = soup(admin_client.get(response.headers["location"]))
    assert page.find(class_="notice").get_text(strip=True) == "Практика опубликована и уже находится поиском."
    assert page.find(id="status")["data-status"] == "published"

    assert _act(admin_client, practice, "archive", same_site, note="Устарела").status_code == 303
    practice = practice_by_code(session, code)
    assert practice.status == Status.archived
    assert practice.id not in index.ids()
    assert practice.id not in search_ids(index, WORD)
    assert not any(_public_surfaces(admin_client, practice).values())

    assert _act(admin_client, practice, "restore", same_site).status_code == 303
    practice = practice_by_code(session, code)
    assert practice.status == Status.published
    assert practice.id in search_ids(index, WORD)

    # Every step is in the audit log, with who did it.
    actions = [(r.actor, r.action) for r in session.exec(
        select(AuditLog).where(AuditLog.practice_id == practice.id).order_by(AuditLog.id)
    )]
    assert [a for _, a in actions] == ["create", "submit", "approve", "archive", "restore"]
    assert actions[0][0] == "submitter:ivan@example.org"
    assert {who for who, a in actions if a in ("approve", "archive", "restore")} == {"admin:moder"}
    rows = _review(admin_client, practice.id).find("table", class_="audit").find("tbody").find_all("tr")
    assert [r.find(class_="action").get_text(strip=True) for r in rows] == [
        "возврат в публикацию", "снятие с публикации", "одобрение", "заявка получена", "создание карточки"]
    assert rows[1].find(class_="who").get_text(strip=True) == "модератор moder"
    changes = rows[1].find(class_="changes").get_text(" ", strip=True)
    assert changes == "Статус : опубликована → в архиве Комментарий модератора : Устарела"


def test_reject_needs_a_reason_and_keeps_the_practice_hidden(admin_client, submit, session, index, same_site):
    practice = practice_by_code(session, submit(title=f"Отклоняемая {WORD} практика"))
    response = _act(admin_client, practice, "reject", same_site, note="   ")
    assert response.status_code == 422
    page = soup(response)
    assert page.find(id="action-error").get_text(strip=True) == "укажите причину отклонения"
    assert practice_by_code(session, practice.tracking_code).status == Status.pending

    assert _act(admin_client, practice, "reject", same_site, note="Не муниципальная практика").status_code == 303
    practice = practice_by_code(session, practice.tracking_code)
    assert practice.status == Status.rejected
    assert practice.moderation_note == "Не муниципальная практика"
    assert practice.id not in index.ids()
    assert not any(_public_surfaces(admin_client, practice).values())
    page = _review(admin_client, practice.id)
    assert page.find(class_="moderation-note").get_text() == "Не муниципальная практика"
    done = soup(admin_client.get(f"/submit/{practice.tracking_code}"))
    assert done.find(id="status").get_text(strip=True) == "отклонена"
    # A rejected practice can be reconsidered.
    assert [f["class"][0] for f in page.find(class_="actions").find_all("form")] == ["action-approve", "action-reopen"]


def test_action_not_allowed_from_the_current_status_is_refused(admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    for action in ("archive", "restore", "nonsense"):
        response = _act(admin_client, practice, action, same_site)
        assert response.status_code == 422, action
        assert soup(response).find(id="action-error")
    assert practice_by_code(session, practice.tracking_code).status == Status.pending


def test_stale_version_is_refused_instead_of_overwriting(admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    response = _act(admin_client, practice, "approve", same_site, version=practice.version - 1)
    assert response.status_code == 409
    assert "изменили" in soup(response).find(id="action-error").get_text()
    assert practice_by_code(session, practice.tracking_code).status == Status.pending


def test_queue_lists_pending_oldest_first_with_counts(admin_client, submit, session, same_site, make_practice):
    make_practice(title="Уже опубликованная практика")
    codes = [submit(title=f"Заявка номер {i}") for i in range(3)]
    first = practice_by_code(session, codes[0])
    _act(admin_client, practice_by_code(session, codes[1]), "reject", same_site, note="Дубль")
    page = soup(admin_client.get("/admin"))
    counts = {a["data-status"]: int(a.find(class_="count").get_text()) for a in page.find(class_="status-tabs").find_all("a")}
    assert counts == {"pending": 2, "revision": 0, "published": 1, "rejected": 1, "archived": 0}
    rows = page.find("table", class_="queue").find("tbody").find_all("tr")
    assert [r.find("a").get_text() for r in rows] == ["Заявка номер 0", "Заявка номер 2"]
    assert rows[0].find("a")["href"] == f"/admin/practices/{first.id}"
    assert "Иван Петров" in rows[0].get_text()
    rejected = soup(admin_client.get("/admin?status=rejected"))
    assert [r.find("a").get_text() for r in rejected.find("table", class_="queue").find("tbody").find_all("tr")] == ["Заявка номер 1"]
    assert rejected.find("a", attrs={"aria-current": "page"})["data-status"] == "rejected"
    # Lookup by tracking number.
    found = admin_client.get(f"/admin?code={codes[2].lower()}", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].startswith("/admin/practices/")


@pytest.mark.parametrize(("query", "param"), [("status=deleted", "status"), ("page=0", "page"), ("page=x", "page"), ("page=²", "page"), ("code=DROP", "code")])
def test_queue_parameters_are_validated(admin_client, query, param):
    response = admin_client.get(f"/admin?{query}", follow_redirects=False)
    assert response.status_code == 400
    assert f"Параметр {param}" in soup(response).find("main").get_text()


def test_review_form_is_the_submission_form_prefilled(admin_client, client, submit, session):
    practice = practice_by_code(session, submit(contact_public="on"))
    page = _review(admin_client, practice.id)
    form = page.find("form", action=f"/admin/practices/{practice.id}")
    names = {el["name"] for el in form.find_all(["input", "select", "textarea"]) if el.get("name")}
    public = soup(client.get("/submit")).find("form", action="/submit")
    public_names = {el["name"] for el in public.find_all(["input", "select", "textarea"]) if el.get("name")}
    card_names = {n for n in public_names if not n.startswith("submitter.") and n != "leave_empty"}
    assert card_names <= names
    assert {"slug", "version"} <= names
    values = form_data()
    assert form.find("input", attrs={"name": "title"})["value"] == practice.title
    assert form.find("input", attrs={"name": "slug"})["value"] == practice.slug
    assert form.find("textarea", attrs={"name": "problem"}).get_text() == values["problem"]
    assert form.find("select", attrs={"name": "region"}).find("option", selected=True)["value"] == "RU-BEL"
    assert form.find("input", attrs={"name": "outcome_figures.0.value_after"})["value"] == "12"
    assert form.find("input", attrs={"name": "documents.0.url"})["value"] == "https://example.org/doc.pdf"
    assert form.find("input", attrs={"name": "contact_public"}).has_attr("checked")
    checked = {el["value"] for el in form.find_all("input", attrs={"name": "themes"}) if el.has_attr("checked")}
    assert checked == {"youth", "education"}
    # The submitter is shown to the moderator, never in the card fields.
    assert "ivan@example.org" in page.find("dl", class_="submitter").get_text()


def _edit(client, practice, same_site, **changes):  # type: ignore[no-untyped-def]
    page = soup(client.get(f"/admin/practices/{practice.id}"))
    form = page.find("form", action=f"/admin/practices/{practice.id}")
    data = form_values(form)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(f"/admin/practices/{practice.id}", data=data, headers=same_site, follow_redirects=False)


def test_editing_a_published_practice_updates_search_at_once(admin_client, submit, session, index, same_site):
    practice = practice_by_code(session, submit(title="Школьный бюджет"))
    _act(admin_client, practice, "approve", same_site)
    assert practice.id not in search_ids(index, WORD)
    response = _edit(admin_client, practice_by_code(session, practice.tracking_code), same_site,
                     title=f"Школьный {WORD} бюджет", themes=["youth", "culture"])
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/practices/{practice.id}?done=saved"
    assert practice.id in search_ids(index, WORD)
    assert index.get(practice.id)["title"] == f"Школьный {WORD} бюджет"
    assert index.get(practice.id)["themes"] == ["culture", "youth"]
    edit = session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id, AuditLog.action == "edit")).one()
    assert edit.actor == "admin:moder"
    assert edit.changes["title"] == ["Школьный бюджет", f"Школьный {WORD} бюджет"]
    row = _review(admin_client, practice.id).find("table", class_="audit").find("tbody").find("tr")
    assert row.find(class_="action").get_text(strip=True) == "правка"
    assert row.find("code", class_="old").get_text() == "Школьный бюджет"
    assert row.find("code", class_="new").get_text() == f"Школьный {WORD} бюджет"


def test_edit_errors_are_shown_with_the_values_kept(admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    response = _edit(admin_client, practice, same_site, title="x", slug="Не Латиница", themes=[])
    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, "title") == "слишком коротко: не меньше 3 символов"
    assert field_error(page, "slug")
    assert field_error(page, "themes")
    assert page.find("input", attrs={"name": "slug"})["value"] == "Не Латиница"
    assert practice_by_code(session, practice.tracking_code).title == practice.title


def test_stale_edit_is_refused(admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    response = _edit(admin_client, practice, same_site, title="Новое название", version=str(practice.version + 5))
    assert response.status_code == 409
    page = soup(response)
    assert "изменили" in page.find(id="error-summary").get_text()
    assert page.find("input", attrs={"name": "title"})["value"] == "Новое название"
    assert practice_by_code(session, practice.tracking_code).title == practice.title


def test_save_and_publish_in_one_step(admin_client, submit, session, index, same_site):
    practice = practice_by_code(session, submit(title="Черновое название"))
    response = _edit(admin_client, practice, same_site, title=f"Чистовое {WORD} название", then="approve")
    assert response.headers["location"] == f"/admin/practices/{practice.id}?done=approve"
    practice = practice_by_code(session, practice.tracking_code)
    assert practice.status == Status.published
    assert practice.id in search_ids(index, WORD)


def test_unchanged_save_says_so(admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    response = _edit(admin_client, practice, same_site)
    assert response.headers["location"].endswith("?done=unchanged")


def test_unknown_practice_is_404(admin_client):
    assert admin_client.get("/admin/practices/999999").status_code == 404
