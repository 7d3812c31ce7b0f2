"""Every request gets an id (echoed, or made), a line in the access log and its count in the
metrics, refused ones included."""

from __future__ import annotations

import json
import logging

import pytest

from app.observability import REQUESTS, JsonFormatter


def test_the_request_id_is_echoed_or_made(client) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]


def test_each_request_is_logged_and_counted_by_route(client, caplog: pytest.LogCaptureFixture) -> None:
    before = REQUESTS.labels("GET", "/api/v1/practices/{key}", "404")._value.get()
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.get("/api/v1/practices/no-such-practice", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 404
    assert REQUESTS.labels("GET", "/api/v1/practices/{key}", "404")._value.get() == before + 1
    line = next(r for r in caplog.records if r.name == "app.access")
    assert (line.method, line.path, line.status) == ("GET", "/api/v1/practices/no-such-practice", 404)
    assert line.duration_ms >= 0
    entry = json.loads(JsonFormatter().format(line))  # one JSON object a line, UTF-8 as it is
    assert entry["request_id"] == "req-42" and entry["status"] == 404 and entry["logger"] == "app.access"


def test_a_route_is_counted_with_its_routers_prefix(client) -> None:
    """The API's list and the search page are two routes, both declared as «/practices»."""
    api, page = (REQUESTS.labels("GET", route, "200") for route in ("/api/v1/practices", "/practices"))
    counts = api._value.get(), page._value.get()
    assert client.get("/api/v1/practices").status_code == 200
    assert (api._value.get(), page._value.get()) == (counts[0] + 1, counts[1])
    assert client.get("/practices").status_code == 200
    assert (api._value.get(), page._value.get()) == (counts[0] + 1, counts[1] + 1)


def test_a_request_refused_before_routing_is_logged_too(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.post("/submit", data={"title": "x"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert "X-Request-ID" in response.headers
    assert any(r.name == "app.access" and r.status == 403 for r in caplog.records)
