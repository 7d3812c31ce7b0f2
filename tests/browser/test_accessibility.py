"""Phones, keyboards and screen readers, in headless Chromium: the filter panel at 390 × 844, the
first filter within five Tab presses, checkboxes announced as such, and axe-core (vendored from
npm: scripts/axe) finding no violations on any page at either width."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT
from tests.browser.test_search_journey import DESKTOP, PHONE, count_text, records
from tests.catalogue.test_sheets import GOOD, xlsx

pytestmark = pytest.mark.browser
AXE = ROOT / "scripts" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "правильный-пароль-42"
# A card with awards and an old check: the card's awards, the nested award facet and the
# moderators' freshness list have something to show.
AWARDED = {"slug": "lmp-umnyj-gorod", "title": "Цифровая платформа городского хозяйства", "region": "RU-NIZ",
           "municipality": "Саров", "municipality_type": "urban-okrug", "themes": ["digital"],
           "verified_at": "2020-03-01", "source_url": "https://example.ru/lmp-2020", "status": "published",
           "awards": [{"competition": "lmp", "year": 2020, "nomination": "lmp-smart-city", "category": "I",
                       "place": "2", "prize": "30 млн ₽", "source_url": "https://example.ru/lmp-2020"},
                      {"competition": "lmp", "year": 2023, "place": "laureate"}]}


@pytest.fixture(scope="module")
def server(live_server_factory):  # type: ignore[no-untyped-def]
    server = live_server_factory([*records(), AWARDED])
    server.env["ADMIN_PASSWORD"] = PASSWORD
    server.cli("create-admin", "moder")
    return server


def context(browser, server, viewport: dict[str, int], **extra: Any):  # type: ignore[no-untyped-def]
    return browser.new_context(viewport=viewport, locale="ru-RU", base_url=server.url, is_mobile=viewport == PHONE,
                               device_scale_factor=1, **extra)


def number(text: str) -> int:
    return int(re.search(r"\d+", text).group(0))


def test_on_a_phone_the_filters_open_as_a_panel_and_show_n_brings_the_results(browser, server):
    ctx = context(browser, server, PHONE)
    pg = ctx.new_page()
    try:
        pg.goto("/practices")
        assert not pg.locator("aside.facets").is_visible()
        opener = pg.get_by_role("button", name="Фильтры")
        assert opener.get_attribute("aria-expanded") == "false"
        results_top = pg.locator("#results-count").bounding_box()["y"]
        assert opener.bounding_box()["y"] < results_top + 200  # at the top of the results, not 5,000 px down
        opener.click()
        panel = pg.locator("aside.facets")
        assert panel.is_visible() and pg.get_by_role("dialog", name="Фильтры").is_visible()
        assert pg.evaluate("document.activeElement.id") == "facets-heading"
        box = panel.bounding_box()
        assert box["width"] <= PHONE["width"] and box["y"] <= 0 + 1  # the panel covers the screen
        # A district, then a theme: each applies at once behind the panel; «Показать N» follows.
        pg.get_by_role("checkbox", name=re.compile("^Центральный ФО")).check()
        pg.wait_for_url(re.compile(r"district=central"))
        pg.wait_for_function("() => document.querySelector('[data-filters-apply]').textContent.startsWith('Показать')")
        assert pg.locator("aside.facets").is_visible()  # still open after the update
        assert pg.get_by_role("checkbox", name=re.compile("^Центральный ФО")).is_checked()
        theme = pg.get_by_role("checkbox", name=re.compile("^Молодёжная политика"))
        theme.check()
        pg.wait_for_url(re.compile(r"theme=youth"))
        pg.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
        show = pg.locator("[data-filters-apply]")
        n = number(show.inner_text())
        assert show.inner_text() == f"Показать {n} {'практику' if n == 1 else 'практики' if 2 <= n <= 4 else 'практик'}"
        show.click()
        assert not pg.locator("aside.facets").is_visible()
        assert number(count_text(pg)) == n and n >= 1
        assert pg.evaluate("document.activeElement.id") == "results-count"
        heading = pg.locator("#results-count").bounding_box()
        assert 0 <= heading["y"] < PHONE["height"]  # in view
        assert pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        # Escape closes the panel too, and the focus returns to its button.
        pg.get_by_role("button", name="Фильтры").click()
        pg.keyboard.press("Escape")
        assert not pg.locator("aside.facets").is_visible()
        assert pg.evaluate("document.activeElement.textContent.trim()") == "Фильтры"
    finally:
        ctx.close()


def test_long_words_wrap_on_a_phone(browser, live_server_factory):
    long_title = "Муниципальнаяинфраструктурнаяпрограммаблагоустройствадворовыхтерриторийсовместносжителями" * 2
    server = live_server_factory([{"title": long_title, "region": "RU-BEL", "municipality_type": "urban-okrug",
                                   "municipality": "Старооскольскийгородскойокругбелгородскойобласти" * 2,
                                   "themes": ["culture"], "status": "published"}])
    ctx = context(browser, server, PHONE)
    pg = ctx.new_page()
    try:
        pg.goto("/practices")
        slug = pg.locator("ol.hits .hit-title a").first.get_attribute("href")
        for url in ("/practices", slug, "/practices?q=" + long_title[:40], "/"):
            pg.goto(url)
            overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 390px"
    finally:
        ctx.close()


def test_the_first_filter_is_within_five_tab_presses_and_is_a_checkbox(browser, server):
    ctx = context(browser, server, DESKTOP)
    pg = ctx.new_page()
    try:
        pg.goto("/practices")
        pg.locator("#search-q").focus()
        presses = 0
        while presses < 5 and not pg.evaluate("!!document.activeElement.closest('#filters')"):
            pg.keyboard.press("Tab")
            presses += 1
        active = pg.evaluate("({type: document.activeElement.type, form: document.activeElement.form && document.activeElement.form.id})")
        assert active == {"type": "checkbox", "form": "filters"}, presses
        assert presses <= 5
        # Space ticks it; it is exposed (and so announced) as a checked checkbox with its label.
        name = pg.evaluate("document.activeElement.labels[0].querySelector('.facet-label').textContent")
        pg.keyboard.press("Space")
        pg.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
        assert pg.get_by_role("checkbox", name=re.compile("^" + re.escape(name)), checked=True).count() == 1
        assert pg.evaluate("document.activeElement.checked") is True  # the focus stays on it after the update
        # The skip link «К фильтрам» is the second Tab stop of the page.
        pg.goto("/practices")
        pg.keyboard.press("Tab")
        pg.keyboard.press("Tab")
        assert pg.evaluate("document.activeElement.textContent") == "К фильтрам"
    finally:
        ctx.close()


def test_home_chart_labels_have_enough_contrast(browser, server):
    ctx = context(browser, server, DESKTOP)
    pg = ctx.new_page()
    try:
        pg.goto("/")
        ratios = pg.evaluate("""() => {
            const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
            const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                               return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const bg = lum(rgb(getComputedStyle(document.body).backgroundColor));
            return Array.from(document.querySelectorAll('svg.bar-chart text')).map(t => {
                const fg = lum(rgb(getComputedStyle(t).fill));
                return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            });
        }""")
        assert len(ratios) >= 16 and min(ratios) >= 4.5, ratios  # WCAG AA for 14px text
    finally:
        ctx.close()


def _admin_pages(pg) -> list[str]:  # type: ignore[no-untyped-def]
    """Sign in, upload a sheet with an error; the moderators' pages to check."""
    pg.goto("/admin/login")
    pg.fill("#username", "moder")
    pg.fill("#password", PASSWORD)
    pg.get_by_role("button", name="Войти").click()
    pg.wait_for_url(re.compile(r"/admin$"))
    review = pg.evaluate("document.querySelector('table.queue a') ? document.querySelector('table.queue a').getAttribute('href') : null")
    pg.goto("/admin/imports")
    pg.set_input_files("#import-file", files=[{"name": "сводка.xlsx", "mimeType": "application/octet-stream",
                                                "buffer": xlsx([GOOD, ["аб", "Нарния", *GOOD[2:]]])}])
    pg.get_by_role("button", name="Проверить").click()
    pg.wait_for_url(re.compile(r"/admin/imports/\d+$"))
    preview = pg.evaluate("location.pathname")
    pages = ["/admin", "/admin?status=published", "/admin/imports", preview, "/admin/freshness"]
    published = pg.evaluate("fetch('/admin?status=published').then(r => r.text())")
    link = re.search(r'href="(/admin/practices/\d+)"', published)
    if link:
        pages.append(link.group(1))
    if review:
        pages.append(review)
    return pages


PUBLIC_PAGES = ["/", "/practices", "/practices?district=central&theme=youth", "/practices?q=абракадабраъ",
                "/practices/yunarmiya-belgorod", "/regions/RU-BEL", "/themes/youth", "/submit", "/about/api",
                "/docs", "/docs/reference", "/opendata/municipal-practices/", "/admin/login", "/practices/no-such-card",
                f"/practices/{AWARDED['slug']}", "/practices?award=lmp:2020"]


WIDE = """Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _axe(pg) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("""() => axe.run(document, {
        rules: {'label-content-name-mismatch': {enabled: true}},
        resultTypes: ['violations']
    })""")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_axe_finds_no_violations_on_any_page(browser, server, artifacts: Path, name, viewport):
    if not AXE.exists():
        pytest.skip(f"{AXE} is absent: run scripts/test-deps.sh (npm ci --prefix scripts/axe)")
    # axe-core goes in as an inline script, which the site's CSP refuses (tests/browser/test_csp.py
    # checks the pages under it): this context lets the test tool in.
    ctx = context(browser, server, viewport, bypass_csp=True)
    pg = ctx.new_page()
    found: dict[str, Any] = {}

    def check(url: str) -> None:
        pg.goto(url)
        pg.wait_for_load_state("networkidle")
        if url == "/docs":  # an operation opened, tried and its answer shown
            pg.wait_for_selector(".opblock")
            pg.locator(".opblock-summary").first.click()
            pg.get_by_role("button", name="Попробовать").first.click()
            pg.get_by_role("button", name="Выполнить").first.click()
            status = pg.locator(".live-responses-table tbody .response-col_status").first
            status.wait_for()
            assert status.inner_text().strip() == "200"
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {viewport['width']}px: " + str(pg.evaluate(WIDE))
        violations = _axe(pg)
        if violations:
            found[url] = violations

    try:
        for url in PUBLIC_PAGES:
            check(url)
        for url in _admin_pages(pg):  # signed in
            check(url)
        if name == "phone":  # the filter panel, open
            pg.goto("/practices?district=central")
            pg.get_by_role("button", name="Фильтры").click()
            violations = _axe(pg)
            if violations:
                found["/practices (панель фильтров)"] = violations
    finally:
        (artifacts / f"axe-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
        ctx.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
