"""/admin/freshness: published cards not checked against their sources for two years, and the
one-click «Проверено» (audit log, outbox, change feed; parallel clicks are one check)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.catalogue.practices.freshness import months_before, stale_since
from app.models import AuditLog, ChangeLog, Outbox, Practice, utcnow
from app.web.admin import freshness as page_module
from tests.moderation import PASSWORD
from tests.submit.helpers import soup

URL = "/admin/freshness"


def today() -> date:
    return utcnow().date()


def listed(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.select_one("td a")["href"].removeprefix("/admin/practices/") for row in page.select("table.freshness tbody tr")]


def click(client: TestClient, practice_id: int, same_site: dict[str, str], page: int = 1):  # type: ignore[no-untyped-def]
    return client.post(URL, data={"id": str(practice_id), "page": str(page)}, headers=same_site, follow_redirects=False)


def fresh(session: Session, practice_id: int) -> Practice:
    session.expire_all()
    practice = session.get(Practice, practice_id)
    assert practice is not None
    return practice


@pytest.fixture
def cards(make_practice) -> dict[str, Practice]:  # type: ignore[no-untyped-def]
    """Due: never verified, verified long ago, verified a day before the limit. Not due: verified
    on the limit's day, verified recently, never verified but not published."""
    limit = stale_since(today())
    return {
        "long-ago": make_practice(slug="long-ago", verified_at=(limit - timedelta(days=400)).isoformat(),
                                  source_url="https://example.ru/long-ago"),
        "never": make_practice(slug="never"),
        "day-before": make_practice(slug="day-before", verified_at=(limit - timedelta(days=1)).isoformat()),
        "on-the-day": make_practice(slug="on-the-day", verified_at=limit.isoformat()),
        "recent": make_practice(slug="recent", verified_at=today().isoformat()),
        "pending": make_practice(slug="pending", status="pending"),
    }


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(date(2026, 11, 27), 24) == date(2024, 11, 27)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert months_before(date(2028, 2, 29), 24) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert stale_since(date(2026, 11, 27)) == date(2024, 11, 27)


def test_lists_due_cards_longest_unchecked_first_with_source_and_button(admin_client, cards):
    page = soup(admin_client.get(URL))
    ids = {str(p.id): slug for slug, p in cards.items()}
    assert [ids[i] for i in listed(page)] == ["never", "long-ago", "day-before"]
    assert page.h1.get_text() == "Давно не проверялись"
    row = page.select_one(f'tr[data-id="{cards["long-ago"].id}"]')
    assert row.select_one("td.source a")["href"] == "https://example.ru/long-ago"
    form = row.select_one("form.action-verify")
    assert form["method"] == "post" and form["action"] == URL
    assert form.select_one("input[name=id]")["value"] == str(cards["long-ago"].id)
    assert form.button.get_text() == "Проверено"
    assert page.select_one(f'tr[data-id="{cards["never"].id}"] td.source').get_text(strip=True) == "не указан"
    # In the moderators' bar on every page, with its count.
    for url in (URL, "/admin"):
        link = soup(admin_client.get(url)).select_one('.admin-counts a[data-nav="freshness"]')
        assert link["href"] == URL and link.select_one(".count").get_text() == "3"


def test_proveren_sets_today_and_is_seen_by_audit_api_changes_and_search(admin_client, client, cards, session,
                                                                          index, same_site):
    practice = cards["long-ago"]
    before = fresh(session, practice.id)
    version, verified = before.version, before.verified_at
    assert verified is not None
    last_seq = session.exec(select(ChangeLog.seq).order_by(col(ChangeLog.seq).desc())).first()
    response = click(admin_client, practice.id, same_site)
    assert response.status_code == 303 and response.headers["location"] == f"{URL}?page=1&done=verified"
    page = soup(admin_client.get(response.headers["location"]))
    assert page.select_one("#freshness-done").get_text() == "Отмечено: сведения проверены сегодня."
    assert str(practice.id) not in listed(page)
    after = fresh(session, practice.id)
    assert after.verified_at == today() and after.version == version + 1
    audit = session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id, AuditLog.action == "verify")).one()
    assert audit.actor == "admin:moder"
    assert audit.changes == {"verified_at": [verified.isoformat(), today().isoformat()]}
    # The API card, the change feed and the search index follow.
    assert client.get(f"/api/v1/practices/{practice.slug}").json()["verified_at"] == today().isoformat()
    changes = client.get("/api/v1/changes", params={"since": str(last_seq)}).json()["changes"]
    assert [(c["id"], c["practice"]["verified_at"]) for c in changes] == [(practice.id, today().isoformat())]
    assert index.get(practice.id)["version"] == after.version
    assert not session.exec(select(Outbox).where(col(Outbox.done_at).is_(None))).all()
    # The public card says so, and the review page's log names the action.
    assert soup(client.get(f"/practices/{practice.slug}")).select_one(".verified").get_text(" ", strip=True).startswith(
        "Сведения проверены")
    log = soup(admin_client.get(f"/admin/practices/{practice.id}")).select_one("table.audit tbody tr")
    assert log.find(class_="action").get_text(strip=True) == "сведения сверены с источником"


def test_parallel_clicks_on_one_card_are_one_check(app, admin_client, cards, session, same_site):
    practice = cards["never"]
    version = fresh(session, practice.id).version
    cookies = dict(admin_client.cookies)
    barrier = threading.Barrier(4)
    answers: list[str] = []

    def run() -> None:
        client = TestClient(app, base_url="http://testserver", cookies=cookies)
        barrier.wait(10)
        response = click(client, practice.id, same_site)
        answers.append(f"{response.status_code} {response.headers.get('location')}")

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == [f"303 {URL}?page=1&done=already"] * 3 + [f"303 {URL}?page=1&done=verified"]
    after = fresh(session, practice.id)
    assert after.verified_at == today() and after.version == version + 1
    assert len(session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id,
                                                   AuditLog.action == "verify")).all()) == 1
    assert len(session.exec(select(Outbox).where(Outbox.practice_id == practice.id,
                                                 Outbox.version == version + 1)).all()) == 1
    assert len(session.exec(select(ChangeLog).where(ChangeLog.practice_id == practice.id)).all()) == 2  # create, verify


def test_a_second_click_changes_nothing(admin_client, cards, session, same_site):
    practice = cards["day-before"]
    assert click(admin_client, practice.id, same_site).headers["location"].endswith("done=verified")
    version = fresh(session, practice.id).version
    response = click(admin_client, practice.id, same_site, page=3)
    assert response.headers["location"] == f"{URL}?page=3&done=already"
    assert fresh(session, practice.id).version == version
    page = soup(admin_client.get(response.headers["location"]))
    assert page.select_one("#freshness-done").get_text() == "Эту карточку уже отметили проверенной сегодня."


def test_pages_in_order(admin_client, cards, monkeypatch):
    monkeypatch.setattr(page_module, "PER_PAGE", 2)
    first = soup(admin_client.get(URL))
    second = soup(admin_client.get(first.select_one("nav.pager a[rel=next]")["href"]))
    assert listed(first) + listed(second) == [str(cards[s].id) for s in ("never", "long-ago", "day-before")]
    assert second.select_one("nav.pager span").get_text() == "Страница 2 из 2"
    assert second.select_one("form.action-verify input[name=page]")["value"] == "2"


def test_refusals(admin_client, client, cards, session, same_site):
    practice = cards["never"]
    version = fresh(session, practice.id).version
    # Another site's form (CSRF), an unpublished or unknown card, a bad page number.
    assert click(admin_client, practice.id, {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert click(admin_client, cards["pending"].id, same_site).status_code == 404
    assert click(admin_client, 10**9, same_site).status_code == 404
    bad = admin_client.post(URL, data={"id": str(practice.id), "page": "два"}, headers=same_site, follow_redirects=False)
    assert bad.status_code == 400 and "page" in bad.text
    for wrong in ({"page": "1"}, {"id": "x", "page": "1"}):
        answer = admin_client.post(URL, data=wrong, headers=same_site, follow_redirects=False)
        assert answer.status_code == 400 and "id" in answer.text
    assert admin_client.get(URL, params={"page": "0"}).status_code == 400
    assert fresh(session, practice.id).version == version and fresh(session, practice.id).verified_at is None
    # Signed out: the login page, nothing changed.
    admin_client.post("/admin/logout", headers=same_site)
    response = click(admin_client, practice.id, same_site)
    assert response.status_code in (303, 307) and "/admin/login" in response.headers["location"]
    assert fresh(session, practice.id).verified_at is None
    # Signed in again, the moderator lands on the list (not on the POST's address).
    login = admin_client.post("/admin/login", data={"username": "moder", "password": PASSWORD,
                                                    "next": response.headers["location"].split("next=")[1]},
                              headers=same_site, follow_redirects=True)
    assert login.status_code == 200 and login.url.path == URL
    assert str(practice.id) in listed(soup(login))


def test_nothing_due(admin_client, make_practice):
    make_practice(slug="checked", verified_at=today().isoformat())
    page = soup(admin_client.get(URL))
    assert not page.select("table.freshness") and page.select_one("p.empty").get_text().startswith("Все опубликованные")
