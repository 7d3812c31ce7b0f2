"""Another site embeds the catalogue: a static page on a different origin (another port) pastes
the embed script and an iframe, and headless Chromium shows the listing."""

from __future__ import annotations

import functools
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import free_port

pytestmark = pytest.mark.browser

EVIL_TITLE = '<img src=x onerror="window.__pwned = 1"> Практика с разметкой в названии'
RECORDS: list[dict[str, Any]] = [
    {"slug": "yunarmiya-belgorod", "title": "Юнармейские отряды в школах Белгородского района", "region": "RU-BEL",
     "municipality": "Белгородский район", "themes": ["youth", "education"], "year_started": 2021},
    {"slug": "dvory-belgorod", "title": "Благоустройство дворов вместе с жителями", "region": "RU-BEL",
     "municipality": "Старый Оскол", "municipality_type": "urban-okrug", "themes": ["urban-environment"]},
    {"slug": "evil-belgorod", "title": EVIL_TITLE, "region": "RU-BEL", "themes": ["culture"]},
    {"slug": "robototehnika-ekb", "title": "Кружки робототехники в сельских школах", "region": "RU-SVE",
     "themes": ["education"]},
    {"slug": "tajnaya-belgorod", "title": "Тайная практика на проверке", "region": "RU-BEL", "themes": ["youth"],
     "status": "pending"},
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


class OtherSite:
    """A plain static site on its own port: a different origin from the catalogue."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(_Quiet, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def page(self, name: str, body: str) -> str:
        (self.root / name).write_text(
            f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Совет МО</title></head>'
            f"<body><h1>Сайт совета муниципальных образований</h1>{body}</body></html>",
            encoding="utf-8",
        )
        return f"{self.url}/{name}"


@pytest.fixture(scope="module")
def server(live_server_factory):  # type: ignore[no-untyped-def]
    return live_server_factory([{"municipality_type": "municipal-district", "status": "published"} | r for r in RECORDS])


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OtherSite]:
    site = OtherSite(tmp_path_factory.mktemp("other-site"))
    site.thread.start()
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ru-RU")
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))  # type: ignore[attr-defined]
    yield pg
    context.close()


def api(server, path: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        return json.load(response)


def test_pasted_script_draws_the_listing_on_another_origin(page, server, other_site):
    snippet = (
        '<div id="belgorod" data-practices-region="RU-BEL" data-practices-limit="2"></div>'
        '<div id="education" data-practices-theme="education"></div>'
        f'<script src="{server.url}/static/embed.js" async></script>'
    )
    url = other_site.page("council.html", snippet)
    assert url.split("/")[2] != server.url.split("/")[2]  # a different origin
    page.goto(url)
    page.wait_for_selector('#belgorod[data-practices-state="ready"]')
    page.wait_for_selector('#education[data-practices-state="ready"]')

    expected = api(server, "/api/v1/practices?region=RU-BEL&sort=newest&per_page=2&facets=")
    links = page.locator("#belgorod li.practices-embed-item a")
    assert links.all_text_contents() == [item["title"] for item in expected["items"]]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [i["url"] for i in expected["items"]]
    assert all(href.startswith(server.url + "/practices/") for href in (i["url"] for i in expected["items"]))
    more = page.locator("#belgorod .practices-embed-more a")
    assert more.text_content() == "Все практики в каталоге (3) →"  # the pending one is not counted

    education = page.locator("#education li.practices-embed-item a").all_text_contents()
    assert sorted(education) == sorted(["Юнармейские отряды в школах Белгородского района",
                                        "Кружки робототехники в сельских школах"])
    assert "Тайная практика на проверке" not in page.locator("body").inner_text()
    assert page.console_errors == []


def test_titles_from_the_api_are_text_not_markup(page, server, other_site):
    url = other_site.page("evil.html", '<div id="culture" data-practices-theme="culture"></div>'
                                       f'<script src="{server.url}/static/embed.js" async></script>')
    page.goto(url)
    page.wait_for_selector('#culture[data-practices-state="ready"]')
    assert page.locator("#culture li.practices-embed-item a").text_content() == EVIL_TITLE
    assert page.locator("#culture img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_misconfigured_widget_says_so(page, server, other_site):
    url = other_site.page("broken.html", '<div id="broken" data-practices-region="не код"></div>'
                                         f'<script src="{server.url}/static/embed.js" async></script>')
    page.goto(url)
    page.wait_for_selector('#broken[data-practices-state="error"]')
    assert page.locator("#broken .practices-embed-error").text_content() == "Не удалось загрузить практики каталога."


def test_iframe_embed_is_allowed_on_another_origin(page, server, other_site):
    url = other_site.page("frame.html", f'<iframe id="practices" src="{server.url}/embed/practices?region=RU-BEL&limit=5"'
                                        ' title="Практики" width="480" height="320"></iframe>')
    page.goto(url)
    frame = page.frame_locator("#practices")
    items = frame.locator("ul.practices-embed > li")
    items.first.wait_for()
    assert items.count() == 3
    assert EVIL_TITLE in frame.locator("ul.practices-embed").inner_text()
    assert frame.locator("ul.practices-embed a").first.get_attribute("target") == "_blank"
    assert page.evaluate("window.__pwned") is None


def test_without_base_url_the_widget_still_links_to_the_catalogue(page, live_server_factory, other_site):
    """BASE_URL empty (development): the API gives paths, and the widget resolves them on the
    catalogue that served the script, not on the page that embeds it."""
    local = live_server_factory([{"municipality_type": "municipal-district", "status": "published"} | RECORDS[0]],
                                {"BASE_URL": ""})
    assert api(local, "/api/v1/practices")["items"][0]["url"] == "/practices/yunarmiya-belgorod"
    url = other_site.page("relative.html", '<div id="youth" data-practices-theme="youth"></div>'
                                           f'<script src="{local.url}/static/embed.js" async></script>')
    page.goto(url)
    page.wait_for_selector('#youth[data-practices-state="ready"]')
    link = page.locator("#youth li.practices-embed-item a").first
    assert link.get_attribute("href") == local.url + "/practices/yunarmiya-belgorod"
    assert page.console_errors == []
