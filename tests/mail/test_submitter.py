"""The submitter in the loop, over HTTP with mail on a loopback SMTP server: «принята» with
the tracking link, «на доработке» with the moderator's message and a private edit link that
works once, the status page, and «опубликована» with the public link."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from app.catalogue.practices.tokens import token_hash
from app.models import AuditLog, EditToken, MailMessage, Status, utcnow
from tests.smtp_server import SmtpSink, html_of, text_of
from tests.submit.helpers import HOSTILE, assert_script_free, field_error, form_data, practice_by_code, soup

EDIT_LINK = re.compile(r"http://testserver/submit/edit/([A-Za-z0-9_-]{43})")


def mail_to(smtp: SmtpSink, count: int, subject: str) -> Any:
    """The one message with `subject` once `count` messages arrived."""
    found = [m for m in smtp.wait_for(count) if m["Subject"] == subject]
    assert len(found) == 1, [m["Subject"] for m in smtp.messages]
    return found[0]


def act(client: TestClient, practice: Any, action: str, same_site: dict[str, str], note: str | None = None) -> Any:
    data = {"action": action, "version": str(practice.version), **({"note": note} if note is not None else {})}
    return client.post(f"/admin/practices/{practice.id}/status", data=data, headers=same_site, follow_redirects=False)


def revise(admin_client: TestClient, session: Any, code: str, same_site: dict[str, str], smtp: SmtpSink,
           count: int, note: str = "Добавьте цифры: сколько дворов стало светлее") -> str:
    """Return the practice for revision; the edit link's token from the mail."""
    response = act(admin_client, practice_by_code(session, code), "revise", same_site, note)
    assert response.status_code == 303, response.text[:300]
    message = mail_to(smtp, count, f"Заявка {code}: нужна доработка")
    m = EDIT_LINK.search(text_of(message))
    assert m, text_of(message)
    return m.group(1)


def test_received_mail_has_the_tracking_link_and_escapes_what_was_typed(submit, smtp):
    code = submit(title=f"Фестиваль огней {HOSTILE}")
    message = mail_to(smtp, 1, f"Заявка {code} принята")
    assert message["To"] == "ivan@example.org"
    assert f"http://testserver/submit/{code}" in text_of(message)
    assert f"«Фестиваль огней {HOSTILE}»" in text_of(message)  # plain text: as typed
    html = html_of(message)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_revision_edit_link_resubmit_and_publish(admin_client, submit, session, same_site, smtp, index):
    code = submit(title="Светлые дворы")
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    practice = practice_by_code(session, code)
    assert practice.status == Status.revision

    # The status page says what to fix and where the link went, but never shows the link.
    page = admin_client.get(f"/submit/{code}")
    status = soup(page)
    assert status.find(id="status")["data-status"] == "revision"
    assert status.find(id="moderator-message").get_text() == "Добавьте цифры: сколько дворов стало светлее"
    assert "отправили на почту" in status.find(id="edit-hint").get_text()
    assert token not in page.text and "/submit/edit/" not in page.text
    # Only a keyed hash of the token is stored.
    row = session.exec(select(EditToken).where(EditToken.practice_id == practice.id)).one()
    assert row.token_hash == token_hash("dev-insecure-secret-change-me", token) and token not in row.token_hash

    # The link opens the form, prefilled, and sends it back.
    edit = admin_client.get(f"/submit/edit/{token}")
    assert edit.status_code == 200
    assert edit.headers["referrer-policy"] == "no-referrer" and edit.headers["cache-control"] == "no-store"
    form = soup(edit).find("form", class_="practice-form")
    assert form.find("input", attrs={"name": "title"})["value"] == "Светлые дворы"
    assert soup(edit).find(id="moderator-message").get_text() == "Добавьте цифры: сколько дворов стало светлее"
    assert form.find("input", attrs={"name": "submitter.name"}) is None
    fixed = form_data(title="Светлые дворы всего района")
    response = admin_client.post(f"/submit/edit/{token}", data=fixed, headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/submit/{code}?done=resubmitted"
    practice = practice_by_code(session, code)
    assert practice.status == Status.pending and practice.title == "Светлые дворы всего района"
    assert soup(admin_client.get(response.headers["location"])).find("h1").get_text() == "Спасибо! Исправленная заявка отправлена"

    # The link worked once.
    again = admin_client.post(f"/submit/edit/{token}", data=fixed, headers=same_site)
    assert again.status_code == 404 and "недействительна" in soup(again).find("main").get_text()
    assert admin_client.get(f"/submit/edit/{token}").status_code == 404

    # The moderator sees who changed what, word by word.
    review = soup(admin_client.get(f"/admin/practices/{practice.id}"))
    rows = review.find("table", class_="audit").find("tbody").find_all("tr")
    assert [r.find(class_="action").get_text(strip=True) for r in rows[:3]] == [
        "исправлено отправителем", "правка", "возврат на доработку"]
    assert rows[1].find(class_="who").get_text(strip=True) == "отправитель ivan@example.org"
    diff = rows[1].find(class_="diff")
    assert [i.get_text() for i in diff.find_all("ins")] == [" всего района"]
    assert diff.find("del") is None

    # Published: mail with the public link.
    assert act(admin_client, practice, "approve", same_site).status_code == 303
    message = mail_to(smtp, 3, "Практика опубликована: Светлые дворы всего района")
    assert f"http://testserver/practices/{practice.slug}" in text_of(message)
    assert admin_client.get(f"/practices/{practice.slug}").status_code == 200
    with_sent = session.exec(select(MailMessage).where(MailMessage.kind == "revision")).one()
    assert "edit_url" not in with_sent.context  # the link is not kept once sent


def test_rejection_reason_on_the_status_page_and_in_the_mail(admin_client, submit, session, same_site, smtp):
    code = submit()
    smtp.wait_for(1)
    assert act(admin_client, practice_by_code(session, code), "reject", same_site, "Это не муниципальная практика").status_code == 303
    message = mail_to(smtp, 2, f"Заявка {code} отклонена")
    assert "Это не муниципальная практика" in text_of(message)
    page = soup(admin_client.get(f"/submit/{code}"))
    assert page.find(id="status").get_text() == "отклонена"
    assert page.find(id="moderator-message").get_text() == "Это не муниципальная практика"


def test_revision_needs_a_message(admin_client, submit, session, same_site):
    code = submit()
    response = act(admin_client, practice_by_code(session, code), "revise", same_site, "  ")
    assert response.status_code == 422
    assert soup(response).find(id="action-error").get_text(strip=True) == "напишите отправителю, что доработать"
    assert practice_by_code(session, code).status == Status.pending


def test_status_form_finds_a_code_and_explains_a_wrong_one(client):
    page = soup(client.get("/submit/status"))
    assert page.find("form", action="/submit/status").find("input", attrs={"name": "code"})
    missing = client.get("/submit/status", params={"code": "P-00000000"})
    assert missing.status_code == 404
    assert "не найдена" in soup(missing).find(id="error-summary").get_text()
    hostile = client.get("/submit/status", params={"code": HOSTILE})
    assert hostile.status_code == 404
    assert_script_free(soup(hostile))
    assert soup(hostile).find("input", attrs={"name": "code"})["value"] == HOSTILE
    assert client.get("/submit/status", params={"code": " "}).status_code == 422
    assert client.get("/submit/status", params={"code": "x" * 101}).status_code == 422


def test_status_form_sends_to_the_code_page(client, submit):
    code = submit()
    response = client.get("/submit/status", params={"code": f"  {code.lower()} "}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/submit/{code}"
    page = soup(client.get(f"/submit/{code}"))
    assert page.find(id="status").get_text() == "на проверке у модератора"
    assert page.find(id="submitted-at").get_text().endswith(" г.")


@pytest.mark.parametrize("token", ["x", "A" * 43, "..%2F..%2Fadmin", "%00" * 10, "Ж" * 43])
def test_an_unknown_or_malformed_edit_link_is_404(client, token, same_site):
    assert client.get(f"/submit/edit/{token}").status_code == 404
    assert client.post(f"/submit/edit/{token}", data=form_data(), headers=same_site).status_code == 404


def test_an_expired_link_or_a_decided_practice_closes_the_link(admin_client, submit, session, same_site, smtp):
    first, second = submit(), submit()
    smtp.wait_for(2)
    expired = revise(admin_client, session, first, same_site, smtp, 3)
    session.exec(update(EditToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert admin_client.get(f"/submit/edit/{expired}").status_code == 404

    decided = revise(admin_client, session, second, same_site, smtp, 4)
    assert act(admin_client, practice_by_code(session, second), "reject", same_site, "Дубль").status_code == 303
    assert admin_client.get(f"/submit/edit/{decided}").status_code == 404


def test_edit_link_form_errors_are_shown_and_the_link_stays_usable(admin_client, submit, session, same_site, smtp):
    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    response = admin_client.post(f"/submit/edit/{token}", data=form_data(title="x", themes=[HOSTILE]), headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert_script_free(page)
    assert field_error(page, "title") == "слишком коротко: не меньше 3 символов"
    assert field_error(page, "themes") == f"неизвестная тема «{HOSTILE}»"
    assert practice_by_code(session, code).status == Status.revision
    assert admin_client.get(f"/submit/edit/{token}").status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}])
def test_edit_link_post_from_another_site_is_refused_and_the_link_kept(admin_client, submit, session, same_site, smtp,
                                                                      headers):
    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    response = admin_client.post(f"/submit/edit/{token}", data=form_data(title="Чужая правка"), headers=headers)
    assert response.status_code == 403
    assert practice_by_code(session, code).status == Status.revision
    assert admin_client.get(f"/submit/edit/{token}").status_code == 200


def test_parallel_resubmits_with_one_link_only_one_goes_through(app, admin_client, submit, session, same_site, smtp):
    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def post(n: int) -> None:
        client = TestClient(app, base_url="http://testserver")
        barrier.wait(10)
        response = client.post(f"/submit/edit/{token}", data=form_data(title=f"Правка номер {n}"),
                               headers=same_site, follow_redirects=False)
        codes.append(response.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [303, 404, 404, 404]
    practice = practice_by_code(session, code)
    assert practice.status == Status.pending
    resubmits = session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id,
                                                    AuditLog.action == "resubmit")).all()
    assert len(resubmits) == 1


@pytest.mark.parametrize("body", [b"title=%FF%FE%FD+bad&region=RU-BEL", b"%%%=%%&&&==&title",
                                  b"title=\xff\xfe\x00\x01&themes=%00youth&region=RU-%00BEL"])
def test_garbage_posted_to_the_edit_link_never_crashes_and_keeps_the_link(admin_client, submit, session, same_site,
                                                                          smtp, body):
    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    response = admin_client.post(f"/submit/edit/{token}", content=body,
                                 headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422
    assert soup(response).find(id="error-summary") is not None
    assert admin_client.get(f"/submit/edit/{token}").status_code == 200


def test_a_card_changed_by_the_moderator_meanwhile_keeps_the_link(admin_client, submit, session, same_site, smtp):
    from tests.admin.test_moderation import _edit

    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)
    page = admin_client.get(f"/submit/edit/{token}")  # the submitter opens the form …
    assert page.status_code == 200
    _edit(admin_client, practice_by_code(session, code), same_site, summary="Поправил модератор")  # … the moderator edits
    # The submitter's post is checked against the card as it is now; the link still works.
    response = admin_client.post(f"/submit/edit/{token}", data=form_data(title="Правка отправителя"), headers=same_site,
                                 follow_redirects=False)
    assert response.status_code == 303
    assert practice_by_code(session, code).title == "Правка отправителя"


def test_a_refused_resubmission_does_not_spend_the_link(admin_client, submit, session, same_site, smtp, monkeypatch):
    """A race lost to a moderator's edit (StaleCard after the link was spent in the same
    transaction) commits nothing: the submitter can send again."""
    from app.catalogue.practices import service

    code = submit()
    smtp.wait_for(1)
    token = revise(admin_client, session, code, same_site, smtp, 2)

    def lost_race(*_args: Any, **_kwargs: Any) -> None:
        raise service.StaleCard()

    monkeypatch.setattr(service, "update_practice", lost_race)
    response = admin_client.post(f"/submit/edit/{token}", data=form_data(title="Правка"), headers=same_site)
    assert response.status_code == 409
    monkeypatch.undo()
    assert admin_client.get(f"/submit/edit/{token}").status_code == 200
    again = admin_client.post(f"/submit/edit/{token}", data=form_data(title="Правка"), headers=same_site,
                              follow_redirects=False)
    assert again.status_code == 303
