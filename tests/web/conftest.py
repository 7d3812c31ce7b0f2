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


def filter_url(page: BeautifulSoup, tick: tuple[tuple[str, str], ...] = (), untick: tuple[tuple[str, str], ...] = (),
               choose: dict[str, str] | None = None) -> str:
    """The URL the filter form submits (as a browser without JavaScript would) after ticking and
    unticking checkboxes (name, value) and choosing radio or select values (name -> value)."""
    from urllib.parse import urlencode

    form = page.select_one("form#filters")
    pairs: list[tuple[str, str]] = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    for box in form.select("input[type=checkbox]"):
        key = (box["name"], box["value"])
        if (box.has_attr("checked") or key in tick) and key not in untick:
            pairs.append(key)
    choose = choose or {}
    for radio in form.select("input[type=radio]"):
        wanted = choose.get(radio["name"])
        if (radio["value"] == wanted) if wanted is not None else radio.has_attr("checked"):
            pairs.append((radio["name"], radio["value"]))
    for select in form.select("select"):
        chosen = choose.get(select["name"])
        if chosen is None:
            option = select.select_one("option[selected]") or select.select_one("option")
            chosen = option["value"]
        pairs.append((select["name"], chosen))
    return form["action"].split("#")[0] + "?" + urlencode(pairs)
