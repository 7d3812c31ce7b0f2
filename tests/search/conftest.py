"""Engines and a small corpus of realistic practices for the engine conformance suite.

To run the suite against another engine, add its name to the `engine` fixture's params and a
branch to `make_engine`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.search.base import SearchIndex

BASE_TIME = 1_700_000_000.0
DAY = 86_400.0


def make_engine(name: str, tmp_path: Path, request: pytest.FixtureRequest | None = None) -> SearchIndex:
    """A fresh, configured, empty engine of the given kind."""
    from app.settings import SEED_DIR

    thesaurus = SEED_DIR / "thesaurus.csv"  # the one the service uses
    if name == "local":
        from app.search.local import LocalIndex

        index: SearchIndex = LocalIndex(tmp_path / "search.db", thesaurus=thesaurus)
    elif name == "meilisearch":
        import uuid

        from app.search.meili import MeiliIndex

        assert request is not None
        server = request.getfixturevalue("meili_server")
        uid = f"conformance_{uuid.uuid4().hex[:12]}"
        request.addfinalizer(lambda: server.delete_indexes(uid))
        index = MeiliIndex(url=server.url, api_key=server.master_key, name=uid, thesaurus=thesaurus)
    else:
        raise ValueError(f"unknown engine {name!r}")
    index.configure()
    index.clear()
    return index


@pytest.fixture(params=["local", pytest.param("meilisearch", marks=pytest.mark.meili)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    index = make_engine(request.param, tmp_path, request)
    try:
        yield index
    finally:
        index.close()


@pytest.fixture
def loaded(engine: SearchIndex) -> SearchIndex:
    """The engine holding the whole corpus."""
    engine.upsert(corpus())
    return engine


def practice(doc_id: int, title: str, **fields: Any) -> dict[str, Any]:
    """A search document with exactly the keys `app.search.documents` gives."""
    doc: dict[str, Any] = {
        "id": doc_id,
        "slug": f"practice-{doc_id}",
        "title": title,
        "summary": "",
        "problem": "",
        "solution": "",
        "outcome": "",
        "municipality": "",
        "region": "RU-BEL",
        "region_name": "Белгородская область",
        "federal_district": "central",
        "municipality_type": "urban-okrug",
        "themes": [],
        "awards": [],
        "tags": [],
        "year_started": 2020,
        "has_figures": False,
        "published_at": BASE_TIME + doc_id * DAY,
        "updated_at": BASE_TIME + doc_id * DAY,
        "version": 1,
    }
    unknown = set(fields) - set(doc)
    assert not unknown, f"not a document key: {unknown}"
    doc.update(fields)
    return doc


REGIONS = {
    "RU-BEL": ("Белгородская область", "Центральный"),
    "RU-TA": ("Республика Татарстан", "Приволжский"),
    "RU-MOW": ("Москва", "Центральный"),
    "RU-SPE": ("Санкт-Петербург", "Северо-Западный"),
    "RU-NVS": ("Новосибирская область", "Сибирский"),
    "RU-KDA": ("Краснодарский край", "Южный"),
}


def _in(region: str) -> dict[str, str]:
    name, district = REGIONS[region]
    return {"region": region, "region_name": name, "federal_district": district}


SCRIPT_TITLE = "<script>alert(1)</script> Опасный заголовок про благоустройство"


def corpus() -> list[dict[str, Any]]:
    """Fifteen practices; tests rely on which words each one holds (see comments)."""
    return [
        practice(
            1,
            "Юнармейский отряд при сельской школе",
            summary="Создание юнармейских отрядов и военно-патриотическое воспитание подростков.",
            solution="Школа и ветераны вместе проводят сборы, походы и соревнования.",
            municipality="Село Никольское",
            municipality_type="rural-settlement",
            themes=["patriotic", "youth"],
            year_started=2019,
            has_figures=True,
            **_in("RU-BEL"),
        ),
        practice(
            2,
            "Совет по межконфессиональному диалогу",
            summary="Встречи религиозных организаций ради межконфессионального согласия в районе.",
            outcome="Снизилось число конфликтов.",
            municipality="Альметьевский район",
            municipality_type="municipal-district",
            themes=["society"],
            year_started=2018,
            has_figures=True,
            **_in("RU-TA"),
        ),
        practice(
            3,
            "Новогодняя ёлка на главной площади",
            summary="Праздничное оформление центра и конкурс украшений для дворов.",
            municipality="Москва",
            municipality_type="federal-city",
            themes=["culture"],
            year_started=2021,
            **_in("RU-MOW"),
        ),
        practice(
            4,
            "Елочный базар для многодетных семей",
            summary="Бесплатные деревья и игрушки для семей с детьми.",
            municipality="Старый Оскол",
            themes=["culture", "social"],
            year_started=2022,
            **_in("RU-BEL"),
        ),
        practice(
            5,
            "Благоустройство дворовых территорий с участием жителей",
            summary="Жители сами выбирают, что появится во дворе: лавочки, площадки, освещение.",
            municipality="Санкт-Петербург",
            municipality_type="federal-city",
            themes=["housing", "urban"],
            year_started=2020,
            has_figures=True,
            **_in("RU-SPE"),
        ),
        practice(
            6,
            "Инициативное бюджетирование в городском округе",
            summary="Жители предлагают проекты, а округ софинансирует лучшие из них.",
            municipality="Набережные Челны",
            themes=["budget"],
            year_started=2017,
            has_figures=True,
            **_in("RU-TA"),
        ),
        practice(
            7,
            "Раздельный сбор отходов в многоквартирных домах",
            summary="Контейнеры для пластика и стекла во дворах, просвещение жителей.",
            problem="Полигоны переполнены, экологическая обстановка ухудшается.",
            municipality="Москва",
            municipality_type="federal-city",
            themes=["ecology"],
            year_started=2021,
            has_figures=True,
            **_in("RU-MOW"),
        ),
        practice(
            8,
            "Школьное инициативное бюджетирование",
            summary="Ученики распределяют часть бюджета на улучшение своей школы.",
            municipality="Белгород",
            themes=["budget", "youth"],
            year_started=2022,
            **_in("RU-BEL"),
        ),
        practice(
            9,
            "Цифровая платформа для обращений граждан",
            summary="Единое окно для жалоб и предложений с ответом в срок.",
            municipality="Новосибирск",
            themes=["digital"],
            year_started=None,
            **_in("RU-NVS"),
        ),
        practice(
            10,
            "Модернизация уличного освещения",
            summary="Светодиодные светильники и удалённое управление сетью.",
            municipality="Бердск",
            themes=["energy", "housing"],
            year_started=2016,
            has_figures=True,
            **_in("RU-NVS"),
        ),
        practice(
            11,
            "Муниципальный центр поддержки предпринимательства",
            summary="Консультации, обучение и помещения для начинающих предпринимателей.",
            outcome="Выданы гранты, открыто сорок новых предприятий.",
            municipality="Выборг",
            themes=["economy"],
            year_started=2019,
            has_figures=True,
            **_in("RU-SPE"),
        ),
        practice(
            12,
            "Волонтёрский корпус для пожилых людей",
            summary="Студенты помогают одиноким пенсионерам с покупками и лекарствами.",
            municipality="Казань",
            themes=["social"],
            year_started=2020,
            **_in("RU-TA"),
        ),
        practice(
            13,
            "Экологическая тропа в городском парке",
            summary="Дорожки из гранита, информационные стенды о растениях и птицах парка.",
            municipality="Сочи",
            themes=["ecology", "tourism"],
            year_started=2018,
            **_in("RU-KDA"),
        ),
        practice(
            14,
            "Краеведческий музей под открытым небом",
            summary="Экспозиция старинных построек и ремёсел, экскурсии для школьников.",
            municipality="Станица Тамань",
            municipality_type="rural-settlement",
            themes=["culture", "tourism"],
            year_started=2015,
            **_in("RU-KDA"),
        ),
        practice(
            15,
            SCRIPT_TITLE,
            summary='Проверка экранирования: <b>жирный</b> & "кавычки" в описании благоустройства.',
            municipality="Москва",
            municipality_type="federal-city",
            themes=["housing"],
            year_started=2023,
            **_in("RU-MOW"),
        ),
    ]
