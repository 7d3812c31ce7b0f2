"""Fixtures for tests that moderate: a moderator, a signed-in client, submissions through the
public form (a pytest plugin of tests/conftest.py, so every test directory has them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.catalogue.moderators import create_admin
from app.db import session_scope
from tests.submit.helpers import form_data, tracking_code

PASSWORD = "правильный-пароль-42"


@pytest.fixture
def moderator(engine) -> str:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        create_admin(session, "moder", PASSWORD)
    return "moder"


@pytest.fixture
def admin_client(client, moderator, same_site):  # type: ignore[no-untyped-def]
    response = client.post("/admin/login", data={"username": moderator, "password": PASSWORD, "next": "/admin"},
                           headers=same_site, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


@pytest.fixture
def submit(client, same_site) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """Submit through the public form; returns the tracking code."""

    def run(**overrides: Any) -> str:
        response = client.post("/submit", data=form_data(**overrides), headers=same_site, follow_redirects=False)
        assert response.status_code == 303, response.text[:500]
        return tracking_code(response)

    return run


def form_values(form) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """What a browser would post from a parsed `<form>` as it stands: every named field, ticked
    checkboxes only, each select's chosen option."""
    data: dict[str, list[str]] = {}
    for el in form.find_all(["input", "select", "textarea"]):
        name = el.get("name")
        if not name or (el.name == "input" and el.get("type") == "checkbox" and not el.has_attr("checked")):
            continue
        if el.name == "select":
            chosen = el.find("option", selected=True)
            value = chosen["value"] if chosen else ""
        elif el.name == "textarea":
            value = el.get_text()
        else:
            value = el.get("value", "")
        data.setdefault(name, []).append(value)
    return data
