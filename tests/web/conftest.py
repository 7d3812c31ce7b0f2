"""The shared corpus (tests/corpus.py) for the public pages, plus practices that must never
show (pending, rejected)."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.corpus import CORPUS

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
