"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.deps import SearchDep, SessionDep, SettingsDep
from app.mail.outbox import mail_status
from app.observability import OUTBOX_OLDEST, OUTBOX_PENDING, metrics_response
from app.search.sync import outbox_status

router = APIRouter(tags=["Эксплуатация"])


@router.get("/healthz", summary="Процесс жив")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", summary="Готовность: база и поисковый движок доступны; отставание очередей поиска и почты",
    responses={200: {"description": "Всё доступно"}, 503: {"description": "База или поисковый движок недоступны: "
                                                          "`checks` говорит, что именно"}},
)
def readyz(request: Request, session: SessionDep, index: SearchDep, settings: SettingsDep) -> JSONResponse:
    checks: dict[str, object] = {}
    ok = True
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        checks["database"] = "ok"
        lag = outbox_status(session)
        checks["outbox"] = {"pending": lag.pending, "oldest_age_seconds": round(lag.oldest_age, 1), "failing": lag.failing}
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


@router.get(
    "/metrics", summary="Метрики Prometheus", response_class=Response,
    responses={200: {"description": "Метрики в текстовом формате Prometheus", "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(session: SessionDep) -> Response:
    lag = outbox_status(session)
    OUTBOX_PENDING.set(lag.pending)
    OUTBOX_OLDEST.set(lag.oldest_age)
    return metrics_response()
