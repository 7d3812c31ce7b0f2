"""Moderators' sessions live on the server: the cookie is a random token, and a session ends
for every copy of the cookie on logout, a new password, «Выйти на всех устройствах», after
idle time and after its maximum age."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.catalogue.moderators import create_admin
from app.db import session_scope
from app.models import AdminSession, utcnow
from app.security import SESSION_COOKIE
from tests.moderation import PASSWORD
from tests.submit.helpers import soup

SAME_SITE = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


def _sign_in(app, username: str = "moder", password: str = PASSWORD) -> TestClient:  # type: ignore[no-untyped-def]
    """Another browser: its own cookie jar."""
    browser = TestClient(app, base_url="http://testserver")
    response = browser.post("/admin/login", data={"username": username, "password": password},
                            headers=SAME_SITE, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return browser


def _opens_admin(browser: TestClient) -> bool:
    response = browser.get("/admin", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def _rows(engine) -> list[AdminSession]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return list(s.exec(select(AdminSession)))


@pytest.fixture
def browsers(app, moderator) -> Iterator[list[TestClient]]:  # type: ignore[no-untyped-def]
    opened = [_sign_in(app) for _ in range(2)]
    yield opened
    for browser in opened:
        browser.close()


def test_the_cookie_is_a_random_token_stored_only_as_a_hash(admin_client, engine, moderator):
    token = admin_client.cookies[SESSION_COOKIE]
    assert moderator not in token and len(token) >= 40
    [row] = _rows(engine)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_a_cookie_saved_before_logout_no_longer_opens_admin(app, admin_client, engine):
    saved = admin_client.cookies[SESSION_COOKIE]
    response = admin_client.post("/admin/logout", headers=SAME_SITE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert _rows(engine) == []
    with TestClient(app, base_url="http://testserver", cookies={SESSION_COOKIE: saved}) as replay:
        assert not _opens_admin(replay)


def test_logout_ends_only_this_browsers_session(browsers, engine):
    first, second = browsers
    first.post("/admin/logout", headers=SAME_SITE)
    assert not _opens_admin(first)
    assert _opens_admin(second)
    assert len(_rows(engine)) == 1


def test_sign_out_everywhere_ends_every_session_of_the_moderator(app, browsers, engine):
    first, second = browsers
    create = _rows(engine)
    assert len(create) == 2
    with session_scope(engine) as s:
        create_admin(s, "другой", PASSWORD)
    other = _sign_in(app, "другой")
    page = soup(first.get("/admin"))
    assert page.find("form", attrs={"action": "/admin/logout/everywhere"}).find("button").get_text(strip=True) \
        == "Выйти на всех устройствах"
    response = first.post("/admin/logout/everywhere", headers=SAME_SITE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert not _opens_admin(first)
    assert not _opens_admin(second)
    assert _opens_admin(other)  # another moderator's sessions are theirs


def test_sign_out_everywhere_needs_a_session(client):
    response = client.post("/admin/logout/everywhere", headers=SAME_SITE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, browsers, engine):
    first, second = browsers
    new = PASSWORD + "-новый"
    response = first.post("/admin/password", headers=SAME_SITE, follow_redirects=False,
                          data={"current_password": PASSWORD, "new_password": new, "new_password_again": new})
    assert response.status_code == 303, response.text[:500]
    assert _opens_admin(first)
    assert not _opens_admin(second)
    assert len(_rows(engine)) == 1
    _sign_in(app, password=new).close()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"current_password": "не тот пароль", "new_password": "x" * 12, "new_password_again": "x" * 12},
         "current_password", "Текущий пароль: неверный."),
        ({"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
         "new_password", "Новый пароль: не короче 10 символов."),
        ({"current_password": PASSWORD, "new_password": "x" * 12, "new_password_again": "y" * 12},
         "new_password_again", "Новый пароль ещё раз: не совпадает с новым паролем."),
    ],
)
def test_a_refused_password_change_names_the_field_and_ends_nothing(browsers, fields, field, message):
    first, second = browsers
    response = first.post("/admin/password", headers=SAME_SITE, data=fields)
    assert response.status_code == 422
    summary = soup(response).find(id="error-summary")
    assert summary.find("a", href=f"#{field}").get_text(strip=True) == message
    assert _opens_admin(first) and _opens_admin(second)


def test_a_password_set_from_the_command_line_ends_every_session(browsers, engine, moderator):
    with session_scope(engine) as s:
        create_admin(s, moderator, PASSWORD + "-новый")
    assert not any(_opens_admin(b) for b in browsers)
    assert _rows(engine) == []


def _age(engine, **back: timedelta) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        for row in s.exec(select(AdminSession)):
            for name, delta in back.items():
                setattr(row, name, getattr(row, name) - delta)
            s.add(row)


def test_a_session_ends_after_idle_time(admin_client, engine, settings):
    _age(engine, last_seen_at=timedelta(seconds=settings.session_idle_timeout - 120))
    assert _opens_admin(admin_client)  # a request in time moves the idle clock
    [row] = _rows(engine)
    assert utcnow() - row.last_seen_at < timedelta(seconds=120)
    _age(engine, last_seen_at=timedelta(seconds=settings.session_idle_timeout + 1))
    assert not _opens_admin(admin_client)


def test_a_busy_session_still_ends_at_its_maximum_age(admin_client, engine, settings):
    _age(engine, created_at=timedelta(seconds=settings.session_max_age + 1))
    assert not _opens_admin(admin_client)


def test_ended_sessions_are_removed_at_the_next_sign_in(app, admin_client, engine, settings):
    _age(engine, created_at=timedelta(seconds=settings.session_max_age + 1))
    _sign_in(app).close()
    assert len(_rows(engine)) == 1


def test_parallel_sign_ins_and_a_sign_out_everywhere(app, moderator, engine):
    """Eight browsers sign in at once: eight sessions. Then one signs out everywhere while the
    others keep loading pages: afterwards none of them opens /admin, and nothing failed."""
    with ThreadPoolExecutor(8) as pool:
        opened = list(pool.map(lambda _: _sign_in(app), range(8)))
    assert len({b.cookies[SESSION_COOKIE] for b in opened}) == 8
    assert len(_rows(engine)) == 8

    def load(browser: TestClient) -> int:
        return browser.get("/admin", follow_redirects=False).status_code

    with ThreadPoolExecutor(8) as pool:
        loads = [pool.submit(load, b) for b in opened[1:] for _ in range(3)]
        everywhere = opened[0].post("/admin/logout/everywhere", headers=SAME_SITE, follow_redirects=False)
        statuses = {f.result() for f in loads}
    assert everywhere.status_code == 303
    assert statuses <= {200, 303}
    assert not any(_opens_admin(b) for b in opened)
    assert _rows(engine) == []
    for browser in opened:
        browser.close()
