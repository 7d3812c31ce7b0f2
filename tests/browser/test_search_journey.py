"""The search journey in headless Chromium, with JavaScript (in-place updates, Back) and without."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.corpus import CORPUS
from tests.web.conftest import HIDDEN

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def records() -> list[dict[str, Any]]:
    return [{"municipality_type": "municipal-district", "status": "published"} | r for r in CORPUS + HIDDEN]


@pytest.fixture(scope="module")
def server(live_server_factory):  # type: ignore[no-untyped-def]
    return live_server_factory(records())


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", base_url=server.url)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def page_without_js(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", base_url=server.url, java_script_enabled=False)
    pg = context.new_page()
    yield pg
    context.close()


def hits(pg) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.removeprefix("/practices/") for h in pg.locator("ol.hits .hit-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")]


def count_text(pg) -> str:  # type: ignore[no-untyped-def]
    return pg.locator("#results-count").inner_text().strip()


def facet_count(pg, key: str) -> int:  # type: ignore[no-untyped-def]
    return int(pg.locator(f'label:has(input[data-key="{key}"]) .count').first.inner_text().split()[-1])


def facet(pg, key: str):  # type: ignore[no-untyped-def]
    """The checkbox of a facet value (the filters are a form of checkboxes)."""
    return pg.locator(f'#filters input[data-key="{key}"]').first


def server_view(pg, url: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """What a plain page load of `url` shows: the count and the hits (the server's truth)."""
    html = pg.request.get(url).text()
    soup = BeautifulSoup(html, "html.parser")
    slugs = [a["href"].removeprefix("/practices/") for a in soup.select("ol.hits .hit-title a")]
    return soup.select_one("#results-count").get_text(strip=True), slugs


def plural_count(n: int) -> str:
    word = "практика" if n % 10 == 1 and n % 100 != 11 else "практики" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "практик"
    return f"Найдено {n} {word}"


def test_journey_with_javascript_updates_in_place_and_back_restores(page):
    page.goto("/practices")
    assert count_text(page) == "Найдено 8 практик"
    page.evaluate("window.__marker = 1")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.headers.get("x-partial", "")) if "/practices" in r.url else None)

    # Typing updates results after a pause, without a reload.
    page.locator("#search-q").press_sequentially("школ", delay=40)
    page.wait_for_url(re.compile(r"[?&]q=%D1%88%D0%BA%D0%BE%D0%BB$"))
    page.wait_for_function("() => document.getElementById('search-status').textContent.trim() !== ''")
    typed_count, typed_hits = count_text(page), hits(page)
    assert (typed_count, typed_hits) == server_view(page, page.url)
    assert 0 < len(typed_hits) < 8 and "shkola-vozhatyh-krasnodar" in typed_hits
    assert page.locator("#search-status").inner_text() == typed_count  # announced to screen readers
    assert requests and set(requests) == {"1"}  # only partial requests, never a page load

    # Ticking a theme: the facet's count predicts the new total.
    expected = facet_count(page, "theme:education")
    facet(page, "theme:education").click()
    page.wait_for_url(re.compile(r"theme=education"))
    page.wait_for_function(f"() => document.getElementById('results-count').textContent.trim() === '{plural_count(expected)}'")
    theme_hits = hits(page)
    assert (count_text(page), theme_hits) == server_view(page, page.url)
    assert facet(page, "theme:education").is_checked()
    # Focus stays on the value just toggled (keyboard users keep their place).
    assert page.evaluate("document.activeElement.dataset.key") == "theme:education"

    # Ticking a region: other regions stay listed with their counts (disjunctive facets).
    assert facet_count(page, "region:RU-KDA") == 1
    facet(page, "region:RU-KDA").click()
    page.wait_for_url(re.compile(r"region=RU-KDA"))
    page.wait_for_function("() => document.getElementById('results-count').textContent.trim() === 'Найдено 1 практика'")
    assert hits(page) == ["shkola-vozhatyh-krasnodar"]
    assert page.locator('#filters input[data-key="region:RU-TA"]').count() >= 1 or theme_hits == ["shkola-vozhatyh-krasnodar"]
    chips = page.locator(".chip-label").all_inner_texts()
    assert [" ".join(c.split()) for c in chips] == ["Запрос: «школ»", "Регион: Краснодарский край", "Тема: Образование"]
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.title().startswith("«школ» — поиск практик")
    # The JSON and Atom twins follow the state.
    assert "region=RU-KDA" in page.locator('link[rel=alternate][type="application/atom+xml"]').get_attribute("href")

    # Back: the previous state (theme, no region), still without a reload.
    page.go_back()
    page.wait_for_url(lambda url: "region=" not in url and "theme=education" in url)
    page.wait_for_function(f"() => document.getElementById('results-count').textContent.trim() === '{plural_count(expected)}'")
    assert hits(page) == theme_hits
    assert not facet(page, "region:RU-KDA").is_checked()
    page.go_back()
    page.wait_for_url(lambda url: "theme=" not in url)
    page.wait_for_function(f"() => document.getElementById('results-count').textContent.trim() === '{typed_count}'")
    assert hits(page) == typed_hits and page.locator("#search-q").input_value() == "школ"
    assert page.evaluate("window.__marker") == 1
    # The form carries the restored state (no filters now) for the next search.
    assert page.locator("#search-form input[type=hidden]").count() == 0

    # Forward and Back again work too; then open a card.
    page.go_forward()
    page.wait_for_url(re.compile(r"theme=education"))
    page.wait_for_function(f"() => document.getElementById('results-count').textContent.trim() === '{plural_count(expected)}'")
    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url(re.compile(r"/practices/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() in {c["title"] for c in CORPUS}
    assert page.evaluate("window.__marker") is None  # a card is an ordinary page load


def test_keyboard_can_toggle_a_facet_and_chip(page):
    page.goto("/practices")
    facet(page, "region:RU-TA").focus()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"region=RU-TA"))
    page.wait_for_function("() => document.getElementById('results-count').textContent.trim() === 'Найдено 2 практики'")
    assert page.evaluate("document.activeElement.dataset.key") == "region:RU-TA"
    page.locator(".chip-remove").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "region=" not in url)
    page.wait_for_function("() => document.getElementById('results-count').textContent.trim() === 'Найдено 8 практик'")
    # Typing makes one history entry; Enter afterwards neither reloads nor adds another.
    page.evaluate("window.__marker = 1")
    before = page.evaluate("history.length")
    page.locator("#search-q").press_sequentially("дворы", delay=30)
    page.wait_for_url(re.compile(r"q=%D0%B4%D0%B2%D0%BE%D1%80%D1%8B"))
    page.wait_for_function("() => document.getElementById('results-count').textContent.trim() !== 'Найдено 8 практик'")
    assert page.evaluate("history.length") == before + 1
    with page.expect_response(lambda r: r.request.headers.get("x-partial") == "1"):
        page.keyboard.press("Enter")
    assert page.evaluate("history.length") == before + 1
    assert page.evaluate("window.__marker") == 1
    # The focus outline is visible (site.css :focus style).
    page.locator("#search-q").focus()
    assert page.locator("#search-q").evaluate("el => getComputedStyle(el).outlineStyle") == "solid"


def test_journey_without_javascript(page_without_js):
    pg = page_without_js
    pg.goto("/practices")
    assert count_text(pg) == "Найдено 8 практик"
    pg.fill("#search-q", "школ")
    pg.locator("#search-form button[type=submit]").click()
    pg.wait_for_url(re.compile(r"\?q=%D1%88%D0%BA%D0%BE%D0%BB$"))
    typed = count_text(pg)
    assert (typed, hits(pg)) == server_view(pg, pg.url)
    expected = facet_count(pg, "theme:education")
    facet(pg, "theme:education").check()
    pg.locator("#filters button[type=submit]").click()  # without scripts the form is sent by its button
    pg.wait_for_url(re.compile(r"theme=education"))
    assert count_text(pg) == plural_count(expected)
    assert pg.evaluate("location.hash") == "#results"  # it lands on the results
    facet(pg, "region:RU-KDA").check()
    pg.locator("#filters button[type=submit]").click()
    pg.wait_for_url(re.compile(r"region=RU-KDA"))
    assert hits(pg) == ["shkola-vozhatyh-krasnodar"]
    # A new search from the form keeps the filters (hidden inputs).
    pg.fill("#search-q", "вожатых")
    pg.locator("#search-form button[type=submit]").click()
    pg.wait_for_url(re.compile(r"q=%D0%B2%D0%BE%D0%B6"))
    assert "region=RU-KDA" in pg.url and "theme=education" in pg.url
    assert hits(pg) == ["shkola-vozhatyh-krasnodar"]
    # Remove a chip, then Back.
    pg.locator(".chip-remove", has_text="Краснодарский край").click()
    pg.wait_for_url(lambda url: "region=" not in url)
    assert "Регион: Краснодарский край" not in " ".join(pg.locator(".chip-label").all_inner_texts())
    pg.go_back()
    pg.wait_for_url(re.compile(r"region=RU-KDA"))
    assert hits(pg) == ["shkola-vozhatyh-krasnodar"]
    # The region facet's filter box stays hidden: it needs JavaScript.
    pg.goto("/practices")
    assert pg.locator("[data-filter-box]").count() == 0 or not pg.locator("[data-filter-box]").first.is_visible()
    pg.locator("ol.hits .hit-title a").first.click()
    pg.wait_for_url(re.compile(r"/practices/[a-z0-9-]+$"))
    assert pg.locator("h1").inner_text() in {c["title"] for c in CORPUS}


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_and_no_sideways_scroll(browser, server, artifacts: Path, name, viewport):
    context = browser.new_context(viewport=viewport, locale="ru-RU", base_url=server.url,
                                  is_mobile=name == "phone", device_scale_factor=1)
    pg = context.new_page()
    try:
        shots = {
            f"search-{name}.png": "/practices?q=%D1%88%D0%BA%D0%BE%D0%BB&theme=education",
            f"card-{name}.png": "/practices/yunarmiya-belgorod",
            f"home-{name}.png": "/",
        }
        for filename, url in shots.items():
            pg.goto(url)
            pg.wait_for_load_state("networkidle")
            overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {viewport['width']}px"
            path = artifacts / filename
            pg.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
        # On a phone the filters wait behind the «Фильтры» button; on a desktop they sit at the left.
        pg.goto("/practices")
        results_box = pg.locator("section.results").bounding_box()
        if name == "phone":
            assert not pg.locator("aside.facets").is_visible() and pg.locator("button.to-facets").is_visible()
        else:
            assert pg.locator("aside.facets").bounding_box()["x"] < results_box["x"]
    finally:
        context.close()


def test_card_prints_without_navigation(browser, server, artifacts: Path):
    context = browser.new_context(viewport=DESKTOP, base_url=server.url)
    pg = context.new_page()
    try:
        pg.goto("/practices/yunarmiya-belgorod")
        pg.emulate_media(media="print")
        assert not pg.locator(".site-header nav").is_visible()
        assert not pg.locator("section.related").is_visible()
        assert pg.locator("table.figures").is_visible()
        pg.pdf(path=str(artifacts / "card-print.pdf"))
    finally:
        context.close()


WIDE_REGIONS = ["RU-BEL", "RU-TA", "RU-SVE", "RU-KDA", "RU-MOW", "RU-NVS", "RU-PRI", "RU-AD", "RU-AL", "RU-ALT", "RU-AMU", "RU-SPE"]


@pytest.fixture(scope="module")
def wide_server(live_server_factory):  # type: ignore[no-untyped-def]
    """Practices in twelve regions, so the region facet hides some behind «показать все»."""
    out = []
    for i, code in enumerate(WIDE_REGIONS):
        for n in range(len(WIDE_REGIONS) - i):
            out.append({"title": f"Практика {code} номер {n}", "region": code, "municipality_type": "urban-okrug",
                        "themes": ["culture"], "status": "published"})
    return live_server_factory(out)


def test_region_list_filter_box_and_open_list_survive_an_update(browser, wide_server):
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", base_url=wide_server.url)
    pg = context.new_page()
    try:
        pg.goto("/practices")
        pg.evaluate("window.__marker = 1")
        details = pg.locator("details#more-region")
        details.locator("summary").click()
        box = pg.get_by_label("Найти в списке")
        assert box.is_visible()  # shown because JavaScript runs
        box.fill("алт")
        visible = pg.locator("#all-region li:visible .facet-label").all_inner_texts()
        assert sorted(visible) == ["Алтайский край", "Республика Алтай"]
        assert pg.locator("#all-region [data-group]:visible legend").all_text_contents() == ["Сибирский ФО"]
        box.fill("")
        assert pg.locator("#all-region li:visible").count() == len(WIDE_REGIONS) - 8  # the rest of the top eight
        # Pick a region from the full list: the update happens in place and the list stays open.
        pg.locator('#all-region input[data-key="region:RU-AMU"]').click()
        pg.wait_for_url(re.compile(r"region=RU-AMU"))
        pg.wait_for_function("() => document.getElementById('results-count').textContent.trim() === 'Найдено 2 практики'")
        assert pg.locator("details#more-region").evaluate("d => d.open")
        assert pg.evaluate("window.__marker") == 1
        # The selected value now shows in the short list, above the fold, ticked.
        assert pg.locator('fieldset#facet-region > ul.facet-values input[data-key="region:RU-AMU"]').is_checked()
    finally:
        context.close()
