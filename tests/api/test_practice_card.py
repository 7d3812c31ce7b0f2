"""GET /api/v1/practices/{id or slug} and the reference lists with published counts."""

from __future__ import annotations

import pytest

from tests.api.conftest import MODERATION_NOTE, SUBMITTER_EMAIL, error_fields, problem_of
from tests.corpus import CONTACT

PUBLIC_FIELDS = {
    "id", "slug", "title", "summary", "problem", "solution", "outcome", "outcome_figures", "region",
    "municipality", "municipality_type", "themes", "year_started", "resources", "partners", "contact",
    "source_url", "sources", "documents", "awards", "adoptions", "verified_at", "published_at", "updated_at", "url", "api_url",
}


def test_card_by_id_and_by_slug_is_the_same(client, corpus):
    practice = corpus["yunarmiya-belgorod"]
    by_id = client.get(f"/api/v1/practices/{practice.id}")
    by_slug = client.get("/api/v1/practices/yunarmiya-belgorod")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json() == by_slug.json()
    assert by_id.headers["content-type"] == "application/json"


def test_card_has_every_public_field_and_no_private_one(client, corpus):
    card = client.get("/api/v1/practices/yunarmiya-belgorod").json()
    assert set(card) == PUBLIC_FIELDS
    assert card["problem"] == "Мало кружков для подростков."
    assert card["solution"] == "Отряды при каждой школе."
    assert card["outcome_figures"] == [{"indicator": "Участников", "value_before": 120, "value_after": 480,
                                        "unit": "чел.", "period": "2021–2023"}]
    assert card["documents"] == [{"title": "Положение об отрядах", "url": "https://example.ru/doc.pdf"}]
    assert card["source_url"] == "https://example.ru/source"
    assert card["contact"] == CONTACT  # contact_public: shown
    assert card["region"] == {"code": "RU-BEL", "name": "Белгородская область"}
    assert card["published_at"] and card["updated_at"]
    raw = client.get("/api/v1/practices/yunarmiya-belgorod").text
    for secret in (SUBMITTER_EMAIL, "Пётр Секретов", MODERATION_NOTE, "tracking_code", "submitter", "status"):
        assert secret not in raw


def test_contact_hidden_unless_public(client, corpus):
    card = client.get("/api/v1/practices/dvory-belgorod").json()
    assert card["contact"] is None
    assert CONTACT["email"] not in client.get("/api/v1/practices/dvory-belgorod").text


@pytest.mark.parametrize("key", ["tajnaya-pending", "tajnaya-rejected", "tajnaya-archived", "no-such-slug", "999999",
                                 "Bad Slug", "%3Cscript%3E", "%C2%B2"])  # "²": a digit to str.isdigit only
def test_unpublished_or_unknown_is_404_problem(client, corpus, key):
    response = client.get(f"/api/v1/practices/{key}")
    assert response.status_code == 404
    assert problem_of(response)["detail"]


def test_hidden_ids_are_404_too(client, corpus, session):
    from sqlmodel import select

    from app.models import Practice, Status

    hidden = session.exec(select(Practice.id).where(Practice.status != Status.published)).all()
    assert len(hidden) == 3
    for practice_id in hidden:
        assert client.get(f"/api/v1/practices/{practice_id}").status_code == 404


def test_card_refuses_query_parameters(client, corpus):
    assert error_fields(client.get("/api/v1/practices/dvory-belgorod", params={"fields": "title"})) == ["fields"]


def test_regions_with_published_counts(client, corpus):
    body = client.get("/api/v1/regions").json()
    regions = {r["code"]: r for r in body["items"]}
    assert len(regions) > 80  # every federal subject, with or without practices
    assert regions["RU-BEL"] == {"code": "RU-BEL", "name": "Белгородская область",
                                 "federal_district": "Центральный", "district": "central", "count": 2}
    assert regions["RU-SVE"]["count"] == 2  # the archived one does not count
    assert regions["RU-NVS"]["count"] == 0
    assert sum(r["count"] for r in regions.values()) == 8


def test_districts_with_their_regions_and_counts(client, corpus):
    body = client.get("/api/v1/districts").json()
    districts = {d["slug"]: d for d in body["items"]}
    assert set(districts) == {"central", "northwestern", "southern", "north-caucasian", "volga", "ural", "siberian",
                              "far-eastern"}
    assert districts["volga"]["name"] == "Приволжский федеральный округ"
    assert "RU-TA" in districts["volga"]["regions"] and "RU-BEL" in districts["central"]["regions"]
    assert districts["central"]["count"] == 2 and districts["siberian"]["count"] == 0
    regions = client.get("/api/v1/regions").json()["items"]
    assert sorted(r["code"] for r in regions) == sorted(c for d in districts.values() for c in d["regions"])


def test_themes_with_published_counts(client, corpus):
    themes = {t["slug"]: t for t in client.get("/api/v1/themes").json()["items"]}
    assert themes["youth"]["count"] == 4  # not the pending or rejected "youth" practices
    assert themes["education"]["count"] == 4  # not the archived one
    assert themes["urban-environment"]["count"] == 3
    assert themes["youth"]["name"] == "Молодёжная политика и патриотическое воспитание"
    assert themes["ecology"]["count"] == 0


def test_municipality_types_with_published_counts(client, corpus):
    types = {t["slug"]: t for t in client.get("/api/v1/municipality-types").json()["items"]}
    assert types["urban-okrug"] == {"slug": "urban-okrug", "name": "Городской округ", "count": 6}
    assert types["municipal-district"]["count"] == 1
    assert types["rural-settlement"]["count"] == 0


@pytest.mark.parametrize("path", ["/api/v1/regions", "/api/v1/themes", "/api/v1/municipality-types"])
def test_reference_lists_refuse_parameters(client, path):
    assert error_fields(client.get(path, params={"lang": "en"})) == ["lang"]
