"""Markup typed into a submission is text on every page that shows it: queue, review, audit log,
and once approved the public card and search results."""

from __future__ import annotations

from tests.submit.helpers import HOSTILE, assert_script_free, practice_by_code, soup
from tests.submit.test_hostile import TEXT_FIELDS

SHORT = '<img src=x onerror=alert(1)>'  # fits the 50-character fields


def test_hostile_text_is_escaped_in_queue_review_audit_and_public_pages(admin_client, submit, session, same_site):
    values = {name: "Практика " + HOSTILE for name in TEXT_FIELDS}
    values["outcome_figures.0.unit"] = SHORT
    values["outcome_figures.0.period"] = SHORT
    practice = practice_by_code(session, submit(**values))

    queue = soup(admin_client.get("/admin"))
    assert_script_free(queue)
    assert queue.find("table", class_="queue").find("a").get_text() == "Практика " + HOSTILE

    review = soup(admin_client.get(f"/admin/practices/{practice.id}"))
    assert_script_free(review)
    assert review.find("h1").get_text() == "Практика " + HOSTILE
    assert review.find("input", attrs={"name": "outcome_figures.0.unit"})["value"] == SHORT
    assert review.find("textarea", attrs={"name": "solution"}).get_text() == "Практика " + HOSTILE
    assert "Практика " + HOSTILE in review.find("dl", class_="submitter").get_text()

    # An edit puts the hostile text into the audit log (old → new), a rejection note too.
    form = {"version": str(practice.version), "title": HOSTILE + " новое", "region": "RU-BEL",
            "municipality_type": "municipal-district", "themes": ["youth"]}
    assert admin_client.post(f"/admin/practices/{practice.id}", data=form, headers=same_site,
                             follow_redirects=False).status_code == 303
    practice = practice_by_code(session, practice.tracking_code)
    response = admin_client.post(f"/admin/practices/{practice.id}/status",
                                 data={"action": "reject", "note": HOSTILE, "version": str(practice.version)},
                                 headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    review = soup(admin_client.get(response.headers["location"]))
    assert_script_free(review)
    audit = review.find("table", class_="audit")
    olds = [c.get_text() for c in audit.find_all("code", class_="old")]
    news = [c.get_text() for c in audit.find_all("code", class_="new")]
    assert "Практика " + HOSTILE in olds and HOSTILE + " новое" in news
    assert HOSTILE in news  # the rejection note
    assert review.find(class_="moderation-note").get_text() == HOSTILE

    # Published: the public pages escape it too.
    practice = practice_by_code(session, practice.tracking_code)
    admin_client.post(f"/admin/practices/{practice.id}/status", data={"action": "approve", "version": str(practice.version)},
                      headers=same_site)
    practice = practice_by_code(session, practice.tracking_code)
    assert practice.status.value == "published"
    for url in (f"/practices/{practice.slug}", "/practices?q=практика", "/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_script_free(soup(response))


def test_a_hostile_username_on_the_login_page_is_text(client, same_site):
    response = client.post("/admin/login", data={"username": HOSTILE, "password": "x" * 12}, headers=same_site)
    page = soup(response)
    assert_script_free(page)
    assert page.find("input", attrs={"name": "username"})["value"] == HOSTILE
