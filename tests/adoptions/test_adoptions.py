"""«Мы внедрили эту практику»: the form on the card, moderation, the card and the open data
(API card, /adoptions, the change feed, Atom, CSV), the mail to the practice's contact, and
what hostile or concurrent input does to it."""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Adoption, AdoptionStatus, AuditLog, ChangeLog, MailMessage, Outbox
from tests.submit.helpers import HOSTILE, assert_script_free, field_error, soup


def adoption_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "municipality": "Старооскольский городской округ",
        "region": "RU-BEL",
        "municipality_type": "urban-okrug",
        "year": "2024",
        "what_changed": "Провели такие же встречи школьников с депутатами; три проекта вошли в бюджет",
        "outcome_figures.0.indicator": "Проектов школьников",
        "outcome_figures.0.value_before": "0",
        "outcome_figures.0.value_after": "3",
        "contact.name": "Пётр Сидоров",
        "contact.email": "petr@example.org",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def practice(make_practice):  # type: ignore[no-untyped-def]
    return make_practice(title="Школа активного гражданина", contact={"email": "author@example.org"})


def report(client: TestClient, practice: Any, same_site: dict[str, str], **overrides: Any) -> Any:
    return client.post(f"/practices/{practice.slug}/adoptions", data=adoption_form(**overrides), headers=same_site,
                       follow_redirects=False)


def decide(client: TestClient, adoption_id: int, action: str, same_site: dict[str, str], note: str = "") -> Any:
    return client.post(f"/admin/adoptions/{adoption_id}", data={"action": action, "note": note}, headers=same_site,
                       follow_redirects=False)


def only_adoption(session: Any) -> Adoption:
    session.expire_all()
    return session.exec(select(Adoption)).one()


def test_report_waits_for_a_moderator_then_shows_everywhere(admin_client, practice, session, same_site, index):
    response = report(admin_client, practice, same_site)
    assert response.status_code == 303
    assert response.headers["location"] == f"/practices/{practice.slug}?adoption=sent#adoptions"
    page = soup(admin_client.get(response.headers["location"]))
    assert "отправлено модератору" in page.find(id="adoption-sent").get_text()
    assert page.find(id="adoption-count").get_text(strip=True) == "Пока никто не сообщил, что внедрил эту практику."
    assert admin_client.get(f"/api/v1/practices/{practice.id}").json()["adoptions"] == []
    adoption = only_adoption(session)
    assert adoption.status == AdoptionStatus.pending and adoption.contact_email == "petr@example.org"

    queue = soup(admin_client.get("/admin/adoptions"))
    assert queue.find("a", attrs={"data-nav": "adoptions"}).find(class_="count").get_text() == "1"
    assert "petr@example.org" in queue.find("article", class_="adoption-report").get_text()
    seq_before = session.exec(select(ChangeLog.seq).order_by(ChangeLog.seq.desc())).first()  # type: ignore[union-attr]
    version_before = practice.version

    assert decide(admin_client, adoption.id, "approve", same_site).status_code == 303
    adoption = only_adoption(session)
    assert adoption.status == AdoptionStatus.approved and adoption.moderated_at is not None

    card = soup(admin_client.get(f"/practices/{practice.slug}"))
    assert card.find(id="adoption-count").get_text(strip=True) == "Внедрена ещё в 1 муниципалитете"
    item = card.find("li", class_="adoption")
    assert "Старооскольский городской округ" in item.get_text() and "Белгородская область" in item.get_text()
    assert "petr@example.org" not in card.get_text()  # the reporter's contact is never public

    api = admin_client.get(f"/api/v1/practices/{practice.id}").json()
    assert [a["municipality"] for a in api["adoptions"]] == ["Старооскольский городской округ"]
    assert api["adoptions"][0]["region"] == {"code": "RU-BEL", "name": "Белгородская область"}
    assert api["adoptions"][0]["outcome_figures"] == [
        {"indicator": "Проектов школьников", "value_before": 0.0, "value_after": 3.0, "unit": None, "period": None}]
    assert "contact" not in api["adoptions"][0]
    listed = admin_client.get(f"/api/v1/practices/{practice.slug}/adoptions").json()
    assert listed["total"] == 1 and listed["items"] == api["adoptions"]

    # The change feed carries it: the practice's version went up and a change was logged.
    changes = admin_client.get("/api/v1/changes", params={"since": seq_before or 0}).json()["changes"]
    assert [c["id"] for c in changes] == [practice.id]
    assert changes[0]["practice"]["adoptions"] == api["adoptions"]
    outbox = session.exec(select(Outbox).where(Outbox.practice_id == practice.id).order_by(Outbox.id.desc())).first()  # type: ignore[union-attr]
    assert outbox is not None and outbox.version == version_before + 1

    feed = feedparser.parse(admin_client.get("/feeds/practices.atom").content)
    [entry] = [e for e in feed.entries if e.title == practice.title]
    assert "Внедрена ещё в 1 муниципалитете" in entry.content[0].value

    rows = list(csv.DictReader(io.StringIO(admin_client.get("/export/practices.csv").content.decode("utf-8-sig"))))
    [row] = [r for r in rows if r["id"] == str(practice.id)]
    assert row["adoptions"] == "Старооскольский городской округ (Белгородская область, 2024)"

    # The practice's contact hears of it (through the mail outbox).
    mail = session.exec(select(MailMessage).where(MailMessage.kind == "adopted")).one()
    assert mail.recipient == "author@example.org" and mail.context["municipality"] == "Старооскольский городской округ"
    actions = [a.action for a in session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id))]
    assert "adoption_report" in actions and "adoption_approve" in actions


def test_rejected_report_needs_a_reason_and_never_shows(admin_client, practice, session, same_site):
    report(admin_client, practice, same_site)
    adoption = only_adoption(session)
    response = decide(admin_client, adoption.id, "reject", same_site)
    assert response.status_code == 422
    assert "укажите причину" in soup(response).find(id="action-error").get_text()
    assert decide(admin_client, adoption.id, "reject", same_site, "Не внедрение, а проект").status_code == 303
    assert only_adoption(session).status == AdoptionStatus.rejected
    assert admin_client.get(f"/api/v1/practices/{practice.id}/adoptions").json() == {"items": [], "total": 0}
    # Decided once: a second decision is refused.
    again = decide(admin_client, adoption.id, "approve", same_site)
    assert again.status_code == 422 and "уже рассмотрено" in soup(again).find(id="action-error").get_text()


def test_count_is_plural_in_russian(admin_client, practice, session, same_site):
    for name in ("Первый округ", "Второй округ", "Третий округ"):
        report(admin_client, practice, same_site, municipality=name)
    for adoption in session.exec(select(Adoption)).all():
        assert decide(admin_client, adoption.id, "approve", same_site).status_code == 303
    card = soup(admin_client.get(f"/practices/{practice.slug}"))
    assert card.find(id="adoption-count").get_text(strip=True) == "Внедрена ещё в 3 муниципалитетах"
    assert len(card.find_all("li", class_="adoption")) == 3


def test_form_errors_name_each_field_and_keep_what_was_typed(client, practice, session, same_site):
    response = report(client, practice, same_site, municipality=HOSTILE, region="RU-XXX", what_changed="мало",
                      **{"contact.email": "нет", "contact.name": None, "outcome_figures.0.value_after": "много"})
    assert response.status_code == 422
    page = soup(response)
    assert_script_free(page)
    assert page.find(id="adoption-form").has_attr("open")
    assert field_error(page, "region") == "неизвестный регион «RU-XXX»"
    assert field_error(page, "what_changed") == "слишком коротко: не меньше 10 символов"
    assert field_error(page, "contact.email") == "неверный адрес электронной почты"
    assert field_error(page, "contact.name") == "обязательное поле"
    assert field_error(page, "outcome_figures.0.value_after") == "нужно число"
    assert page.find("input", attrs={"name": "municipality"})["value"] == HOSTILE
    assert session.exec(select(Adoption)).all() == []


def test_markup_is_stored_as_typed_and_escaped_on_the_card(admin_client, practice, session, same_site):
    report(admin_client, practice, same_site, municipality=f"Округ {HOSTILE}", what_changed=f"Сделали {HOSTILE}")
    decide(admin_client, only_adoption(session).id, "approve", same_site)
    card = admin_client.get(f"/practices/{practice.slug}")
    assert_script_free(soup(card))
    assert f"Округ {HOSTILE}" in soup(card).find("li", class_="adoption").get_text()
    assert_script_free(soup(admin_client.get("/admin/adoptions?status=approved")))


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null"}])
def test_a_report_posted_from_another_site_is_refused(client, practice, session, headers):
    response = client.post(f"/practices/{practice.slug}/adoptions", data=adoption_form(), headers=headers)
    assert response.status_code == 403
    assert session.exec(select(Adoption)).all() == []


def test_moderation_of_adoptions_needs_sign_in_and_same_site(client, admin_client, practice, session, same_site):
    report(admin_client, practice, same_site)
    adoption = only_adoption(session)
    cross = admin_client.post(f"/admin/adoptions/{adoption.id}", data={"action": "approve"},
                              headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    admin_client.post("/admin/logout", headers=same_site)
    anonymous = client.post(f"/admin/adoptions/{adoption.id}", data={"action": "approve"}, headers=same_site,
                            follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/admin/login")
    assert only_adoption(session).status == AdoptionStatus.pending


def test_honeypot_and_unpublished_practices(client, make_practice, same_site, session):
    hidden = make_practice(status="pending")
    assert client.post(f"/practices/{hidden.slug}/adoptions", data=adoption_form(), headers=same_site).status_code == 404
    shown = make_practice()
    trapped = client.post(f"/practices/{shown.slug}/adoptions", data=adoption_form(leave_empty="spam"), headers=same_site)
    assert trapped.status_code == 422
    assert session.exec(select(Adoption)).all() == []
    assert client.get(f"/api/v1/practices/{hidden.id}/adoptions").status_code == 404


def test_parallel_approvals_of_different_reports_count_every_one_and_bump_the_version_each_time(
    app, admin_client, practice, session, same_site
):
    for i in range(4):
        report(admin_client, practice, same_site, municipality=f"Округ номер {i}")
    ids = [a.id for a in session.exec(select(Adoption)).all()]
    cookies = dict(admin_client.cookies)
    barrier = threading.Barrier(len(ids) + 1)
    codes: list[int] = []

    def approve(adoption_id: int) -> None:
        client = TestClient(app, base_url="http://testserver", cookies=cookies)
        barrier.wait(10)
        codes.append(decide(client, adoption_id, "approve", same_site).status_code)

    def approve_first_again() -> None:  # two moderators decide the same report at once
        client = TestClient(app, base_url="http://testserver", cookies=cookies)
        barrier.wait(10)
        codes.append(decide(client, ids[0], "approve", same_site).status_code)

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids] + [threading.Thread(target=approve_first_again)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [303] * len(ids) + [422]
    api = admin_client.get(f"/api/v1/practices/{practice.id}/adoptions").json()
    assert api["total"] == len(ids)
    session.expire_all()
    versions = sorted(o.version for o in session.exec(select(Outbox).where(Outbox.practice_id == practice.id)))
    assert versions[-len(ids):] == [practice.version + k for k in range(1, len(ids) + 1)]


@pytest.mark.parametrize(
    "body",
    [
        b"municipality=%FF%FE%FD+bad&region=RU-BEL",
        "municipality=Округ".encode("cp1251") + b"&region=RU-BEL",
        b"municipality=\xff\xfe\x00\x01&region=RU-%00BEL&contact.name=%C3%28",
        b"%%%=%%&&&==&municipality",
    ],
)
def test_invalid_utf8_or_garbage_in_the_body_never_crashes(client, practice, session, same_site, body):
    response = client.post(f"/practices/{practice.slug}/adoptions", content=body,
                           headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422
    assert soup(response).find(id="error-summary") is not None
    assert session.exec(select(Adoption)).all() == []


def test_huge_body_is_413(client, practice, session, same_site):
    from app.security import MAX_BODY_BYTES

    response = client.post(f"/practices/{practice.slug}/adoptions", headers=same_site,
                           data=adoption_form(what_changed="я" * (MAX_BODY_BYTES // 2)))
    assert response.status_code == 413
    assert session.exec(select(Adoption)).all() == []
