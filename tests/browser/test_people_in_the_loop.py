"""The whole loop in Chromium against a real server whose mail goes to a loopback SMTP server:
submit → «принята» arrives → the moderator returns it for revision → the mail's private link
→ the submitter fixes a field and resubmits → the moderator sees the diff and publishes → the
mail's public link shows the card → another municipality reports adoption → approved → the
card says «внедрена», and the API, the change feed and Atom carry it."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.live_server import PRACTICES
from tests.smtp_server import SmtpSink, text_of

pytestmark = pytest.mark.browser
PASSWORD = "пароль-модератора-2024"
EDIT_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/submit/edit/[A-Za-z0-9_-]{43})")


@pytest.fixture(scope="module")
def smtp():  # type: ignore[no-untyped-def]
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def server(live_server_factory, smtp):  # type: ignore[no-untyped-def]
    live = live_server_factory([], {"SMTP_URL": smtp.url, "MAIL_FROM": "Каталог практик <robot@practices.test>"})
    result = subprocess.run(
        [str(PRACTICES), "create-admin", "moder"], env=live.env | {"ADMIN_PASSWORD": PASSWORD},
        cwd=live.data_dir, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return live


def one_mail(smtp: SmtpSink, count: int, subject: str):  # type: ignore[no-untyped-def]
    found = [m for m in smtp.wait_for(count, timeout=30) if m["Subject"] == subject]
    assert len(found) == 1, [m["Subject"] for m in smtp.messages]
    return found[0]


def test_submit_revise_resubmit_publish_adopt(browser, server, smtp, artifacts):  # type: ignore[no-untyped-def]
    ctx = {"locale": "ru-RU", "base_url": server.url, "viewport": {"width": 1280, "height": 900}}
    submitter = browser.new_context(**ctx)
    page = submitter.new_page()
    page.goto("/submit")
    page.fill("#f-title", "Фестиваль огней")
    page.check("input[name=themes][value=urban-environment]")
    page.select_option("#f-region", "RU-BEL")
    page.select_option("#f-municipality-type", "municipal-district")
    page.fill("#f-summary", "Жители сами освещают дворы")
    page.fill("#f-contact-email", "author@example.org")
    page.fill("#f-submitter-name", "Иван Петров")
    page.fill("#f-submitter-email", "ivan@example.org")
    page.click("button:has-text('Отправить на проверку')")
    page.wait_for_url(re.compile(r"/submit/P-[0-9A-F]{8}$"))
    code = page.locator("#tracking-code").inner_text()

    received = one_mail(smtp, 1, f"Заявка {code} принята")
    assert received["To"] == "ivan@example.org"
    assert f"{server.url}/submit/{code}" in text_of(received)

    # The moderator returns it for revision with a message.
    moderator = browser.new_context(**ctx)
    admin = moderator.new_page()
    admin.goto("/admin")
    admin.fill("#username", "moder")
    admin.fill("#password", PASSWORD)
    admin.click("button:has-text('Войти')")
    admin.wait_for_url(re.compile(r"/admin$"))
    assert admin.locator("[data-nav=pending] .count").inner_text() == "1"
    admin.locator("table.queue tbody tr", has_text=code).locator("a").click()
    admin.wait_for_url(re.compile(r"/admin/practices/\d+$"))
    review_url = admin.url
    admin.fill("#note-revise", "Уточните, во скольких дворах")
    admin.click("form.action-revise button")
    admin.wait_for_url(re.compile(r"done=revise"))
    assert admin.locator("#status").inner_text() == "на доработке"

    revision = one_mail(smtp, 2, f"Заявка {code}: нужна доработка")
    assert "Уточните, во скольких дворах" in text_of(revision)
    link = EDIT_LINK.search(text_of(revision))
    assert link, text_of(revision)

    # The status page says so; the link from the mail opens the form, prefilled.
    page.goto(f"/submit/{code}")
    assert page.locator("#moderator-message").inner_text() == "Уточните, во скольких дворах"
    page.goto(link.group(1))
    assert page.input_value("#f-title") == "Фестиваль огней"
    page.fill("#f-title", "Фестиваль огней в сорока дворах")
    page.click("button:has-text('Отправить исправленную заявку')")
    page.wait_for_url(re.compile(r"done=resubmitted"))
    assert page.locator("#status").inner_text() == "на проверке у модератора"
    page.screenshot(path=str(artifacts / "resubmitted.png"), full_page=True)

    # The moderator sees what changed, word by word, and publishes.
    admin.goto(review_url)
    first = admin.locator("table.audit tbody tr").nth(1)
    assert first.locator(".action").inner_text() == "правка"
    assert [t.strip() for t in first.locator(".diff ins").all_inner_texts()] == ["в сорока дворах"]
    admin.click("a#preview-link")
    assert "Предпросмотр" in admin.locator("#preview-banner").inner_text()
    assert admin.locator("article.card h1").inner_text() == "Фестиваль огней в сорока дворах"
    admin.go_back()
    admin.click("form.action-approve button")
    admin.wait_for_url(re.compile(r"done=approve"))
    admin.screenshot(path=str(artifacts / "moderation-diff.png"), full_page=True)

    published = one_mail(smtp, 3, "Практика опубликована: Фестиваль огней в сорока дворах")
    public_url = re.search(rf"({re.escape(server.url)}/practices/[a-z0-9-]+)", text_of(published)).group(1)
    page.goto(public_url)
    assert page.locator("article.card h1").inner_text() == "Фестиваль огней в сорока дворах"

    # Another municipality reports that it adopted the practice.
    other = browser.new_context(**ctx).new_page()
    other.goto(public_url)
    other.click("#adoption-form summary")
    other.fill("#f-municipality", "Старооскольский городской округ")
    other.select_option("#f-region", "RU-BEL")
    other.select_option("#f-municipality-type", "urban-okrug")
    other.fill("#f-year", "2025")
    other.fill("#f-what-changed", "Осветили двенадцать дворов силами жителей")
    other.fill("#f-contact-name", "Пётр Сидоров")
    other.fill("#f-contact-email", "petr@example.org")
    other.click("button:has-text('Отправить модератору')")
    other.wait_for_url(re.compile(r"adoption=sent"))
    assert "отправлено модератору" in other.locator("#adoption-sent").inner_text()

    admin.goto("/admin/adoptions")
    assert admin.locator("[data-nav=adoptions] .count").inner_text() == "1"
    admin.click("form.action-approve button")
    admin.wait_for_url(re.compile(r"done=approve"))

    adopted = one_mail(smtp, 4, "Вашу практику внедрили: Фестиваль огней в сорока дворах")
    assert adopted["To"] == "author@example.org"

    page.goto(public_url)
    assert page.locator("#adoption-count").inner_text() == "Внедрена ещё в 1 муниципалитете"
    assert "Старооскольский городской округ" in page.locator("li.adoption").inner_text()
    page.screenshot(path=str(artifacts / "card-adopted.png"), full_page=True)

    slug = public_url.rsplit("/", 1)[1]
    api = json.loads(page.request.get(f"/api/v1/practices/{slug}").text())
    assert [a["municipality"] for a in api["adoptions"]] == ["Старооскольский городской округ"]
    changes = json.loads(page.request.get("/api/v1/changes").text())["changes"]
    [change] = [c for c in changes if c["slug"] == slug]
    assert change["kind"] == "upsert" and len(change["practice"]["adoptions"]) == 1
    feed = page.request.get("/feeds/practices.atom").text()
    assert "Внедрена ещё в 1 муниципалитете" in feed

    # Every message arrived once.
    assert len(smtp.messages) == 4 and len({m["Message-ID"] for m in smtp.messages}) == 4
    for context in (submitter, moderator, other.context):
        context.close()
