"""Examples for the OpenAPI document: one real-looking practice (the Belgorod district's youth
army units) in every shape the API gives it, and a submission. `app.api.openapi` hangs each on
its schema and derives the nested schemas' examples from them."""

from __future__ import annotations

from typing import Any

BASE = "https://practices.example.ru"
REGION = {"code": "RU-BEL", "name": "Белгородская область"}
TYPE = {"slug": "municipal-district", "name": "Муниципальный район"}
THEMES = [{"slug": "education", "name": "Образование"},
          {"slug": "youth", "name": "Молодёжная политика и патриотическое воспитание"}]
FIGURE = {"indicator": "Участников", "value_before": 120.0, "value_after": 480.0, "unit": "чел.", "period": "2021–2023"}
CONTACT = {"organisation": "Управление образования администрации района", "person": "Иванова Мария Петровна",
           "email": "edu@belrn.example.ru", "phone": "+7 (4722) 00-00-00", "website": "https://belrn.example.ru"}
AWARD = {
    "competition": {"slug": "lmp", "name": "Всероссийский конкурс «Лучшая муниципальная практика»", "short_name": "ЛМП"},
    "year": 2022,
    "nomination": {"slug": "lmp-municipal-policy", "name": "Муниципальная политика и эффективное управление"},
    "category": "I",
    "place": "3",
    "place_label": "3-е место",
    "prize": None,
    "source_url": "https://example.ru/lmp-2022-itogi",
}
ADOPTION = {
    "id": 5,
    "municipality": "Старооскольский городской округ",
    "region": REGION,
    "municipality_type": {"slug": "urban-okrug", "name": "Городской округ"},
    "year": 2024,
    "what_changed": "Отряды открыли в двенадцати школах округа по образцу района.",
    "outcome_figures": [{"indicator": "Отрядов", "value_before": 2.0, "value_after": 12.0, "unit": "шт.", "period": "2024"}],
    "approved_at": "2026-05-10T08:00:00Z",
}
SLUG = "yunarmiya-belgorod"
ITEM = {
    "id": 42,
    "slug": SLUG,
    "title": "Юнармейские отряды в школах Белгородского района",
    "summary": "Развитие юнармейского движения в общеобразовательных организациях.",
    "region": REGION,
    "municipality": "Белгородский район",
    "municipality_type": TYPE,
    "themes": THEMES,
    "year_started": 2021,
    "updated": "2026-11-20T09:30:00Z",
    "url": f"{BASE}/practices/{SLUG}",
    "api_url": f"{BASE}/api/v1/practices/{SLUG}",
    "highlights": {"title": "<mark>Юнармейские</mark> отряды в школах Белгородского района"},
}
CARD = {
    "id": 42,
    "slug": SLUG,
    "title": ITEM["title"],
    "summary": ITEM["summary"],
    "problem": "Мало кружков и секций для подростков в сёлах.",
    "solution": "Юнармейский отряд при каждой школе, общий штаб района, сборы летом.",
    "outcome": "Отряды есть во всех школах района.",
    "outcome_figures": [FIGURE],
    "region": REGION,
    "municipality": "Белгородский район",
    "municipality_type": TYPE,
    "themes": THEMES,
    "year_started": 2021,
    "resources": "Районный бюджет, гранты.",
    "partners": "Региональное отделение «Юнармии».",
    "contact": CONTACT,
    "source_url": "https://example.ru/news/yunarmiya",
    "sources": ["https://example.ru/news/yunarmiya-2023"],
    "documents": [{"title": "Положение об отрядах", "url": "https://example.ru/doc.pdf"}],
    "awards": [AWARD],
    "adoptions": [ADOPTION],
    "verified_at": "2026-10-01",
    "published_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-11-20T09:30:00Z",
    "url": ITEM["url"],
    "api_url": ITEM["api_url"],
}
LIST = {
    "items": [ITEM],
    "total": 1,
    "page": 1,
    "per_page": 20,
    "pages": 1,
    "facets": {"district": [{"value": "central", "label": "Центральный ФО", "count": 1, "selected": True}],
               "region": [{"value": "RU-BEL", "label": "Белгородская область", "count": 1, "selected": False}]},
    "links": {"self": f"{BASE}/api/v1/practices?q=юнармия&district=central", "next": None, "prev": None},
}
SUBMITTER = {"name": "Пётр Сергеевич Орлов", "organisation": "Совет муниципальных образований области",
             "email": "orlov@example.ru"}
SUBMISSION = {
    "title": "Народный бюджет в сельских поселениях",
    "summary": "Жители сами выбирают проекты благоустройства.",
    "region": "RU-KHA",
    "municipality": "Хабаровский муниципальный район",
    "municipality_type": "municipal-district",
    "themes": ["finance", "civic-participation"],
    "year_started": 2019,
    "outcome_figures": [{"indicator": "Проектов", "value_before": 3, "value_after": 41, "unit": "шт.", "period": "2019–2023"}],
    "contact": {"organisation": "Администрация района", "email": "adm@example.ru", "website": "khabrayon.example.ru"},
    "contact_public": True,
    "source_url": "https://example.ru/news/1",
    "documents": [{"title": "Положение", "url": "https://example.ru/doc.pdf"}],
    "submitter": SUBMITTER,
}

# Component schema name -> its example; nested components take theirs from these.
COMPONENTS: dict[str, Any] = {
    "PracticeList": LIST,
    "PracticeCard": CARD,
    "DistrictList": {"items": [{"slug": "central", "name": "Центральный федеральный округ",
                                "regions": ["RU-BEL", "RU-MOW"], "count": 65}]},
    "RegionList": {"items": [{"code": "RU-BEL", "name": "Белгородская область", "federal_district": "Центральный",
                              "district": "central", "count": 12}]},
    "ThemeList": {"items": [{"slug": "youth", "name": "Молодёжная политика и патриотическое воспитание",
                             "description": "Молодёжные советы, добровольчество, патриотическое воспитание.", "count": 40}]},
    "MunicipalityTypeList": {"items": [{**TYPE, "count": 80}]},
    "ChangesPage": {
        "changes": [{"seq": 1017, "kind": "upsert", "id": 42, "slug": SLUG, "practice": CARD},
                    {"seq": 1018, "kind": "delete", "id": 7, "slug": "staraya-praktika", "practice": None}],
        "next_cursor": "1018",
        "has_more": False,
        "links": {"self": f"{BASE}/api/v1/changes?since=1016", "next": f"{BASE}/api/v1/changes?since=1018", "prev": None},
    },
    "AdoptionList": {"items": [ADOPTION], "total": 1},
    "SubmissionIn": SUBMISSION,
    "SubmissionStatus": {"tracking_code": "P-1A2B3C4D", "status": "pending", "url": None},
}
# Responses whose schema is no named component, by (method, path).
RESPONSES: dict[tuple[str, str], Any] = {
    ("get", "/healthz"): {"status": "ok"},
    ("get", "/readyz"): {"status": "ok", "checks": {"database": "ok",
                                                    "outbox": {"pending": 0, "oldest_age_seconds": 0.0, "failing": 0},
                                                    "search": {"engine": "local", "status": "ok"}}},
    ("get", "/metrics"): '# HELP http_requests_total Requests\n# TYPE http_requests_total counter\n'
                         'http_requests_total{method="GET",route="/api/v1/practices",status="200"} 12.0\n',
}
PROBLEM = {"type": "about:blank", "title": "Bad Request", "status": 400,
           "detail": "Неверные параметры запроса: year_from",
           "errors": [{"field": "year_from", "message": "нужно целое число от 1991 до 2027"}]}
