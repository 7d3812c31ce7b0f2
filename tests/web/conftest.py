"""A realistic corpus for the public pages: four regions, three themes, several years, with and
without outcome figures, plus practices that must never show (pending, rejected)."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

FIGURES = [{"indicator": "Участников", "value_before": 120, "value_after": 480, "unit": "чел.", "period": "2021–2023"}]

CORPUS: list[dict[str, Any]] = [
    {"slug": "yunarmiya-belgorod", "title": "Юнармейские отряды в школах Белгородского района",
     "summary": "Развитие юнармейского движения в общеобразовательных организациях.",
     "region": "RU-BEL", "municipality": "Белгородский район", "themes": ["youth", "education"],
     "year_started": 2021, "outcome_figures": FIGURES},
    {"slug": "dvory-belgorod", "title": "Благоустройство дворов вместе с жителями",
     "summary": "Жители выбирают, какие дворы благоустроить первыми.",
     "region": "RU-BEL", "municipality": "Старооскольский городской округ", "municipality_type": "urban-okrug",
     "themes": ["urban-environment"], "year_started": 2019},
    {"slug": "shkolnye-dvory-kazan", "title": "Школьные дворы как общественные пространства",
     "summary": "Пришкольные территории открыты для жителей по вечерам.",
     "region": "RU-TA", "municipality": "Казань", "municipality_type": "urban-okrug",
     "themes": ["urban-environment", "education"], "year_started": 2022,
     "outcome_figures": [{"indicator": "Открытых дворов", "value_before": 3, "value_after": 27, "unit": "шт."}]},
    {"slug": "molodezhnyj-sovet-kazan", "title": "Молодёжный совет при главе города",
     "summary": "Молодёжь участвует в решениях администрации.",
     "region": "RU-TA", "municipality": "Казань", "municipality_type": "urban-okrug",
     "themes": ["youth"], "year_started": 2018},
    {"slug": "robototehnika-ekb", "title": "Кружки робототехники в сельских школах",
     "summary": "Дополнительное образование для детей из сёл.",
     "region": "RU-SVE", "municipality": "Каменский муниципальный округ", "municipality_type": "municipal-okrug",
     "themes": ["education"], "year_started": 2023, "outcome_figures": FIGURES},
    {"slug": "volontery-ekb", "title": "Добровольческие штабы молодёжи",
     "summary": "Волонтёры помогают пожилым жителям.",
     "region": "RU-SVE", "municipality": "Екатеринбург", "municipality_type": "urban-okrug",
     "themes": ["youth"], "year_started": 2020},
    {"slug": "naberezhnaya-krasnodar", "title": "Набережная, которую придумали жители",
     "summary": "Проект благоустройства набережной по итогам голосования.",
     "region": "RU-KDA", "municipality": "Краснодар", "municipality_type": "urban-okrug",
     "themes": ["urban-environment"], "year_started": 2021},
    {"slug": "shkola-vozhatyh-krasnodar", "title": "Школа вожатых для старшеклассников",
     "summary": "Подготовка вожатых для летних лагерей.",
     "region": "RU-KDA", "municipality": "Краснодар", "municipality_type": "urban-okrug",
     "themes": ["youth", "education"], "year_started": 2022},
]
HIDDEN: list[dict[str, Any]] = [
    {"slug": "skrytaya-pending", "title": "Неопубликованная практика про дворы", "region": "RU-BEL",
     "themes": ["urban-environment"], "status": "pending"},
    {"slug": "skrytaya-rejected", "title": "Отклонённая практика про молодёжь", "region": "RU-NVS",
     "themes": ["youth"], "status": "rejected"},
]


@pytest.fixture
def corpus(make_practice) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Slug -> Practice for the published corpus (the hidden ones exist too, but never show)."""
    out = {item["slug"]: make_practice(**item) for item in CORPUS}
    for item in HIDDEN:
        make_practice(**item)
    return out


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def text(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.get_text(" ").split())
