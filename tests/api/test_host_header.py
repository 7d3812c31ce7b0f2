"""A forged `Host` never reaches a response or a mail: links are absolute only from BASE_URL,
relative without it. (A cache in front keeps what one client made for everyone: a poisoned
Atom feed or API page would send every reader to evil.example.)"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.models import MailMessage
from app.settings import Settings
from tests.submit.helpers import soup

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
PAGES = [
    "/", "/practices", "/practices?theme=youth", "/regions/RU-BEL", "/themes/youth", "/about/api", "/opendata/list.csv",
    "/catalog.jsonld", "/embed/practices?region=RU-BEL", "/sitemap.xml", "/robots.txt",
    "/feeds/practices.atom", "/feeds/practices.atom?region=RU-BEL", "/api/v1/practices", "/api/v1/practices?per_page=1",
    "/api/v1/changes", "/export/practices.jsonl", "/export/practices.csv", "/docs", "/openapi.json",
]


@pytest.fixture(params=["", "https://practices.example.ru"], ids=["without BASE_URL", "with BASE_URL"])
def site(request, settings: Settings, make_practice):  # type: ignore[no-untyped-def]
    """A client at evil.example, and a published practice (written before this app opens the index)."""
    practice = make_practice(title="Юнармейский отряд", themes=["youth"], region="RU-BEL")
    app = create_app(settings.model_copy(update={"base_url": request.param}))
    with TestClient(app, base_url="http://evil.example") as client:
        yield client, request.param, practice
    app.state.index.close()


def test_no_response_carries_a_forged_host(site):
    client, base, practice = site
    paths = [*PAGES, f"/practices/{practice.slug}", f"/api/v1/practices/{practice.id}",
             f"/api/v1/practices/{practice.slug}"]
    for path in paths:
        response = client.get(path, headers=EVIL)
        assert response.status_code == 200, (path, response.text[:300])
        assert "evil.example" not in response.text, path
        assert "evil.example" not in str(response.headers), path
    card = soup(client.get(f"/practices/{practice.slug}", headers=EVIL))
    canonical = card.find("link", rel="canonical")["href"]
    assert canonical == f"{base}/practices/{practice.slug}"
    api = client.get("/api/v1/practices", headers=EVIL).json()
    assert all(not item["url"] or item["url"].startswith(base + "/") for item in api["items"] if "url" in item)


@pytest.mark.parametrize("path", ["/about/api/", "/practices/", "/api/v1/practices/", "/opendata/municipal-practices",
                                  "/admin/"])
def test_redirects_do_not_echo_a_forged_host(site, path):
    client, _, _ = site
    response = client.get(path, headers=EVIL, follow_redirects=False)
    assert response.status_code in (301, 302, 303, 307, 308)
    assert response.headers["location"].startswith("/") and "evil.example" not in response.headers["location"]


def test_mail_links_do_not_follow_a_forged_host(site, engine):
    client, base, _ = site
    response = client.post("/api/v1/submissions", headers=EVIL, json={
        "title": "Народный бюджет в сёлах", "region": "RU-BEL", "municipality_type": "urban-okrug",
        "themes": ["finance"], "summary": "Жители выбирают проекты",
        "submitter": {"name": "Иван Петров", "email": "ivan@example.ru"},
    })
    assert response.status_code == 201, response.text
    assert "evil.example" not in response.text
    with Session(engine) as s:
        mail = s.exec(select(MailMessage)).all()
    assert mail
    for message in mail:
        assert "evil.example" not in str(message.context)
        if base:
            assert message.context["site"] == base
