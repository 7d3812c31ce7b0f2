"""Moderator sign-in: Argon2 passwords, HttpOnly SameSite=Lax session cookies, local `next` only
(the sessions themselves: test_sessions.py)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from app.catalogue.moderators import create_admin
from app.db import session_scope
from app.security import SESSION_COOKIE
from tests.moderation import PASSWORD
from tests.submit.helpers import soup


def _cookie(response) -> SimpleCookie:  # type: ignore[no-untyped-def]
    jar: SimpleCookie = SimpleCookie()
    jar.load(response.headers["set-cookie"])
    return jar


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin", "/admin/login?next=/admin"),
        ("/admin?status=rejected&page=2", "/admin/login?next=/admin%3Fstatus%3Drejected%26page%3D2"),
        ("/admin/practices/7", "/admin/login?next=/admin/practices/7"),
    ],
)
def test_admin_pages_need_sign_in(client, path, expected):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == expected
    assert response.headers["cache-control"] == "no-store"


def test_posting_an_action_without_a_session_changes_nothing(client, submit, same_site, session):
    code = submit()
    from tests.submit.helpers import practice_by_code

    practice = practice_by_code(session, code)
    response = client.post(f"/admin/practices/{practice.id}/status", data={"action": "approve", "version": "1"},
                           headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/login?next=/admin/practices/{practice.id}"
    assert practice_by_code(session, code).status.value == "pending"


def test_sign_in_sets_a_safe_cookie_and_returns_to_next(client, moderator, same_site):
    page = soup(client.get("/admin/login?next=/admin/practices/3"))
    assert page.find("input", attrs={"name": "next"})["value"] == "/admin/practices/3"
    response = client.post("/admin/login", data={"username": moderator, "password": PASSWORD, "next": "/admin/practices/3"},
                           headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/practices/3"
    morsel = _cookie(response)[SESSION_COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert not morsel["secure"]  # plain HTTP in tests
    assert morsel["path"] == "/"
    assert client.get("/admin").status_code == 200


@pytest.mark.parametrize("base_url,headers", [("https://testserver", {}), ("http://testserver", {"X-Forwarded-Proto": "https"})])
def test_cookie_is_secure_over_https_or_behind_a_tls_proxy(app, moderator, base_url, headers):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url=base_url) as c:
        response = c.post("/admin/login", data={"username": moderator, "password": PASSWORD},
                          headers=headers | {"Origin": base_url}, follow_redirects=False)
    assert response.status_code == 303
    assert _cookie(response)[SESSION_COOKIE]["secure"] is True


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "admin"])
def test_only_local_next_is_followed(client, moderator, same_site, target):
    page = soup(client.get("/admin/login", params={"next": target}, follow_redirects=False))
    assert page.find("input", attrs={"name": "next"})["value"] == "/admin"
    response = client.post("/admin/login", data={"username": moderator, "password": PASSWORD, "next": target},
                           headers=same_site, follow_redirects=False)
    assert response.headers["location"] == "/admin"
    # Signed in already: the login page sends a foreign `next` home as well.
    again = client.get("/admin/login", params={"next": target}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/admin"


def test_wrong_password_or_unknown_user_is_refused_with_one_message(client, moderator, same_site):
    for username, password in ((moderator, "не тот пароль"), ("nobody", PASSWORD), ("", "")):
        response = client.post("/admin/login", data={"username": username, "password": password}, headers=same_site)
        assert response.status_code == 401
        page = soup(response)
        assert page.find(id="error-summary").get_text(strip=True) == "Неверное имя пользователя или пароль."
        assert "set-cookie" not in response.headers
        assert page.find("input", attrs={"name": "username"})["value"] == username
        assert page.find("input", attrs={"name": "password"}).get("value") is None
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_repeated_failures_from_one_address_are_rate_limited(client, moderator, same_site):
    for _ in range(10):
        assert client.post("/admin/login", data={"username": moderator, "password": "x" * 12}, headers=same_site).status_code == 401
    response = client.post("/admin/login", data={"username": moderator, "password": PASSWORD}, headers=same_site,
                           follow_redirects=False)
    assert response.status_code == 429  # even the right password waits
    assert 0 < int(response.headers["retry-after"]) <= 900
    assert "Слишком много неудачных попыток" in soup(response).find(id="error-summary").get_text()


def test_cookies_that_name_no_session_are_ignored(client, moderator):
    # The old signed-cookie format, a made-up token, rubbish and an oversized value.
    cases = ["eyJ1IjogIm1vZGVyIiwgImlhdCI6IDE3MDAwMDAwMDB9.c2lnbmF0dXJl", "x" * 43, "garbage", "a" * 5000]
    for value in cases:
        client.cookies.set(SESSION_COOKIE, value)
        assert client.get("/admin", follow_redirects=False).status_code == 303, value


def test_a_new_password_ends_old_sessions(admin_client, engine, moderator):
    assert admin_client.get("/admin", follow_redirects=False).status_code == 200
    with session_scope(engine) as session:
        create_admin(session, moderator, PASSWORD + "-новый")
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303


def test_sign_out_clears_the_cookie(admin_client, same_site):
    response = admin_client.post("/admin/logout", headers=same_site, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert _cookie(response)[SESSION_COOKIE]["max-age"] == "0"
    assert admin_client.get("/admin", follow_redirects=False).status_code == 303


def test_cross_site_sign_in_is_refused(client, moderator):
    response = client.post("/admin/login", data={"username": moderator, "password": PASSWORD},
                           headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_admin_pages_are_never_cached(admin_client, client):
    for path in ("/admin", "/admin/login"):
        assert admin_client.get(path, follow_redirects=False).headers["cache-control"] == "no-store"
