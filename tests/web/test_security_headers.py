"""Security headers on every response: a strict CSP (scripts only from our files), no framing
except the embed pages, nosniff, a referrer policy; and no page relies on inline script."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

PAGES = ["/", "/practices", "/practices?theme=youth", "/regions/RU-BEL", "/themes/youth",
         "/submit", "/submit/status", "/about/api", "/docs", "/docs/reference", "/admin/login"]
MACHINE = ["/api/v1/practices", "/feeds/practices.atom", "/sitemap.xml", "/openapi.json", "/healthz",
           "/static/site.css", "/export/practices.csv"]


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _strict(response) -> None:  # type: ignore[no-untyped-def]
    csp = _directives(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.fixture
def card(make_practice):  # type: ignore[no-untyped-def]
    return make_practice(title="Юнармейский отряд", themes=["youth"], region="RU-BEL")


def test_every_page_and_answer_is_sent_with_the_headers(client, card):
    for path in [*PAGES, *MACHINE, f"/practices/{card.slug}", f"/api/v1/practices/{card.id}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _strict(response)


def test_refusals_and_errors_carry_them_too(client, same_site):
    _strict(client.get("/practices/no-such-practice"))
    _strict(client.get("/api/v1/practices/999999"))
    _strict(client.post("/submit", data={"title": "x"}, headers={"Origin": "https://evil.example"}))  # CSRF 403
    _strict(client.post("/submit", content=b"x" * (2 * 1024 * 1024), headers=same_site))  # 413


def test_signed_in_pages_carry_them(admin_client):
    for path in ("/admin", "/admin/password", "/admin/imports", "/admin/adoptions"):
        _strict(admin_client.get(path))


def test_the_embed_page_may_be_framed_by_any_site(client, card):
    response = client.get("/embed/practices?region=RU-BEL")
    assert response.status_code == 200
    assert "x-frame-options" not in response.headers
    csp = _directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["*"] and csp["default-src"] == ["'none'"]  # its own policy: no script at all
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_handlers(client, admin_client, card):
    """What the CSP would block: inline <script> (data blocks aside), on* attributes, javascript: links."""
    for path in [*PAGES, f"/practices/{card.slug}", "/admin", "/admin/password", f"/admin/practices/{card.id}"]:
        page = BeautifulSoup(client.get(path).text, "html.parser")
        for script in page.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", (path, str(script)[:200])
        for tag in page.find_all(True):
            handlers = [name for name in tag.attrs if name.lower().startswith("on")]
            assert not handlers, (path, str(tag)[:200])
            assert not str(tag.get("href", "")).lower().startswith("javascript:"), path
            assert "style" not in tag.attrs, (path, str(tag)[:200])  # style-src 'self' refuses it
