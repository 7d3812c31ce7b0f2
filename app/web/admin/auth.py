"""Moderators sign in and out; `CurrentAdmin` guards every other /admin page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.catalogue import moderators
from app.deps import SessionDep, SettingsDep
from app.models import AdminUser
from app.security import (
    LOGIN_FAILED,
    SESSION_COOKIE,
    LoginRequired,
    clear_session_cookie,
    client_key,
    end_session,
    end_sessions_of,
    find_session,
    open_session,
    record_hit,
    retry_after,
    set_session_cookie,
)
from app.settings import Settings
from app.web.forms import PostedPairs, minutes
from app.web.templating import render

router = APIRouter()
LOGIN_LIMIT, LOGIN_WINDOW = 10, 15 * 60


def safe_next(value: str | None) -> str:
    """Only a local path: `/admin/...`, never `//evil.example` or `https://evil.example`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/admin"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return "/admin"
    return value


def session_admin(request: Request, session: Session, settings: Settings) -> AdminUser | None:
    """The moderator of this request's session cookie (its row id kept on `request.state`)."""
    found = find_session(session, request.cookies.get(SESSION_COOKIE), settings.session_max_age,
                         settings.session_idle_timeout)
    if found is None:
        return None
    row, user = found
    request.state.admin_session_id = row.id
    return user


def current_admin(request: Request, session: SessionDep, settings: SettingsDep) -> AdminUser:
    user = session_admin(request, session, settings)
    if user is None:
        # A form posted after the session ended returns to the page, not to the POST address.
        target = request.url.path if request.method == "GET" else request.url.path.removesuffix("/status")
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise LoginRequired("/admin/login?next=" + quote(safe_next(target), safe="/"))
    return user


CurrentAdmin = Annotated[AdminUser, Depends(current_admin)]


def actor(user: AdminUser) -> str:
    return f"admin:{user.username}"


def _login_page(request: Request, next_url: str, error: str | None = None, username: str = "",
                status: int = 200) -> HTMLResponse:
    return render(request, "admin/login.html", {"next": next_url, "error": error, "username": username}, status)


@router.get("/admin/login", response_class=HTMLResponse)
def login_page(request: Request, session: SessionDep, settings: SettingsDep, next: str = "/admin") -> Response:
    if session_admin(request, session, settings) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/admin/login", response_class=HTMLResponse)
def login(request: Request, pairs: PostedPairs, session: SessionDep, settings: SettingsDep) -> Response:
    username = pairs.get("username", "")[:100]
    password = pairs.get("password", "")[:1000]
    next_url = safe_next(pairs.get("next"))
    key = client_key(request, settings.secret_key)
    wait = retry_after(session, key, LOGIN_FAILED, LOGIN_LIMIT, LOGIN_WINDOW)
    if wait is not None:
        response = _login_page(
            request, next_url, f"Слишком много неудачных попыток входа. Попробуйте через {minutes(wait)}.",
            username, status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = moderators.authenticate(session, username, password) if username.strip() and password else None
    if user is None:
        record_hit(session, key, LOGIN_FAILED)  # committed with the request, like a rehashed password
        return _login_page(request, next_url, "Неверное имя пользователя или пароль.", username, status=401)
    token = open_session(session, user, settings.session_max_age, settings.session_idle_timeout)
    redirect = RedirectResponse(next_url, status_code=303)
    set_session_cookie(redirect, request, token, settings.session_max_age)
    return redirect


@router.post("/admin/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Ends this browser's session on the server: a saved copy of the cookie opens nothing."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/admin/login", status_code=303)
    clear_session_cookie(response, request)
    return response


@router.post("/admin/logout/everywhere")
def logout_everywhere(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    """«Выйти на всех устройствах»: every session of this moderator ends, this one included."""
    assert user.id is not None
    end_sessions_of(session, user.id)
    response = RedirectResponse("/admin/login", status_code=303)
    clear_session_cookie(response, request)
    return response
