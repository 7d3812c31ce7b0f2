"""`POST /api/v1/submissions`: propose a practice as JSON; it waits for a moderator.

Same rules as the form (SubmissionIn, the reference tables, the per-address rate limit).
Errors are problem+json naming each field: `errors: [{field, message}]`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.catalogue.practices import queries
from app.catalogue.practices.schemas import SubmissionIn
from app.catalogue.practices.service import CatalogueError, submit_practice
from app.deps import ReferenceDep, SessionDep, SettingsDep
from app.errors import naming, problem
from app.models import Status
from app.security import SUBMIT_ACTION, client_key, record_hit, retry_after


class ReadableBodyRoute(APIRoute):
    """A body FastAPI cannot even decode (not UTF-8) is a 422 naming `body`, in Russian,
    like every other error here, instead of FastAPI's bare English 400."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                raise RequestValidationError([{
                    "type": "body_unreadable", "loc": ("body",), "input": None,
                    "msg": "тело запроса не читается: нужен JSON в кодировке UTF-8",
                }]) from exc

        return route


router = APIRouter(tags=["submissions"], route_class=ReadableBodyRoute)

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


class SubmissionStatus(BaseModel):
    tracking_code: str
    status: Status
    url: str | None = None  # the public card, once published


@router.post(
    "/submissions",
    status_code=201,
    response_model=SubmissionStatus,
    responses={
        201: {"description": "Принято; ждёт модератора. Location — адрес статуса заявки."},
        403: {"description": "Запрос со страницы другого сайта (защита от CSRF)", **PROBLEM},
        413: {"description": "Тело запроса больше 1 МБ", **PROBLEM},
        422: {"description": "Ошибки в полях: errors = [{field, message}]", **PROBLEM},
        429: {"description": "Слишком много заявок с одного адреса; см. Retry-After", **PROBLEM},
    },
    summary="Предложить практику",
)
def create_submission(
    request: Request,
    body: SubmissionIn,
    session: SessionDep,
    ref: ReferenceDep,
    settings: SettingsDep,
) -> Response:
    """Принимает карточку практики и данные отправителя (отправитель никогда не публикуется).

    Статус всегда `pending`: практика не видна в поиске, API и лентах до одобрения модератором.
    """
    key = client_key(request, settings.secret_key)
    wait = retry_after(session, key, SUBMIT_ACTION, settings.submit_rate_limit, settings.submit_rate_window)
    if wait is not None:
        response = problem(429, f"Слишком много заявок с вашего адреса; повторите через {wait} с.")
        response.headers["Retry-After"] = str(wait)
        return response
    # The schema was checked by FastAPI (its errors are problem+json too, see app.errors);
    # the reference tables are checked by the service.
    try:
        practice = submit_practice(session, ref, body)
    except CatalogueError as exc:
        return _invalid(exc.errors)
    record_hit(session, key, SUBMIT_ACTION, practice.id)
    location = f"/api/v1/submissions/{practice.tracking_code}"
    return JSONResponse(
        {"tracking_code": practice.tracking_code, "status": practice.status.value},
        status_code=201,
        headers={"Location": location},
    )


def _invalid(errors: list[dict[str, str]]) -> Response:
    return problem(422, naming("Заявка не принята", errors), errors)


@router.get(
    "/submissions/{tracking_code}",
    response_model=SubmissionStatus,
    responses={404: {"description": "Нет заявки с таким номером", **PROBLEM}},
    summary="Состояние заявки",
)
def submission_status(
    tracking_code: Annotated[str, Path(max_length=20, examples=["P-1A2B3C4D"])], session: SessionDep
) -> Response:
    practice = queries.by_tracking_code(session, tracking_code)
    if practice is None:
        return problem(404, "Заявка с таким номером не найдена.")
    body: dict[str, Any] = {"tracking_code": practice.tracking_code, "status": practice.status.value}
    if practice.status == Status.published:
        body["url"] = f"/practices/{practice.slug}"
    return JSONResponse(body)
