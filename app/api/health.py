"""Liveness and readiness."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.deps import SearchDep, SessionDep, SettingsDep
from app.mail.outbox import mail_status
from app.observability import OUTBOX_OLDEST, OUTBOX_PENDING, metrics_response
from app.search.sync import outbox_status
from app.settings import Settings

router = APIRouter(tags=["Эксплуатация"])


@router.get("/healthz", summary="Процесс жив")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", summary="Готовность: база и поисковый движок доступны; отставание очередей поиска и почты",
    responses={200: {"description": "Всё доступно"}, 503: {"description": "База или поисковый движок недоступны либо очередь поиска "
                                                          "ждёт дольше OUTBOX_MAX_AGE: `checks` говорит, что именно"}},
)
def readyz(request: Request, session: SessionDep, index: SearchDep, settings: SettingsDep) -> JSONResponse:
    checks: dict[str, object] = {}
    ok = True
    try:
        session.connection().execute(text("SELECT 1"))
        checks["database"] = "ok"
        lag = outbox_status(session)
        # Rows waiting longer than the setting mean the index no longer follows the database
        # (no sync worker running, or the engine refusing for a while): not ready.
        stale = lag.oldest_age > settings.outbox_max_age
        checks["outbox"] = {"pending": lag.pending, "oldest_age_seconds": round(lag.oldest_age, 1), "failing": lag.failing,
                            "max_age_seconds": settings.outbox_max_age, "stale": stale}
        ok = not stale
        mail = mail_status(session)
        checks["mail"] = {
            "transport": request.app.state.mailer.transport.name,
            "pending": mail.pending,
            "oldest_age_seconds": round(mail.oldest_age, 1),
            "failing": mail.failing,
            "failed": mail.failed,
        }
    except Exception as exc:  # report, don't crash: this endpoint exists to tell what is wrong
        ok = False
        checks["database"] = f"error: {type(exc).__name__}"
    healthy = index.health()
    checks["search"] = {"engine": settings.search_backend, "status": "ok" if healthy else "unreachable"}
    ok = ok and healthy
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


def allowed(request: Request, settings: Settings) -> None:
    """Metrics name routes and queue sizes: with METRICS_TOKEN only the scraper holding it
    reads them; without one, production hides the page (a development machine shows it)."""
    if not settings.metrics_token:
        if settings.environment == "production":
            raise HTTPException(404, "Страница не найдена.")
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode()):
        raise HTTPException(401, "Нужен токен метрик: заголовок Authorization: Bearer <METRICS_TOKEN>.",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


@router.get(
    "/metrics", summary="Метрики Prometheus", response_class=Response,
    responses={200: {"description": "Метрики в текстовом формате Prometheus", "content": {"text/plain": {"schema": {"type": "string"}}}},
               401: {"description": "Задан METRICS_TOKEN, а запрос без `Authorization: Bearer <токен>` или с другим"},
               404: {"description": "В production без METRICS_TOKEN метрики не показываются"}},
)
def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    allowed(request, settings)
    lag = outbox_status(session)
    OUTBOX_PENDING.set(lag.pending)
    OUTBOX_OLDEST.set(lag.oldest_age)
    return metrics_response()
