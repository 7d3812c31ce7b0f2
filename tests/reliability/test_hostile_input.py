"""The hostile-input corpus (`tests.reliability.hostile`) against every public POST (the
submission API, the submission form, the private edit link, the adoption report, the moderators'
sign-in) and every query parameter of /api/v1/practices and /practices, over real HTTP: the answer
is never a 5xx; an error is a 4xx in Russian that names the field (problem+json for the API, the
page with its error summary for people); the server log holds no traceback.

Figures of one run (SQLite and PostgreSQL, local engine and Meilisearch alike; each test asserts
its own count): API submissions 19 fields × 46 values + 12 whole bodies = 886 requests; the form
29 fields × 36 values = 1,044; the edit link 26 × 36 = 936; the adoption report 12 × 36 = 432;
the sign-in 3 × 36 = 108; the query parameters 13 × 36 × 2 addresses + 6 hostile names × 2 = 948;
the moderation queue's 10 parameters × 36 = 360. In all 4,714 requests, 5xx seen 0, tracebacks 0.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from bs4 import BeautifulSoup

from app.catalogue.practices import tokens
from app.catalogue.practices.forms import field_id
from app.db import session_scope
from app.models import Practice
from app.search.params import LIST, PAGE
from app.web.admin import auth
from tests.moderation import PASSWORD
from tests.reliability.conftest import assert_no_traceback
from tests.reliability.hostile import JSON_VALUES, RAW_BODIES, RAW_FORM_VALUES, RAW_JSON_VALUES, TEXTS, russian
from tests.submit.helpers import api_body, form_data

PROBLEM = "application/problem+json"
API_FIELDS = [
    "title", "summary", "problem", "region", "municipality", "municipality_type", "themes.0", "year_started",
    "outcome_figures.0.indicator", "outcome_figures.0.value_before", "outcome_figures.0.unit", "contact.email",
    "contact.phone", "contact.website", "source_url", "documents.0.url", "submitter.name", "submitter.email",
    "contact_public",
]
ADOPTION = {"municipality": "Город Старый Оскол", "region": "RU-BEL", "municipality_type": "urban-okrug",
            "year": "2024", "what_changed": "Провели три встречи с жителями", "contact.name": "Анна Смирнова",
            "contact.organisation": "Администрация", "contact.email": "anna@example.org",
            "contact.phone": "+7 900 000-00-00", "outcome_figures.0.indicator": "Встреч",
            "outcome_figures.0.value_before": "0", "outcome_figures.0.value_after": "3"}
QUEUE_PARAMS = ["status", "region", "theme", "q", "from", "to", "page", "done", "n", "skipped"]
HOSTILE_NAMES = ["<script>", "%00", "%FF%FE", "q%5B%5D", "a" * 2000, "__proto__"]


@pytest.fixture
def unlimited(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Hundreds of requests from one address: the rate limits are not what is tested here."""
    settings.submit_rate_limit = 0
    monkeypatch.setattr(auth, "LOGIN_LIMIT", 100_000)


def _values() -> list[tuple[str, Any]]:
    return [*TEXTS.items(), *JSON_VALUES.items()]


def _base_body() -> dict[str, Any]:
    return api_body(summary="Кратко", problem="Проблема", municipality="Белгородский район", year_started=2020,
                    contact={"email": "a@example.org", "phone": "+7 900 000-00-00", "website": "https://example.org"},
                    source_url="https://example.org/news", documents=[{"title": "Положение", "url": "https://example.org/d"}],
                    outcome_figures=[{"indicator": "Проектов", "value_before": 1, "value_after": 5, "unit": "шт."}])


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node: Any = body
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


def _named(field: str, named: list[str]) -> bool:
    """Whether the errors name `field` (or a part of it, or the whole body); "*": any field will do."""
    return field == "*" or any(f == field or f.startswith(field + ".") or field.startswith(f + ".") or f == "body" for f in named)


def _check_problem(response: httpx.Response, field: str, tally: Counter[int]) -> None:
    tally[response.status_code] += 1
    assert response.status_code < 500, (field, response.text[:300])
    if response.status_code < 400:
        return
    assert response.headers["content-type"] == PROBLEM, (field, response.status_code)
    body = response.json()
    assert russian(body["detail"]), (field, body)
    if response.status_code == 422:
        assert all(russian(e["message"]) for e in body["errors"]), (field, body)
        assert _named(field, [e["field"] for e in body["errors"]]), (field, body)


def _check_page(response: httpx.Response, field: str, tally: Counter[int], summary: bool = True) -> None:
    tally[response.status_code] += 1
    assert response.status_code < 500, (field, response.text[:300])
    if response.status_code < 400:
        return
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html.get("lang") == "ru", field
    main = page.find("main") or page
    assert russian(main.get_text()), field
    if response.status_code == 422 and summary:
        links = {a["href"] for a in (page.find(id="error-summary") or page).find_all("a", href=True)}
        assert f"#{field_id(field)}" in links, (field, links)


def test_every_field_of_the_submission_api(live, unlimited, server_log):
    tally: Counter[int] = Counter()
    with live.client() as http:
        for field in API_FIELDS:
            for _, value in _values():
                _check_problem(http.post("/api/v1/submissions", json=_set(_base_body(), field, value)), field, tally)
            for raw in RAW_JSON_VALUES.values():
                content = json.dumps(_set(_base_body(), field, "__HOSTILE__")).replace('"__HOSTILE__"', raw)
                response = http.post("/api/v1/submissions", content=content.encode(),
                                     headers={"Content-Type": "application/json"})
                _check_problem(response, field, tally)
        for content, ctype in RAW_BODIES.values():
            response = http.post("/api/v1/submissions", content=content, headers={"Content-Type": ctype})
            _check_problem(response, "*", tally)  # a body read as JSON names the fields it lacks
            assert 400 <= response.status_code < 500
    assert sum(tally.values()) == len(API_FIELDS) * (len(TEXTS) + len(JSON_VALUES) + len(RAW_JSON_VALUES)) + len(RAW_BODIES)
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)


def _form_fields() -> list[str]:
    return [name for name in form_data() if name != "themes"] + ["themes", "contact_public", "slug"]


def _encoded(data: dict[str, Any], field: str, raw: str) -> bytes:
    pairs = [(k, v) for k, values in data.items() if k != field for v in (values if isinstance(values, list) else [values])]
    return (urlencode(pairs) + f"&{quote(field)}={raw}").encode()


def test_every_field_of_the_submission_form(live, unlimited, server_log):
    tally: Counter[int] = Counter()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with live.client() as http:
        for field in _form_fields():
            for value in TEXTS.values():
                _check_page(http.post("/submit", data=form_data(**{field: value})), field, tally)
            for raw in RAW_FORM_VALUES.values():
                _check_page(http.post("/submit", content=_encoded(form_data(), field, raw), headers=headers), field, tally)
    assert sum(tally.values()) == len(_form_fields()) * (len(TEXTS) + len(RAW_FORM_VALUES))
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)


def test_every_field_of_the_edit_link(live, unlimited, app, make_practice, server_log):
    """The private edit link (/submit/edit/{token}) takes the form again; a link spent by an
    accepted value is replaced by a fresh one."""

    def fresh_link() -> str:
        practice = make_practice(status="revision")
        with session_scope(app.state.engine) as s:
            token, _ = tokens.issue(s, s.get(Practice, practice.id), app.state.settings.secret_key, 14)
        return f"/submit/edit/{token}"

    url = fresh_link()
    fields = [f for f in _form_fields() if not f.startswith("submitter.")]
    tally: Counter[int] = Counter()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with live.client() as http:
        for field in fields:
            for value in TEXTS.values():
                response = http.post(url, data=form_data(**{field: value}))
                _check_page(response, field, tally)
                url = fresh_link() if response.status_code == 303 else url
            for raw in RAW_FORM_VALUES.values():
                response = http.post(url, content=_encoded(form_data(), field, raw), headers=headers)
                _check_page(response, field, tally)
                url = fresh_link() if response.status_code == 303 else url
    assert sum(tally.values()) == len(fields) * (len(TEXTS) + len(RAW_FORM_VALUES))
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)


def test_every_field_of_the_adoption_report(live, unlimited, make_practice, server_log):
    practice = make_practice()
    url = f"/practices/{practice.slug}/adoptions"
    tally: Counter[int] = Counter()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with live.client() as http:
        for field in ADOPTION:
            for value in TEXTS.values():
                _check_page(http.post(url, data=ADOPTION | {field: value}), field, tally, summary=False)
            for raw in RAW_FORM_VALUES.values():
                _check_page(http.post(url, content=_encoded(ADOPTION, field, raw), headers=headers), field, tally,
                            summary=False)
    assert sum(tally.values()) == len(ADOPTION) * (len(TEXTS) + len(RAW_FORM_VALUES))
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)


def test_every_field_of_the_sign_in(live, unlimited, moderator, server_log):
    tally: Counter[int] = Counter()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    base = {"username": moderator, "password": "не тот пароль", "next": "/admin"}
    with live.client() as http:
        for field in base:
            for value in TEXTS.values():
                _check_page(http.post("/admin/login", data=base | {field: value}), field, tally, summary=False)
            for raw in RAW_FORM_VALUES.values():
                _check_page(http.post("/admin/login", content=_encoded(base, field, raw), headers=headers), field,
                            tally, summary=False)
    assert set(tally) <= {401}, tally
    assert sum(tally.values()) == len(base) * (len(TEXTS) + len(RAW_FORM_VALUES))
    assert_no_traceback(server_log)


def test_every_query_parameter_of_the_search(live, make_practice, server_log):
    for n in range(3):
        make_practice(title=f"Народный бюджет {n}", year_started=2020 + n)
    assert LIST.params == PAGE.params
    tally: Counter[int] = Counter()
    with live.client() as http:
        for param in LIST.params:
            for raw in [quote(v, safe="") for v in TEXTS.values()] + list(RAW_FORM_VALUES.values()):
                _check_problem(http.get(f"/api/v1/practices?{param}={raw}"), param, tally)
                _check_page(http.get(f"/practices?{param}={raw}"), param, tally, summary=False)
        for name in HOSTILE_NAMES:
            api = http.get(f"/api/v1/practices?{name}=1")
            _check_problem(api, "body", tally)
            assert api.status_code == 400
            _check_page(http.get(f"/practices?{name}=1"), name, tally, summary=False)
    assert sum(tally.values()) == 2 * (len(LIST.params) * (len(TEXTS) + len(RAW_FORM_VALUES)) + len(HOSTILE_NAMES))
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)


def test_every_query_parameter_of_the_moderation_queue(live, moderator, server_log):
    """Not public, but a moderator's typo must not be a 500 either (a NUL in `q` was one on PostgreSQL)."""
    tally: Counter[int] = Counter()
    with live.client() as http:
        assert http.post("/admin/login", data={"username": moderator, "password": PASSWORD}).status_code == 303
        for param in QUEUE_PARAMS:
            for raw in [quote(v, safe="") for v in TEXTS.values()] + list(RAW_FORM_VALUES.values()):
                _check_page(http.get(f"/admin?{param}={raw}"), param, tally, summary=False)
    assert sum(tally.values()) == len(QUEUE_PARAMS) * (len(TEXTS) + len(RAW_FORM_VALUES))
    assert not any(code >= 500 for code in tally), tally
    assert_no_traceback(server_log)
