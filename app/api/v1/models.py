"""What the v1 API answers: pydantic models, so the OpenAPI schema is exact.

Only public fields exist here: no submitter, tracking code, status or moderation note; a
contact only when its practice says `contact_public`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class RegionRef(_Out):
    code: str = Field(description="Код субъекта РФ", examples=["RU-BEL"])
    name: str = Field(examples=["Белгородская область"])


class ThemeRef(_Out):
    slug: str = Field(examples=["youth"])
    name: str = Field(examples=["Молодёжная политика"])


class MunicipalityTypeRef(_Out):
    slug: str = Field(examples=["municipal-district"])
    name: str = Field(examples=["Муниципальный район"])


class PracticeItem(_Out):
    id: int
    slug: str
    title: str
    summary: str | None
    region: RegionRef
    municipality: str | None
    municipality_type: MunicipalityTypeRef
    themes: list[ThemeRef]
    year_started: int | None
    updated: datetime = Field(description="Когда карточка менялась в последний раз")
    url: str = Field(description="Страница практики на сайте каталога")
    api_url: str = Field(description="Полная карточка в API")
    highlights: dict[str, str] = Field(
        description="Фрагменты `title`/`summary` с найденными словами: HTML, текст экранирован, совпадения в `<mark>`"
    )


class FacetValueOut(_Out):
    value: str = Field(description="Код федерального округа или региона, тема, тип МО, год или true/false")
    label: str
    count: int
    selected: bool


class Links(_Out):
    # Named `self` in JSON; the pydantic plugin reads the alias, so code passes `self_`.
    self_: str = Field(serialization_alias="self", validation_alias="self")
    next: str | None = None
    prev: str | None = None


class PracticeList(_Out):
    items: list[PracticeItem]
    total: int = Field(description="Сколько всего практик подходит под запрос")
    page: int
    per_page: int
    pages: int
    facets: dict[str, list[FacetValueOut]] = Field(
        description="Фасет → значения с числом практик; счёт фасета не учитывает его собственный выбор"
    )
    links: Links
    shown_text: str | None = Field(
        None, description="Если запрос в том виде, как набран, ничего не нашёл, а в другой раскладке или "
        "транслитерации нашёл: текст, по которому показаны результаты"
    )


class OutcomeFigureOut(_Out):
    indicator: str
    value_before: float | None = None
    value_after: float | None = None
    unit: str | None = None
    period: str | None = None


class DocumentOut(_Out):
    title: str
    url: str


class ContactOut(_Out):
    organisation: str | None = None
    person: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class CompetitionRef(_Out):
    slug: str = Field(examples=["lmp"])
    name: str = Field(examples=["Всероссийский конкурс «Лучшая муниципальная практика»"])
    short_name: str | None = Field(examples=["ЛМП"])


class NominationRef(_Out):
    slug: str = Field(examples=["lmp-smart-city"])
    name: str


class AwardOut(_Out):
    competition: CompetitionRef
    year: int
    nomination: NominationRef | None
    category: str | None = Field(description="I — городские и муниципальные округа, городские поселения; II — сельские поселения")
    place: str | None = Field(description="Место «1»…«10», `winner` (победитель) или `laureate` (лауреат)")
    place_label: str | None = Field(description="Место словами")
    prize: str | None = Field(description="Приз, как его называет источник")
    source_url: str | None = Field(description="Страница, которая сообщает о награде")


class AdoptionOut(_Out):
    """Another municipality that adopted the practice (approved by a moderator). The reporter's
    contact is never published."""

    id: int
    municipality: str = Field(examples=["Старооскольский городской округ"])
    region: RegionRef
    municipality_type: MunicipalityTypeRef
    year: int | None = Field(description="Год внедрения, если указан")
    what_changed: str = Field(description="Что изменилось после внедрения")
    outcome_figures: list[OutcomeFigureOut]
    approved_at: datetime | None = Field(description="Когда модератор одобрил сообщение")


class AdoptionList(_Out):
    items: list[AdoptionOut]
    total: int


class PracticeCard(_Out):
    """The full public card."""

    id: int
    slug: str
    title: str
    summary: str | None
    problem: str | None
    solution: str | None
    outcome: str | None
    outcome_figures: list[OutcomeFigureOut]
    region: RegionRef
    municipality: str | None
    municipality_type: MunicipalityTypeRef
    themes: list[ThemeRef]
    year_started: int | None
    resources: str | None
    partners: str | None
    contact: ContactOut | None = Field(description="Контакты — только если авторы разрешили их публиковать")
    source_url: str | None
    sources: list[str] = Field(description="Другие страницы, на которых основана карточка")
    documents: list[DocumentOut]
    awards: list[AwardOut] = Field(description="Награды практики с источниками")
    adoptions: list[AdoptionOut] = Field(
        description="Где ещё внедрили практику (одобренные модератором сообщения «Мы внедрили эту практику»)"
    )
    verified_at: date | None = Field(description="Когда сведения карточки сверены с источниками")
    published_at: datetime | None
    updated_at: datetime
    url: str = Field(description="Страница практики на сайте каталога")
    api_url: str


class RegionOut(_Out):
    code: str
    name: str
    federal_district: str = Field(description="Название федерального округа", examples=["Приволжский"])
    district: str = Field(description="Код федерального округа (параметр `district`)", examples=["volga"])
    count: int = Field(description="Опубликованных практик")


class DistrictOut(_Out):
    slug: str = Field(description="Код для параметра `district`", examples=["volga"])
    name: str = Field(examples=["Приволжский федеральный округ"])
    regions: list[str] = Field(description="Коды регионов округа", examples=[["RU-BA", "RU-TA"]])
    count: int = Field(description="Опубликованных практик")


class ThemeOut(_Out):
    slug: str
    name: str
    description: str | None
    count: int = Field(description="Опубликованных практик")


class MunicipalityTypeOut(_Out):
    slug: str
    name: str
    count: int = Field(description="Опубликованных практик")


class RegionList(_Out):
    items: list[RegionOut]


class DistrictList(_Out):
    items: list[DistrictOut]


class ThemeList(_Out):
    items: list[ThemeOut]


class MunicipalityTypeList(_Out):
    items: list[MunicipalityTypeOut]


class Change(_Out):
    seq: int = Field(description="Номер последнего изменения этой практики в странице")
    kind: Literal["upsert", "delete"] = Field(
        description="`upsert` — практика опубликована или изменена (её карточка в `practice`); "
        "`delete` — снята с публикации (удалите её у себя)"
    )
    id: int
    slug: str
    practice: PracticeCard | None = Field(description="Текущая карточка для `upsert`; null для `delete`")


class ChangesPage(_Out):
    changes: list[Change]
    next_cursor: str = Field(description="Передайте его в `since` в следующий раз")
    has_more: bool = Field(description="Есть ещё изменения: запросите `links.next` сразу")
    links: Links
