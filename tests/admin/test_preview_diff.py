"""The moderator's preview (the public template, before publishing) and the word-level diff of
the audit log."""

from __future__ import annotations

from app.web.admin.diff import Run, word_diff
from tests.submit.helpers import HOSTILE, assert_script_free, practice_by_code, soup
from tests.web.conftest import text


def test_preview_renders_the_public_card_of_a_pending_practice(admin_client, client, submit, session, same_site):
    practice = practice_by_code(session, submit(title="Предпросмотр практики", contact_public="on"))
    assert client.get(f"/practices/{practice.slug}").status_code == 404  # not public yet
    preview = admin_client.get(f"/admin/practices/{practice.id}/preview")
    assert preview.status_code == 200 and preview.headers["cache-control"] == "no-store"
    page = soup(preview)
    assert "Предпросмотр" in page.find(id="preview-banner").get_text()
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("form", class_="practice-form") is None  # no adoption form on a preview
    card = page.find("article", class_="card")
    assert card.find("h1").get_text() == "Предпросмотр практики"

    # Published, the public page shows the same card.
    admin_client.post(f"/admin/practices/{practice.id}/status", headers=same_site,
                      data={"action": "approve", "version": str(practice.version)})
    public = soup(client.get(f"/practices/{practice.slug}")).find("article", class_="card")
    again = soup(admin_client.get(f"/admin/practices/{practice.id}/preview")).find("article", class_="card")
    for node in (public, again):
        for form in node.find_all("details", class_="adoption-form"):
            form.decompose()
        for notice in node.find_all(class_="notice"):
            notice.decompose()
    assert text(public) == text(again)


def test_preview_needs_sign_in_and_escapes(client, admin_client, submit, session, same_site):
    practice = practice_by_code(session, submit(title=f"Практика {HOSTILE}"))
    assert_script_free(soup(admin_client.get(f"/admin/practices/{practice.id}/preview")))
    admin_client.post("/admin/logout", headers=same_site)
    response = client.get(f"/admin/practices/{practice.id}/preview", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert admin_client.get("/admin/practices/999999/preview", follow_redirects=False).status_code in (303, 404)


def test_word_diff_marks_only_the_changed_words():
    assert word_diff("Школьный бюджет района", "Школьный светлый бюджет") == [
        Run("same", "Школьный "), Run("ins", "светлый "), Run("same", "бюджет"), Run("del", " района")]
    assert word_diff(None, "новое") == [Run("ins", "новое")]
    long_old = " ".join(f"слово{i}" for i in range(60))
    runs = word_diff(long_old, long_old.replace("слово30", "замена"))
    assert [r.kind for r in runs] == ["same", "del", "ins", "same"]
    assert runs[0].text.startswith("… ") and runs[-1].text.endswith(" …")  # long unchanged runs shortened
    assert word_diff(["youth"], ["youth", "culture"]) == [Run("same", "youth"), Run("ins", "\nculture")]


def test_audit_shows_the_edit_as_a_diff_with_markup_escaped(admin_client, submit, session, same_site):
    from tests.admin.test_moderation import _edit

    practice = practice_by_code(session, submit(title="Школьный бюджет района"))
    _edit(admin_client, practice, same_site, title=f"Школьный светлый бюджет {HOSTILE}")
    page = soup(admin_client.get(f"/admin/practices/{practice.id}"))
    assert_script_free(page)
    row = page.find("table", class_="audit").find("tbody").find("tr")
    diff = row.find(class_="diff")
    assert " ".join(i.get_text() for i in diff.find_all("ins")).split() == ["светлый", *HOSTILE.split()]
    assert " ".join(d.get_text() for d in diff.find_all("del")).split() == ["района"]
    assert row.find("code", class_="old").get_text() == "Школьный бюджет района"  # and the whole texts, folded
