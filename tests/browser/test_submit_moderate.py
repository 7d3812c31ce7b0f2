"""Submit a practice in Chromium, fix the errors the server reports, then moderate it and find it.

A real server (`practices serve`) with its own DATA_DIR; the moderator is made with
`practices create-admin` and ADMIN_PASSWORD, as an operator would.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.live_server import PRACTICES

pytestmark = pytest.mark.browser
PASSWORD = "пароль-модератора-2024"
WORD = "светлячковый"


@pytest.fixture(scope="module")
def server(live_server_factory):  # type: ignore[no-untyped-def]
    live = live_server_factory([])
    result = subprocess.run(
        [str(PRACTICES), "create-admin", "moder"], env=live.env | {"ADMIN_PASSWORD": PASSWORD},
        cwd=live.data_dir, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return live


def test_submit_fix_errors_approve_and_find(browser, server, artifacts):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ru-RU", base_url=server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/submit")
    assert page.locator("h1").inner_text() == "Предложить практику"

    # First attempt: a title too short, no theme, an address the browser accepts but the server does not.
    page.fill("#f-title", "Фе")
    page.select_option("#f-region", "RU-BEL")
    page.fill("#f-municipality", "Белгородский район")
    page.select_option("#f-municipality-type", "municipal-district")
    page.fill("#f-problem", "Вечером во дворах темно и пусто")
    page.fill("#f-submitter-name", "Иван Петров")
    page.fill("#f-submitter-email", "ivan@localhost")
    page.click("button:has-text('Отправить на проверку')")
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # announced to screen readers
    links = summary.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links == ["#f-title", "#f-themes", "#f-submitter-email"]
    assert page.locator("#f-title-error").inner_text() == "слишком коротко: не меньше 3 символов"
    assert page.locator("#f-themes-error").inner_text() == "выберите хотя бы одну тему"
    assert page.locator("#f-submitter-email-error").inner_text() == "неверный адрес электронной почты"
    # What was typed is still there.
    assert page.input_value("#f-municipality") == "Белгородский район"
    assert page.input_value("#f-problem") == "Вечером во дворах темно и пусто"
    assert page.input_value("#f-region") == "RU-BEL"
    page.screenshot(path=str(artifacts / "submit-errors.png"), full_page=True)

    # A summary link moves to its field.
    summary.locator("a[href='#f-title']").click()
    assert page.evaluate("location.hash") == "#f-title"

    # Fix everything; add a third figure row with JavaScript (no reload).
    page.fill("#f-title", f"Фестиваль {WORD} огней во дворах")
    page.check("input[name=themes][value=urban-environment]")
    page.fill("#f-submitter-email", "ivan@example.org")
    rows = page.locator("#f-outcome-figures [data-row]")
    before = rows.count()
    page.evaluate("window.__marker = 1")
    page.click("#f-outcome-figures button[name=add_row]")
    assert rows.count() == before + 1
    assert page.evaluate("window.__marker") == 1  # same document: nothing was reloaded
    last = before  # the new row's number
    page.fill(f"#f-outcome-figures-{last}-indicator", "Освещённых дворов")
    page.fill(f"#f-outcome-figures-{last}-value-before", "3")
    page.fill(f"#f-outcome-figures-{last}-value-after", "27,5")
    page.click("button:has-text('Отправить на проверку')")
    page.wait_for_url(re.compile(r"/submit/P-[0-9A-F]{8}$"))
    code = page.locator("#tracking-code").inner_text()
    assert page.locator("#status").inner_text() == "на проверке у модератора"

    # Not public yet.
    page.goto(f"/practices?q={WORD}")
    assert page.locator("ol.hits .hit-title a").count() == 0
    context.close()

    # The moderator signs in (sent to the login page first), finds the submission and approves it.
    moderator = browser.new_context(locale="ru-RU", base_url=server.url, viewport={"width": 1280, "height": 900})
    admin = moderator.new_page()
    admin.goto("/admin")
    assert "/admin/login?next=/admin" in admin.url
    admin.fill("#username", "moder")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Войти')")
    admin.wait_for_url(re.compile(r"/admin$"))
    row = admin.locator("table.queue tbody tr", has_text=code)
    assert row.count() == 1
    row.locator("a").click()
    admin.wait_for_url(re.compile(r"/admin/practices/\d+$"))
    assert admin.input_value("input[name='outcome_figures.0.value_after']") == "27.5"
    assert admin.input_value("input[name='outcome_figures.0.indicator']") == "Освещённых дворов"
    admin.click("form.action-approve button")
    admin.wait_for_url(re.compile(r"done=approve"))
    assert admin.locator("#status").inner_text() == "опубликована"
    assert "одобрение" in admin.locator("table.audit").inner_text()
    admin.screenshot(path=str(artifacts / "moderation-approved.png"), full_page=True)

    # Found by search at once.
    admin.goto(f"/practices?q={WORD}")
    titles = admin.locator("ol.hits .hit-title a").all_inner_texts()
    assert any("Фестиваль" in t and "огней" in t for t in titles), titles
    moderator.close()
