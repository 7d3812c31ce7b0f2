"""The published practices the page and open-data tests share: four regions, three themes,
2018–2023, with and without outcome figures, public and private contacts, and a summary with
markup in it (it must come back escaped)."""

from __future__ import annotations

from typing import Any

FIGURES = [{"indicator": "Участников", "value_before": 120, "value_after": 480, "unit": "чел.", "period": "2021–2023"}]
CONTACT = {"organisation": "Администрация района", "person": "Иванова Мария", "email": "ivanova@example.ru",
           "phone": "+7 (4722) 00-00-00", "website": "https://example.ru"}

CORPUS: list[dict[str, Any]] = [
    {"slug": "yunarmiya-belgorod", "title": "Юнармейские отряды в школах Белгородского района",
     "summary": "Развитие юнармейского движения в общеобразовательных организациях.",
     "problem": "Мало кружков для подростков.", "solution": "Отряды при каждой школе.",
     "region": "RU-BEL", "municipality": "Белгородский район", "themes": ["youth", "education"],
     "year_started": 2021, "outcome_figures": FIGURES, "contact": CONTACT, "contact_public": True,
     "documents": [{"title": "Положение об отрядах", "url": "https://example.ru/doc.pdf"}],
     "source_url": "https://example.ru/source"},
    {"slug": "dvory-belgorod", "title": "Благоустройство дворов вместе с жителями",
     "summary": "Жители выбирают, какие дворы благоустроить первыми.",
     "region": "RU-BEL", "municipality": "Старооскольский городской округ", "municipality_type": "urban-okrug",
     "themes": ["urban-environment"], "year_started": 2019, "contact": CONTACT, "contact_public": False},
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
     "summary": "Проект благоустройства набережной по итогам голосования <b>&amp; «кавычки»</b>.",
     "region": "RU-KDA", "municipality": "Краснодар", "municipality_type": "urban-okrug",
     "themes": ["urban-environment"], "year_started": 2021},
    {"slug": "shkola-vozhatyh-krasnodar", "title": "Школа вожатых для старшеклассников",
     "summary": "Подготовка вожатых для летних лагерей.",
     "region": "RU-KDA", "municipality": "Краснодар", "municipality_type": "urban-okrug",
     "themes": ["youth", "education"], "year_started": 2022},
]
