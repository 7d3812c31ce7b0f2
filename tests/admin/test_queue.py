"""The queue: counts per status in the bar, narrowing by region, theme, dates and text, bulk
approve / reject with one reason, and what concurrent moderators get."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from app.models import AuditLog, MailMessage, Practice, Status, utcnow
from tests.submit.helpers import HOSTILE, assert_script_free, practice_by_code, soup


def titles(page: Any) -> list[str]:
    table = page.find("table", class_="queue")
    return [r.find("a").get_text() for r in table.find("tbody").find_all("tr")] if table else []


def bulk(client: TestClient, practices: list[Practice], action: str, same_site: dict[str, str], note: str = "",
         back: str = "status=pending", versions: dict[int, int] | None = None) -> Any:
    data: dict[str, Any] = {"ids": [str(p.id) for p in practices], "action": action, "note": note, "back": back}
    for p in practices:
        data[f"version.{p.id}"] = str((versions or {}).get(p.id, p.version))
    return client.post("/admin/bulk", data=data, headers=same_site, follow_redirects=False)


def test_filters_narrow_the_queue(admin_client, submit, session):
    submit(title="Народный бюджет в школах", region="RU-BEL", themes=["education"])
    submit(title="Светлые дворы", region="RU-TA", themes=["urban-environment"], summary="Фонари во ДВОРАХ")
    old = practice_by_code(session, submit(title="Старая заявка про дворы", region="RU-TA", themes=["youth"]))
    session.exec(update(Practice).where(Practice.id == old.id).values(created_at=utcnow() - timedelta(days=40)))
    session.commit()
    today = utcnow().date()

    assert titles(soup(admin_client.get("/admin"))) == ["Старая заявка про дворы", "Народный бюджет в школах", "Светлые дворы"]
    assert titles(soup(admin_client.get("/admin?region=RU-TA"))) == ["Старая заявка про дворы", "Светлые дворы"]
    assert titles(soup(admin_client.get("/admin?theme=education"))) == ["Народный бюджет в школах"]
    # Text: title or summary, any case, Cyrillic included.
    assert titles(soup(admin_client.get("/admin", params={"q": "дворах"}))) == ["Светлые дворы"]
    assert titles(soup(admin_client.get("/admin", params={"q": "ДВОР"}))) == ["Старая заявка про дворы", "Светлые дворы"]
    assert titles(soup(admin_client.get("/admin", params={"q": "50%_"}))) == []  # LIKE wildcards are literal
    recent = soup(admin_client.get("/admin", params={"from": (today - timedelta(days=7)).isoformat(), "region": "RU-TA"}))
    assert titles(recent) == ["Светлые дворы"]
    assert recent.find("select", attrs={"name": "region"}).find("option", selected=True)["value"] == "RU-TA"
    older = soup(admin_client.get("/admin", params={"to": (today - timedelta(days=30)).isoformat()}))
    assert titles(older) == ["Старая заявка про дворы"]
    assert "Под отбор ничего не подошло" in soup(admin_client.get("/admin?theme=culture")).get_text()


@pytest.mark.parametrize(("query", "param"), [
    ("region=RU-XX", "region"), ("theme=nope", "theme"), ("from=2026-13-01", "from"), ("to=вчера", "to"),
    ("from=2026-02-01&to=2026-01-01", "from"), ("q=" + "я" * 201, "q"), ("status=revision2", "status"),
])
def test_bad_filters_are_400_naming_the_parameter(admin_client, query, param):
    response = admin_client.get(f"/admin?{query}")
    assert response.status_code == 400
    assert f"Параметр {param}" in soup(response).find("main").get_text()


def test_hostile_filter_text_is_escaped(admin_client, submit):
    submit()
    page = soup(admin_client.get("/admin", params={"q": HOSTILE}))
    assert_script_free(page)
    assert page.find("input", attrs={"name": "q"})["value"] == HOSTILE


def test_counts_per_status_are_in_the_bar_of_every_page(admin_client, submit, session, same_site):
    codes = [submit() for _ in range(3)]
    first = practice_by_code(session, codes[0])
    admin_client.post(f"/admin/practices/{first.id}/status", headers=same_site,
                      data={"action": "revise", "note": "Добавьте цифры", "version": str(first.version)})
    for url in ("/admin", f"/admin/practices/{first.id}", "/admin/adoptions"):
        bar = soup(admin_client.get(url)).find(class_="admin-counts")
        counts = {a["data-nav"]: int(a.find(class_="count").get_text()) for a in bar.find_all("a")}
        assert counts == {"pending": 2, "revision": 1, "published": 0, "rejected": 0, "archived": 0, "adoptions": 0,
                          "freshness": 0}, url


def test_bulk_approve_and_reject_with_one_reason(admin_client, submit, session, same_site):
    practices = [practice_by_code(session, submit(title=f"Заявка {i}")) for i in range(4)]
    response = bulk(admin_client, practices[:2], "approve", same_site, back="status=pending&region=RU-BEL")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin?status=pending&region=RU-BEL&done=approve&n=2"
    assert soup(admin_client.get(response.headers["location"])).find(id="bulk-result").get_text() == "Опубликовано: 2."
    assert bulk(admin_client, practices[2:], "reject", same_site, note="Дубли").status_code == 303
    statuses = [practice_by_code(session, p.tracking_code) for p in practices]
    assert [p.status for p in statuses] == [Status.published] * 2 + [Status.rejected] * 2
    assert {p.moderation_note for p in statuses[2:]} == {"Дубли"}
    audit = session.exec(select(AuditLog.action).where(AuditLog.actor == "admin:moder")).all()
    assert sorted(audit) == ["approve", "approve", "reject", "reject"]
    kinds = sorted(m.kind for m in session.exec(select(MailMessage)).all() if m.kind != "received")
    assert kinds == ["published", "published", "rejected", "rejected"]
    assert admin_client.get(f"/practices/{statuses[0].slug}").status_code == 200


def test_bulk_skips_changed_or_unavailable_ones_and_names_them(admin_client, submit, session, same_site):
    a, b, c = (practice_by_code(session, submit()) for _ in range(3))
    bulk(admin_client, [c], "approve", same_site)
    response = bulk(admin_client, [a, b, c], "approve", same_site, versions={b.id: b.version - 1})
    assert response.status_code == 303
    message = soup(admin_client.get(response.headers["location"])).find(id="bulk-result").get_text()
    assert message.startswith("Опубликовано: 1. Пропущено: 2")
    assert b.tracking_code in message and c.tracking_code in message
    assert practice_by_code(session, b.tracking_code).status == Status.pending


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "reject", "ids": ["1"]}, "Укажите причину"),
    ({"action": "delete", "ids": ["1"]}, "Неизвестное действие"),
    ({"action": "approve"}, "Не выбрано"),
    ({"action": "approve", "ids": [str(i) for i in range(201)]}, "не больше 200"),
])
def test_bulk_refuses_what_it_cannot_do(admin_client, same_site, data, message):
    response = admin_client.post("/admin/bulk", data=data, headers=same_site)
    assert response.status_code == 422
    assert message in soup(response).find("main").get_text()


def test_bulk_from_another_site_or_signed_out_does_nothing(client, admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit())
    assert bulk(admin_client, [practice], "approve", {"Origin": "https://evil.example"}).status_code == 403
    admin_client.post("/admin/logout", headers=same_site)
    response = bulk(client, [practice], "approve", same_site)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert practice_by_code(session, practice.tracking_code).status == Status.pending


def test_two_moderators_act_on_one_card_at_once_one_wins(app, admin_client, submit, session, same_site):
    """The version check is the database's: both requests read version 1, one UPDATE matches."""
    practice = practice_by_code(session, submit())
    read_version = practice.version
    cookies = dict(admin_client.cookies)
    barrier = threading.Barrier(4)
    codes: list[int] = []
    requests = [("approve", None), ("reject", "Дубль"), ("revise", "Уточните"), ("approve", None)]

    def act(action: str, note: str | None) -> None:
        client = TestClient(app, base_url="http://testserver", cookies=cookies)
        data = {"action": action, "version": str(read_version), **({"note": note} if note else {})}
        barrier.wait(10)
        codes.append(client.post(f"/admin/practices/{practice.id}/status", data=data, headers=same_site,
                                 follow_redirects=False).status_code)

    threads = [threading.Thread(target=act, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [303, 409, 409, 409]
    decided = practice_by_code(session, practice.tracking_code)
    assert decided.version == read_version + 1
    changes = session.exec(select(AuditLog).where(AuditLog.practice_id == practice.id,
                                                  AuditLog.actor == "admin:moder")).all()
    assert len(changes) == 1
    mails = [m for m in session.exec(select(MailMessage)).all() if m.kind != "received"]
    assert len(mails) == 1


def test_parallel_bulk_approvals_publish_each_practice_once(app, admin_client, submit, session, same_site):
    practices = [practice_by_code(session, submit()) for _ in range(5)]
    cookies = dict(admin_client.cookies)
    barrier = threading.Barrier(3)
    done: list[str] = []

    def run() -> None:
        client = TestClient(app, base_url="http://testserver", cookies=cookies)
        barrier.wait(10)
        done.append(bulk(client, practices, "approve", same_site).headers["location"])

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(int(loc.split("&n=")[1].split("&")[0]) for loc in done) == 5
    approvals = session.exec(select(AuditLog).where(AuditLog.action == "approve")).all()
    assert sorted(a.practice_id for a in approvals) == sorted(p.id for p in practices)
