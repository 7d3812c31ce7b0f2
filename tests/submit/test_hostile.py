"""Hostile input on /submit: markup, cross-site posts, huge bodies, broken encodings, bots."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.models import Practice
from app.security import MAX_BODY_BYTES
from tests.submit.helpers import (
    HOSTILE,
    assert_script_free,
    field_error,
    form_data,
    practice_by_code,
    soup,
    tracking_code,
)

TEXT_FIELDS = [
    "title", "summary", "municipality", "problem", "solution", "outcome", "resources", "partners",
    "contact.organisation", "contact.person", "outcome_figures.0.indicator", "outcome_figures.0.unit",
    "outcome_figures.0.period", "documents.0.title", "submitter.name", "submitter.organisation",
]


def _count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(Practice)).one()


def test_markup_in_every_text_field_comes_back_as_text_when_the_form_is_shown_again(client, same_site):
    hostile = {name: HOSTILE for name in TEXT_FIELDS}
    # Every value that is not free text is hostile too, and so are the references.
    hostile |= {"region": HOSTILE, "municipality_type": HOSTILE, "themes": [HOSTILE], "year_started": HOSTILE,
                "contact.email": HOSTILE, "contact.website": HOSTILE, "contact.phone": HOSTILE,
                "source_url": HOSTILE, "documents.0.url": HOSTILE, "submitter.email": HOSTILE,
                "outcome_figures.0.value_before": HOSTILE}
    response = client.post("/submit", data=form_data(**hostile), headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert_script_free(page)
    for name in TEXT_FIELDS:
        el = page.find(attrs={"name": name})
        shown = el.get_text() if el.name == "textarea" else el["value"]
        assert shown == HOSTILE, name
    # Error messages that quote a value quote it as text.
    assert field_error(page, "themes") == f"неизвестная тема «{HOSTILE}»"
    assert HOSTILE in page.find(id="error-summary").get_text()


def test_markup_is_stored_verbatim_and_escaped_on_the_tracking_page(client, session, same_site):
    fields = [n for n in TEXT_FIELDS if n not in ("outcome_figures.0.unit", "outcome_figures.0.period")]  # 50 max
    response = client.post("/submit", data=form_data(**{n: "Практика " + HOSTILE for n in fields}),
                           headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    practice = practice_by_code(session, tracking_code(response))
    assert practice.problem == "Практика " + HOSTILE  # kept as typed: escaping is the output's job
    assert_script_free(soup(client.get(response.headers["location"])))


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.testserver"},
        {"Origin": "null"},
    ],
)
def test_a_form_posted_from_another_site_is_refused(client, session, headers):
    response = client.post("/submit", data=form_data(), headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in soup(response).find("main").get_text()
    assert _count(session) == 0


def test_same_origin_post_is_accepted(client, session):
    response = client.post("/submit", data=form_data(), headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert response.status_code == 303
    assert _count(session) == 1


def test_huge_body_is_413_before_it_is_read(client, session, same_site):
    data = form_data(problem="я" * (MAX_BODY_BYTES // 2))  # percent-encoded: 6 bytes a letter
    response = client.post("/submit", data=data, headers=same_site)
    assert response.status_code == 413
    assert "1 МБ" in soup(response).find("main").get_text()
    assert _count(session) == 0


def test_huge_streamed_body_without_length_is_413(client, session, same_site):
    def chunks():  # type: ignore[no-untyped-def]
        yield b"title=" + b"a" * 1000
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"b" * 65536

    response = client.post(
        "/submit", content=chunks(),
        headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert _count(session) == 0


def test_oversize_fields_below_the_body_limit_are_field_errors(client, same_site):
    response = client.post(
        "/submit",
        data=form_data(title="т" * 5000, municipality="м" * 5000, **{"contact.email": "a" * 300 + "@example.org",
                       "documents.0.url": "https://example.org/" + "x" * 2000, "year_started": "1" * 100}),
        headers=same_site,
    )
    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, "title") == "слишком длинно: не больше 300 символов"
    assert field_error(page, "municipality") == "слишком длинно: не больше 300 символов"
    assert field_error(page, "documents.0.url") == "слишком длинно: не больше 1000 символов"
    assert field_error(page, "contact.email")
    assert field_error(page, "year_started")


@pytest.mark.parametrize(
    "body",
    [
        b"title=%FF%FE%FD+bad&region=RU-BEL",
        "title=Практика".encode("cp1251") + b"&region=RU-BEL&themes=youth",
        b"title=\xff\xfe\x00\x01&themes=%00youth&region=RU-%00BEL&submitter.name=%C3%28",
        b"%%%=%%&&&==&title",
    ],
)
def test_invalid_utf8_or_garbage_in_the_body_never_crashes(client, session, same_site, body):
    response = client.post(
        "/submit", content=body, headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 422
    page = soup(response)
    assert page.find(id="error-summary") is not None
    assert _count(session) == 0


def test_broken_utf8_is_replaced_and_control_characters_removed_when_saved(client, session, same_site):
    body = "&".join(
        f"{k}={v}" for k, v in form_data(title="x").items() if isinstance(v, str) and k != "title"
    ).encode() + b"&themes=youth&title=%D0%9F%D1%80%D0%B0%FF%D0%BA%01%00%D1%82%D0%B8%D0%BA%D0%B0"
    response = client.post("/submit", content=body, follow_redirects=False,
                           headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303, response.text[:400]
    practice = practice_by_code(session, tracking_code(response))
    assert practice.title == "Пра\ufffdктика"


def test_multipart_form_with_broken_bytes_is_read_too(client, session, same_site):
    """Starlette reads a part that is not UTF-8 as Latin-1: odd letters, never an error."""
    fields = {k: v for k, v in form_data().items() if isinstance(v, str)}
    fields["title"] = "Практика \udcff"  # not encodable: sent as raw bytes below
    boundary = "b0undary"
    parts = []
    for name, value in fields.items():
        raw = value.encode("utf-8", errors="surrogateescape")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + raw + b"\r\n")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="themes"\r\n\r\nyouth\r\n'.encode())
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = client.post("/submit", content=body, follow_redirects=False,
                           headers=same_site | {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 303, response.text[:400]
    title = practice_by_code(session, tracking_code(response)).title
    assert title.endswith("ÿ") and len(title) > 3


def test_files_other_encodings_and_too_many_fields_are_refused_clearly(client, session, same_site):
    files = client.post("/submit", files={"file": ("x.txt", b"hello")}, data=form_data(), headers=same_site)
    assert files.status_code == 400
    plain = client.post("/submit", content=b"title=x", headers=same_site | {"Content-Type": "text/plain"})
    assert plain.status_code == 415
    many = client.post("/submit", content=b"&".join(b"a%d=1" % i for i in range(2000)),
                       headers=same_site | {"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 413
    assert _count(session) == 0


def test_honeypot_filled_by_a_bot_is_refused_and_nothing_saved(client, session, same_site):
    response = client.post("/submit", data=form_data(leave_empty="http://spam.example"), headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert "поле-ловушка" in page.find(id="error-summary").get_text()
    # Shown now, with what was in it, so that a person whose browser filled it can empty it.
    trap = page.find("input", attrs={"name": "leave_empty"})
    assert trap["value"] == "http://spam.example"
    assert trap.find_parent(class_="hp") is None
    assert page.find("label", attrs={"for": trap["id"]}).get_text() == "Проверка от роботов: оставьте это поле пустым"
    assert _count(session) == 0
    # Emptied, the same form goes through.
    ok = client.post("/submit", data=form_data(leave_empty=""), headers=same_site, follow_redirects=False)
    assert ok.status_code == 303


def test_rate_limit_engages_per_address_with_retry_after(app, client, session, settings, same_site):
    settings.submit_rate_limit = 2
    settings.submit_rate_window = 600
    for _ in range(2):
        assert client.post("/submit", data=form_data(), headers=same_site, follow_redirects=False).status_code == 303
    data = form_data(title="Третья заявка подряд")
    response = client.post("/submit", data=data, headers=same_site, follow_redirects=False)
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 600
    page = soup(response)
    assert "Попробуйте снова через 10 минут" in page.find(id="error-summary").get_text()
    assert page.find("input", attrs={"name": "title"})["value"] == "Третья заявка подряд"
    assert _count(session) == 2
    # The API shares the count.
    from tests.submit.helpers import api_body

    api = client.post("/api/v1/submissions", json=api_body())
    assert api.status_code == 429 and api.headers["content-type"] == "application/problem+json"
    # Another address is not affected.
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver", client=("203.0.113.7", 5000)) as other:
        assert other.post("/submit", data=form_data(), headers=same_site, follow_redirects=False).status_code == 303
    assert _count(session) == 3


def test_the_address_is_stored_only_hashed(client, session, same_site):
    from app.models import AuditLog

    client.post("/submit", data=form_data(), headers=same_site, follow_redirects=False)
    rows = session.exec(select(AuditLog).where(AuditLog.action == "submit")).all()
    assert len(rows) == 1
    assert rows[0].actor.startswith("client:") and "testclient" not in rows[0].actor
    assert rows[0].practice_id is not None
