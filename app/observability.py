"""Structured JSON logs with a request id, and Prometheus metrics.

With several uvicorn workers, set PROMETHEUS_MULTIPROC_DIR (prometheus_client's own variable)
to a shared empty directory so `/metrics` adds up every worker; without it each worker
reports its own counts.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from contextvars import ContextVar

import orjson
from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str] = ContextVar("request_id", default="-")

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SEARCH_LATENCY = Histogram(
    "search_duration_seconds", "Search latency by engine", ["engine"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
SYNC_FAILURES = Counter("search_sync_failures_total", "Outbox rows whose sync attempt failed")
OUTBOX_PENDING = Gauge("search_outbox_pending", "Outbox rows waiting for the search index", multiprocess_mode="max")
OUTBOX_OLDEST = Gauge("search_outbox_oldest_seconds", "Age of the oldest pending outbox row", multiprocess_mode="max")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Set on the record when it is made (the access log does): a handler may format later.
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str) -> None:
    # A line names neither the caller's source line nor its thread or process: not looking them
    # up for each record (the logging manual's own advice) halves the access log's cost.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Client libraries log every HTTP call (to Meilisearch) at INFO: keep that out of the logs.
    for noisy in ("httpx", "httpcore", "meilisearch"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


access_log = logging.getLogger("app.access")


def _route(scope: Scope) -> str:
    """The matched route's template, its routers' prefix included («/api/v1/practices» and the
    page «/practices» are two routes). FastAPI matches an included router's routes without
    copying them, so their templates lack the prefix: it is the part of the path before what
    the route's own pattern matches (our prefixes have no parameters)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not template:
        return "unmatched"
    path: str = scope["path"]
    if pattern is None or pattern.match(path):
        return str(template)
    cut = path.find("/", 1)
    while cut != -1 and not pattern.match(path[cut:]):
        cut = path.find("/", cut + 1)
    return path[:cut] + template if cut != -1 else str(template)


class ObservabilityMiddleware:
    """A request id, metrics and one access-log line per request. Pure ASGI: a
    BaseHTTPMiddleware would run every request through a task group and a stream of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = Headers(scope=scope).get("x-request-id", "")[:64] or uuid.uuid4().hex
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = _route(scope)
            method, path = scope["method"], scope["path"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            access_log.info(
                "%s %s %s", method, path, status,
                extra={"method": method, "path": path, "status": status, "duration_ms": round(elapsed * 1000, 1),
                       "request_id": rid},
            )
            request_id.reset(token)


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client has no annotations here
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    app.add_middleware(ObservabilityMiddleware)
