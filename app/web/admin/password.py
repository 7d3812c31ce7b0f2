"""A moderator changes their own password (/admin/password). Every other session of theirs
ends with the old password; the browser that changed it stays signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.catalogue import moderators
from app.deps import SessionDep
from app.web.admin.auth import CurrentAdmin
from app.web.forms import PostedPairs
from app.web.templating import render

router = APIRouter()


def _page(request: Request, errors: dict[str, str] | None = None, done: bool = False, status: int = 200) -> HTMLResponse:
    return render(request, "admin/password.html",
                  {"errors": errors or {}, "done": done, "min_length": moderators.MIN_PASSWORD}, status)


@router.get("/admin/password", response_class=HTMLResponse)
def password_page(request: Request, _user: CurrentAdmin, done: bool = False) -> Response:
    return _page(request, done=done)


@router.post("/admin/password", response_class=HTMLResponse)
def change_password(request: Request, pairs: PostedPairs, session: SessionDep, user: CurrentAdmin) -> Response:
    current = pairs.get("current_password", "")[:1000]
    new = pairs.get("new_password", "")[:1000]
    errors: dict[str, str] = {}
    if moderators.authenticate(session, user.username, current) is None:
        errors["current_password"] = "Текущий пароль: неверный."
    if len(new) < moderators.MIN_PASSWORD:
        errors["new_password"] = f"Новый пароль: не короче {moderators.MIN_PASSWORD} символов."
    elif new != pairs.get("new_password_again", ""):
        errors["new_password_again"] = "Новый пароль ещё раз: не совпадает с новым паролем."
    if errors:
        return _page(request, errors, status=422)
    moderators.set_password(session, user, new, keep_session=getattr(request.state, "admin_session_id", None))
    return RedirectResponse("/admin/password?done=true", status_code=303)
