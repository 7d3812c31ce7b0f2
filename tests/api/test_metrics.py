"""/metrics is for the operator's scraper: behind METRICS_TOKEN, and hidden in production
without one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def _client(settings: Settings, **update: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update)), base_url="http://testserver")


def test_with_a_token_metrics_need_it(settings):
    with _client(settings, metrics_token="s3cret-metrics-token") as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-metrics-token"}):
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "http_requests_total" not in response.text
        response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
        assert response.status_code == 200
        assert "http_requests_total" in response.text


def test_production_without_a_token_hides_metrics(settings):
    with _client(settings, environment="production", secret_key="x" * 40,
                 database_url=settings.resolved_database_url, base_url="https://practices.example.ru") as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_development_without_a_token_keeps_metrics_open(client):
    assert client.get("/metrics").status_code == 200
