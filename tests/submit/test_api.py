"""POST /api/v1/submissions: the same rules as the form, answered in JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.catalogue.practices.schemas import URL_MESSAGE
from app.models import Practice, Status
from tests.submit.helpers import api_body, practice_by_code

PROBLEM = "application/problem+json"


def _count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(Practice)).one()


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == response.status_code
    return {e["field"]: e["message"] for e in body.get("errors", [])}


def test_accepted_submission_is_201_pending_with_location(client, session):
    body = api_body(status="published", contact={"email": "org@example.org"}, contact_public=True)
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data == {"tracking_code": data["tracking_code"], "status": "pending"}
    assert response.headers["location"] == f"/api/v1/submissions/{data['tracking_code']}"
    practice = practice_by_code(session, data["tracking_code"])
    assert practice.status == Status.pending  # "status": "published" in the body changes nothing
    assert practice.submitter_email == "ivan@example.org"

    status = client.get(response.headers["location"])
    assert status.status_code == 200
    assert status.json() == {"tracking_code": data["tracking_code"], "status": "pending"}
    assert "ivan" not in status.text


def test_explicit_nulls_are_accepted(client):
    body = api_body(summary=None, municipality=None, contact=None, documents=None, source_url=None)
    assert client.post("/api/v1/submissions", json=body).status_code == 201


@pytest.mark.parametrize("field", ["slug", "awards", "verified_at"])
def test_moderators_fields_are_refused(client, field):
    """A submitter cannot claim an address (a later import would take their record over) or awards."""
    value = {"slug": "zanyatyy-adres", "awards": [], "verified_at": "2026-01-01"}[field]
    response = client.post("/api/v1/submissions", json=api_body(**{field: value}))
    assert response.status_code == 422
    assert {"field": field, "message": "неизвестное поле"} in response.json()["errors"]


def test_schema_errors_name_each_field(client, session):
    body = api_body(title="ab", year_started=2999, source_url="ftp://x", unknown="x")
    body["submitter"] = {"name": "Иван", "email": "ivan@localhost"}
    del body["region"]
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    fields = _fields(response)
    assert fields["title"] == "слишком коротко: не меньше 3 символов"
    assert fields["region"] == "обязательное поле"
    assert fields["year_started"].startswith("год должен быть от 1991 до")
    assert fields["source_url"] == URL_MESSAGE
    assert fields["submitter.email"] == "неверный адрес электронной почты"
    assert fields["unknown"] == "неизвестное поле"
    assert _count(session) == 0


def test_the_detail_says_the_fields_are_the_bodys_not_query_parameters(client, session):
    body = api_body(title=5, contact={"email": 5, "phone": 5})
    del body["region"]
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    fields = list(_fields(response))
    assert sorted(fields) == ["contact.email", "contact.phone", "region", "title"]
    assert response.json()["detail"] == "Неверные поля тела запроса: " + ", ".join(fields)
    assert _count(session) == 0


def test_reference_and_number_errors_name_each_field(client, session):
    body = api_body(region="RU-XXX", municipality_type="kingdom", themes=["youth", "astrology"])
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    assert _fields(response) == {
        "region": "неизвестный регион «RU-XXX»",
        "municipality_type": "неизвестный тип муниципального образования «kingdom»",
        "themes.1": "неизвестная тема «astrology»",
    }
    nan = client.post(
        "/api/v1/submissions",
        content=b'{"title": "abc def", "region": "RU-BEL", "municipality_type": "municipal-district",'
        b' "themes": ["youth"], "outcome_figures": [{"indicator": "x", "value_before": NaN, "value_after": Infinity}],'
        b' "submitter": {"name": "Ivan", "email": "ivan@example.org"}}',
        headers={"Content-Type": "application/json"},
    )
    assert nan.status_code == 422
    assert _fields(nan) == {"outcome_figures.0.value_before": "нужно конечное число",
                            "outcome_figures.0.value_after": "нужно конечное число"}
    assert _count(session) == 0


def test_figures_beyond_what_a_person_can_mean_are_refused_naming_the_field(client, session):
    """1e308 passed validation and, once approved, broke the card for good (issue 13)."""
    figures = [{"indicator": "Бюджет", "value_before": 1e308, "value_after": -1e308},
               {"indicator": "Доля", "value_before": 1e16, "value_after": 1e15}]
    response = client.post("/api/v1/submissions", json=api_body(outcome_figures=figures))
    assert response.status_code == 422
    assert _fields(response) == {
        "outcome_figures.0.value_before": "нужно число не больше 1 × 10¹⁵",
        "outcome_figures.0.value_after": "нужно число не меньше −1 × 10¹⁵",
        "outcome_figures.1.value_before": "нужно число не больше 1 × 10¹⁵",
    }
    assert _count(session) == 0
    tiny = [{"indicator": "Концентрация", "value_before": 1e-300, "value_after": -1e15}]
    assert client.post("/api/v1/submissions", json=api_body(outcome_figures=tiny)).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contact_public": 0}, "contact_public", "нужно true или false"),
        ({"contact_public": "true"}, "contact_public", "нужно true или false"),
        ({"year_started": "2019"}, "year_started", "нужно целое число"),
        ({"year_started": True}, "year_started", "нужно целое число"),
        ({"outcome_figures": [{"indicator": "Проектов", "value_before": False}]},
         "outcome_figures.0.value_before", "нужно число"),
        ({"outcome_figures": [{"indicator": "Проектов", "value_after": "12"}]},
         "outcome_figures.0.value_after", "нужно число"),
        ({"contact": {"email": " "}}, "contact.email", "неверный адрес электронной почты"),
    ],
)
def test_a_value_of_another_json_type_is_refused_naming_the_field(client, session, overrides, field, message):
    """The document says boolean, integer, number, an address or "": pydantic's lax reading
    (0 as false, "12" as 12, true as 1) no longer accepts what it does not allow (found by the
    schemathesis CLI). The form reads its own text (`forms.to_payload`) and is not affected."""
    response = client.post("/api/v1/submissions", json=api_body(**overrides))
    assert response.status_code == 422
    assert _fields(response) == {field: message}
    assert _count(session) == 0


def test_an_empty_address_is_no_address_as_documented(client, session):
    body = api_body(contact={"email": "", "organisation": "Администрация"}, year_started=2019,
                    outcome_figures=[{"indicator": "Проектов", "value_before": 3, "value_after": 41.5}])
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 201
    practice = practice_by_code(session, response.json()["tracking_code"])
    assert practice.contact_email is None and practice.year_started == 2019
    assert [(f["value_before"], f["value_after"]) for f in practice.outcome_figures] == [(3, 41.5)]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"title": "\xff\xfe"}', b"[1, 2]", b'"text"', b'{"title": "\\u0000\\u0000\\u0000", "themes": ["\\u0000"]}'],
)
def test_broken_bodies_are_client_errors_in_problem_shape(client, session, content):
    response = client.post("/api/v1/submissions", content=content, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM
    assert _count(session) == 0


def test_control_characters_in_codes_are_errors_not_crashes(client, session):
    body = api_body(region="RU-\u0000BEL", themes=["you\u0000th"], title="Практика\u0000 тест")
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    # Codes are cleaned like any text (the region is found); theme slugs are taken as given.
    assert _fields(response) == {"themes.0": "неизвестная тема «you\u0000th»"}


def test_huge_body_is_413_problem(client):
    body = api_body(problem="я" * 600_000)
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_cross_site_post_is_refused(client, session):
    response = client.post("/api/v1/submissions", json=api_body(), headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert _count(session) == 0


def test_rate_limit_answers_429_with_retry_after(client, settings):
    settings.submit_rate_limit = 1
    assert client.post("/api/v1/submissions", json=api_body()).status_code == 201
    response = client.post("/api/v1/submissions", json=api_body())
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "повторите через" in response.json()["detail"]


def test_unknown_tracking_code_is_404_problem(client):
    for code in ("P-00000000", "nonsense"):
        response = client.get(f"/api/v1/submissions/{code}")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM


def test_openapi_documents_the_submission_body(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/submissions"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SubmissionIn")
    assert {"201", "403", "413", "422", "429"} <= set(op["responses"])


def test_body_that_is_not_utf8_is_a_russian_422_naming_the_body(client):
    response = client.post("/api/v1/submissions", content=b'{"title": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert _fields(response) == {"body": "тело запроса не читается: нужен JSON в кодировке UTF-8"}


@pytest.mark.parametrize("content", [b'{"title": ', b'{"title": "x",}', b"{'title': 'x'}", b'{"title": "x"} trailing'])
def test_malformed_json_names_the_body_in_russian_not_a_byte_offset(client, session, content):
    response = client.post("/api/v1/submissions", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert _fields(response) == {"body": "тело запроса не читается: неверный JSON (проверьте кавычки, скобки и запятые)"}
    assert _count(session) == 0


INVISIBLE = ["\u2060\u2060\u2060\u2060", "\u200b\u200c\u200d\ufeff", "\u200e\u200f\u200e", "\u00ad\u00ad\u00ad",
             "\u0301\u0301\u0301", "\u3000\u2003\u00a0", "\u2800\u2800\u2800", "\u3164\u3164\u3164", "\u180e\u2063\u2061"]


@pytest.mark.parametrize("blank", INVISIBLE, ids=lambda t: "-".join(f"{ord(c):04x}" for c in t))
def test_a_title_of_invisible_characters_is_no_title(client, session, blank):
    body = api_body(title=blank, summary=blank, submitter={"name": blank, "email": "ivan@example.org"})
    response = client.post("/api/v1/submissions", json=body)
    assert response.status_code == 422
    assert _fields(response) == {"title": "обязательное поле", "submitter.name": "обязательное поле"}
    assert _count(session) == 0


def test_visible_text_with_marks_and_emoji_is_kept(client, session):
    response = client.post("/api/v1/submissions", json=api_body(title="Пра\u0301ктика \U0001F333 двора"))
    assert response.status_code == 201
    assert practice_by_code(session, response.json()["tracking_code"]).title == "Пра\u0301ктика \U0001F333 двора"


def test_lone_surrogates_are_a_russian_error_naming_each_field(client, session):
    content = (b'{"title": "\\ud800abc", "region": "RU-BEL", "municipality_type": "municipal-district",'
               b' "themes": ["\\udc00"], "submitter": {"name": "\\ud800\\ud800", "email": "a@example.org"}}')
    response = client.post("/api/v1/submissions", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    fields = _fields(response)
    assert set(fields) == {"title", "themes.0", "submitter.name"}
    assert all(m.startswith("текст не читается") for m in fields.values())
    assert _count(session) == 0


def test_openapi_declares_the_problem_422_of_the_status_lookup(client):
    doc = client.get("/openapi.json").json()
    responses = doc["paths"]["/api/v1/submissions/{tracking_code}"]["get"]["responses"]
    assert "application/problem+json" in responses["422"]["content"]
    response = client.get("/api/v1/submissions/" + "X" * 30)
    assert response.status_code == 422 and _fields(response) == {"tracking_code": "слишком длинно: не больше 20 символов"}
