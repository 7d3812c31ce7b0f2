"""The catalogue as an open data set, described the ways data portals read:

- the Russian convention (Методические рекомендации по публикации открытых данных, версия 3.0):
  `/opendata/list.csv` (the list of sets), the passport `/opendata/<id>/meta.csv` (also at
  `/opendata/meta.csv`: the site has one set), the data file
  `/opendata/<id>/data-<version>-structure-<version>.csv` and its structure
  `/opendata/<id>/structure-<version>.csv`, versions as dates (ISO 8601, YYYYMMDD);
- DCAT in JSON-LD, `/catalog.jsonld`: a `dcat:Catalog` with the `dcat:Dataset` and its
  distributions (CSV, XLSX, JSON Lines, Atom, the API), as CKAN and European portals harvest it.

The data version is the day of the latest public change (change_log), so the file's name
changes when the data do; the structure version is the day the columns last changed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.feeds.export import public_row
from app.catalogue import changes
from app.catalogue.practices import queries, table
from app.catalogue.practices.sheets import CsvWriter
from app.catalogue.reference import Reference
from app.deps import EngineDep, ReferenceDep, SessionDep, SettingsDep
from app.links import public_base
from app.settings import Settings
from app.web.templating import render

router = APIRouter(include_in_schema=False)
STANDARD = "http://opendata.gosmonitor.ru/standard/3.0"
STRUCTURE_VERSION = date(2026, 11, 27)  # the day table.COLUMNS last changed: bump it with them
MAX_AGE = 3600
TITLE = "Лучшие муниципальные практики"
DESCRIPTION = ("Опубликованные практики муниципальных образований России: регион, муниципалитет, темы, проблема, "
               "решение, результаты (в том числе в цифрах), год начала, ресурсы, партнёры, источники, документы, "
               "награды; контакты — только если авторы разрешили их публиковать.")
KEYWORDS = ("муниципальные практики", "местное самоуправление", "лучшие практики", "муниципальные образования",
            "благоустройство", "молодёжная политика", "инициативное бюджетирование")
FORMATS = {"int": "integer", "number": "number", "date": "date", "datetime": "dateTime"}


def _version(day: date) -> str:
    return day.strftime("%Y%m%d")


def _day(value: datetime | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()


class DataSet:
    """The one data set: its names, versions and addresses."""

    def __init__(self, session: Session, settings: Settings, base: str) -> None:
        first, last = changes.public_span(session)
        self.id = settings.opendata_id
        self.settings = settings
        self.base = base
        self.created, self.modified = _day(first), _day(last)
        self.data_name = f"data-{_version(self.modified)}-structure-{_version(STRUCTURE_VERSION)}.csv"
        self.structure_name = f"structure-{_version(STRUCTURE_VERSION)}.csv"
        self.home = f"{base}/opendata/{self.id}/"

    @property
    def data_url(self) -> str:
        return self.home + self.data_name

    @property
    def structure_url(self) -> str:
        return self.home + self.structure_name

    def passport(self) -> list[tuple[str, str]]:
        """The passport's (property, value) rows (meta.csv)."""
        s = self.settings
        return [
            ("standardversion", STANDARD),
            ("identifier", self.id),
            ("title", TITLE),
            ("description", DESCRIPTION),
            ("creator", s.opendata_publisher),
            ("created", _version(self.created)),
            ("modified", _version(self.modified)),
            ("subject", ", ".join(KEYWORDS)),
            ("format", "csv"),
            (self.data_name.removesuffix(".csv"), self.data_url),
            (self.structure_name.removesuffix(".csv"), self.structure_url),
            ("publishername", s.opendata_contact_name),
            ("publisherphone", s.opendata_contact_phone),
            ("publishermbox", s.opendata_contact_email),
            ("valid", _version(self.modified)),
            ("license", s.opendata_license),
        ]


def _csv(rows: list[list[str]] | list[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def _file(body: bytes, media_type: str, filename: str | None = None) -> Response:
    headers = {"Cache-Control": f"public, max-age={MAX_AGE}"}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(body, media_type=media_type, headers=headers)


def _dataset(request: Request, session: Session, settings: Settings, set_id: str | None = None) -> DataSet:
    dataset = DataSet(session, settings, public_base(request, settings))
    if set_id is not None and set_id != dataset.id:
        raise HTTPException(404, f"Набора открытых данных «{set_id[:64]}» нет: есть только «{dataset.id}».")
    return dataset


@router.get("/opendata/list.csv")
def opendata_list(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    dataset = _dataset(request, session, settings)
    rows = [["property", "title", "value", "format"], ["standardversion", "Версия методических рекомендаций", STANDARD, ""],
            [dataset.id, TITLE, dataset.home + "meta.csv", "csv"]]
    return _file(_csv(rows), "text/csv; charset=utf-8", "list.csv")


@router.get("/opendata/meta.csv")
@router.get("/opendata/{set_id}/meta.csv")
def passport(request: Request, session: SessionDep, settings: SettingsDep, set_id: str | None = None) -> Response:
    dataset = _dataset(request, session, settings, set_id)
    return _file(_csv([("property", "value"), *dataset.passport()]), "text/csv; charset=utf-8", "meta.csv")


@router.get("/opendata/{set_id}/", response_class=HTMLResponse)
def dataset_page(set_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    dataset = _dataset(request, session, settings, set_id)
    context = {"dataset": dataset, "rows": dataset.passport(), "title": TITLE, "description": DESCRIPTION,
               "count": queries.count(session)}
    return render(request, "opendata.html", context)


@router.get("/opendata/{set_id}/{name}")
def dataset_file(set_id: str, name: str, request: Request, session: SessionDep, engine: EngineDep,
                 settings: SettingsDep, ref: ReferenceDep) -> Response:
    dataset = _dataset(request, session, settings, set_id)
    if name == dataset.structure_name:
        rows = [["field name", "english description", "russian description", "format"]]
        rows += [[c.key, table.ENGLISH[c.key], c.description, FORMATS.get(c.kind, "string")] for c in table.COLUMNS]
        return _file(_csv(rows), "text/csv; charset=utf-8", name)
    if name == dataset.data_name:
        return StreamingResponse(_data_rows(engine, ref, dataset.base), media_type="text/csv; charset=utf-8",
                                 headers={"Cache-Control": f"public, max-age={MAX_AGE}",
                                          "Content-Disposition": f'inline; filename="{name}"'})
    raise HTTPException(404, f"Файла «{name[:80]}» в наборе нет: сейчас это {dataset.data_name} и {dataset.structure_name} "
                             "(см. meta.csv).")


def _data_rows(engine: Engine, ref: Reference, base: str) -> Iterator[bytes]:
    """Every published practice, the CSV for programs without the BOM (RFC 4180, UTF-8)."""
    writer = CsvWriter("rfc4180")
    yield writer.header().removeprefix(b"\xef\xbb\xbf")
    with Session(engine) as session:
        for practice in queries.iter_practices(session):
            yield writer.row(public_row(practice, ref, base)[0])


def catalog(dataset: DataSet) -> dict[str, Any]:
    """The DCAT description (JSON-LD with its context inline: nothing to fetch elsewhere)."""
    base, s = dataset.base, dataset.settings
    iana = "https://www.iana.org/assignments/media-types/"

    def distribution(title: str, url: str, media: str, download: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"@type": "dcat:Distribution", "dct:title": {"@value": title, "@language": "ru"},
                               "dcat:accessURL": {"@id": url}, "dcat:mediaType": {"@id": iana + media},
                               "dct:license": {"@id": s.opendata_license}}
        if download:
            out["dcat:downloadURL"] = {"@id": url}
        return out

    api = distribution("JSON API v1: поиск, карточки, справочники, журнал изменений", f"{base}/api/v1/practices",
                       "application/json", download=False)
    api["dcat:accessService"] = {"@type": "dcat:DataService", "dct:title": {"@value": "JSON API v1", "@language": "ru"},
                                 "dcat:endpointURL": {"@id": f"{base}/api/v1/"},
                                 "dcat:endpointDescription": {"@id": f"{base}/openapi.json"}}
    contact: dict[str, Any] = {"@type": "vcard:Organization", "vcard:fn": s.opendata_publisher}
    if s.opendata_contact_email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{s.opendata_contact_email}"}
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": f"{base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "Каталог лучших муниципальных практик", "@language": "ru"},
        "dct:description": {"@value": "Открытые данные каталога лучших муниципальных практик", "@language": "ru"},
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": s.opendata_publisher},
        "foaf:homepage": {"@id": f"{base}/"},
        "dcat:dataset": [{
            "@id": dataset.home,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.id,
            "dct:title": {"@value": TITLE, "@language": "ru"},
            "dct:description": {"@value": DESCRIPTION, "@language": "ru"},
            "dcat:keyword": [{"@value": k, "@language": "ru"} for k in KEYWORDS],
            "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/RUS"},
            "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/RUS"},
            "dct:license": {"@id": s.opendata_license},
            "dct:accrualPeriodicity": {"@id": "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"},
            "dct:issued": {"@value": dataset.created.isoformat(), "@type": "xsd:date"},
            "dct:modified": {"@value": dataset.modified.isoformat(), "@type": "xsd:date"},
            "dct:publisher": {"@type": "foaf:Organization", "foaf:name": s.opendata_publisher},
            "dcat:contactPoint": contact,
            "dcat:landingPage": {"@id": f"{base}/about/api"},
            "dct:conformsTo": {"@id": STANDARD},
            "dcat:distribution": [
                distribution("CSV (RFC 4180, UTF-8): все опубликованные практики", dataset.data_url, "text/csv"),
                distribution("Excel (XLSX)", f"{base}/export/practices.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                distribution("JSON Lines (формат импорта каталога)", f"{base}/export/practices.jsonl", "application/x-ndjson"),
                distribution("Лента Atom: новые и изменённые практики", f"{base}/feeds/practices.atom", "application/atom+xml",
                             download=False),
                api,
            ],
        }],
    }


@router.get("/catalog.jsonld")
def catalog_jsonld(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    body = json.dumps(catalog(_dataset(request, session, settings)), ensure_ascii=False, indent=1).encode()
    return _file(body, "application/ld+json")
