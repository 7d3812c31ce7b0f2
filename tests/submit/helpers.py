"""Helpers for form and moderation tests: valid form data, HTML parsing, visibility checks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Practice
from tests.factories import search_query

_n = iter(range(1, 10**9))
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid /submit form (names as the form has them); override or drop (None) any field."""
    n = next(_n)
    data: dict[str, Any] = {
        "title": f"Школа активного гражданина {n}",
        "summary": "Старшеклассники обсуждают с депутатами бюджет района",
        "region": "RU-BEL",
        "municipality": "Белгородский район",
        "municipality_type": "municipal-district",
        "themes": ["youth", "education"],
        "problem": "Молодёжь не участвует в местном самоуправлении",
        "solution": "Ежемесячные встречи школьников с депутатами",
        "outcome": "Двенадцать проектов школьников вошли в бюджет",
        "year_started": "2021",
        "outcome_figures.0.indicator": "Проектов школьников в бюджете",
        "outcome_figures.0.value_before": "0",
        "outcome_figures.0.value_after": "12",
        "outcome_figures.0.unit": "шт.",
        "resources": "300 тыс. рублей из местного бюджета",
        "partners": "Молодёжный совет",
        "contact.organisation": "Администрация района",
        "contact.person": "Мария Иванова",
        "contact.email": "maria@example.org",
        "contact.phone": "+7 (4722) 00-00-00",
        "contact.website": "https://example.org",
        "source_url": "https://example.org/news/1",
        "documents.0.title": "Положение о школе",
        "documents.0.url": "https://example.org/doc.pdf",
        "submitter.name": "Иван Петров",
        "submitter.organisation": "Совет муниципальных образований",
        "submitter.email": "ivan@example.org",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def api_body(**overrides: Any) -> dict[str, Any]:
    n = next(_n)
    body: dict[str, Any] = {
        "title": f"Народный бюджет {n}",
        "region": "RU-BEL",
        "municipality_type": "municipal-district",
        "themes": ["youth"],
        "outcome_figures": [{"indicator": "Проектов", "value_before": 1, "value_after": 5}],
        "submitter": {"name": "Иван Петров", "email": "ivan@example.org"},
    }
    body.update(overrides)
    return body


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def field_error(page: BeautifulSoup, name: str) -> str | None:
    """The error shown next to input `name` (by its id), or None."""
    fid = "f-" + name.replace(".", "-").replace("_", "-")
    node = page.find(id=f"{fid}-error")
    return node.get_text(" ", strip=True) if node else None


def summary_links(page: BeautifulSoup) -> dict[str, str]:
    """Error summary: link target (#id) → text."""
    box = page.find(id="error-summary")
    if box is None:
        return {}
    return {a["href"]: a.get_text(" ", strip=True) for a in box.find_all("a")}


def tracking_code(response: Any) -> str:
    location = response.headers["location"]
    m = re.fullmatch(r"/submit/(P-[0-9A-F]{8})", location)
    assert m, location
    return m.group(1)


def practice_by_code(session: Session, code: str) -> Practice:
    session.expire_all()
    practice = session.exec(select(Practice).where(Practice.tracking_code == code)).first()
    assert practice is not None
    return practice


def assert_script_free(page: BeautifulSoup) -> None:
    """No script but our own files, no event-handler attributes anywhere."""
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":  # data, not code: must not close the element
            assert "<" not in (script.string or ""), script
            continue
        src = urlsplit(script.get("src", ""))
        assert src.netloc in ("", "testserver") and src.path.startswith("/static/"), script
        assert not script.string, script
    for tag in page.find_all(True):
        handlers = [a for a in tag.attrs if a.lower().startswith("on")]
        assert not handlers, tag
    assert page.find("img") is None


def search_ids(index: Any, text: str) -> set[int]:
    return {hit.id for hit in index.search(search_query(text=text, per_page=50)).hits}
