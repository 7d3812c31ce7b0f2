"""Under the site's Content-Security-Policy the pages still work in Chromium: no policy
violation and no console error on the public pages, the form, moderation and Swagger UI
(/docs, whose files are served here)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.live_server import PRACTICES

pytestmark = pytest.mark.browser
PASSWORD = "правильный-пароль-42"
RECORDS: list[dict[str, Any]] = [
    {"slug": "yunarmiya-belgorod", "title": "Юнармейские отряды в школах Белгородского района", "region": "RU-BEL",
     "municipality": "Белгородский район", "municipality_type": "municipal-district", "themes": ["youth"],
     "year_started": 2021, "status": "published",
     "outcome_figures": [{"indicator": "Участники", "value_before": 12, "value_after": 30, "unit": "чел."}]},
    {"slug": "dvory-belgorod", "title": "Благоустройство дворов вместе с жителями", "region": "RU-BEL",
     "municipality_type": "urban-okrug", "themes": ["urban-environment"], "status": "pending"},
]
# Watches for what the policy blocks, from the first script on.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def server(live_server_factory):  # type: ignore[no-untyped-def]
    live = live_server_factory(RECORDS)
    subprocess.run([str(PRACTICES), "create-admin", "moder"], env=live.env | {"ADMIN_PASSWORD": PASSWORD},
                   cwd=live.data_dir, check=True, capture_output=True, timeout=120)
    return live


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ru-RU")
    context.add_init_script(LISTEN)
    pg = context.new_page()
    pg.problems = []  # type: ignore[attr-defined]
    # A failed load is told by its response below (the console message does not name the file).
    pg.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
          and pg.problems.append(msg.text))  # type: ignore[attr-defined]
    pg.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
          and pg.problems.append(f"{r.status} {r.url}"))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.problems.append(str(exc)))  # type: ignore[attr-defined]
    yield pg
    context.close()


def _clean(page, where: str) -> None:  # type: ignore[no-untyped-def]
    violations = page.evaluate("window.__violations")
    assert violations == [], (where, violations)
    assert page.problems == [], (where, page.problems)


def test_public_pages_work_under_the_policy(page, server):
    for path in ("/", "/practices", "/practices?q=юнармия&theme=youth", "/practices/yunarmiya-belgorod",
                 "/regions/RU-BEL", "/about/api", "/submit"):
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        _clean(page, path)


def test_swagger_ui_renders_and_tries_a_request(page, server):
    page.goto(server.url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert page.locator(".opblock").count() > 5
    block = page.locator(".opblock-get").filter(has_text="/api/v1/regions").first
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=30000)
    assert status.inner_text().strip() == "200"  # the request went out (connect-src 'self') and came back
    _clean(page, "/docs")


def test_moderation_works_under_the_policy(page, server):
    page.goto(server.url + "/admin")
    page.fill("#username", "moder")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin")
    _clean(page, "/admin")
    page.click("text=Благоустройство дворов вместе с жителями")
    page.wait_for_load_state("networkidle")
    assert "/admin/practices/" in page.url
    _clean(page, "review")
    page.goto(server.url + "/admin/password")
    _clean(page, "/admin/password")
    page.goto(server.url + "/admin")
    page.click("text=Выйти на всех устройствах")
    page.wait_for_url(server.url + "/admin/login")
    page.goto(server.url + "/admin")
    assert "/admin/login" in page.url
