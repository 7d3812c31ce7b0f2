"""Ids from the URL parsed with a bound: every route with a path parameter, given numbers no row
can have, answers 404 (or a Russian 422), never 500.

Figures: every route with a path parameter × 7 hostile ids and × 8 strange values (GET and
POST as the route takes them); 5xx seen 0. Before the fix the admin pages answered 500 («Python int too large to convert
to SQLite INTEGER»).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

# Path values that are no id and no address: NUL (PostgreSQL refuses it in text), broken UTF-8,
# a long one, a dot-dot.
STRANGE = ["%00", "a%00b", "%FF%FE", "%ED%A0%80", "x" * 5000, "..%2F..%2Fetc", "%E2%80%AE", "-"]
HUGE = ["99999999999999999999", "9223372036854775808", "9223372036854775807", "2147483648", "-1", "0", "1e3"]


def routes(items: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every GET and POST route, through the included routers."""
    for route in items:
        context = getattr(route, "include_context", None)
        if context is not None:
            yield from routes(route.original_router.routes, prefix + context.prefix)
            continue
        for method in getattr(route, "methods", None) or ():
            if method in ("GET", "POST"):
                yield method, prefix + route.path


def _routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted({(method, path) for method, path in routes(app.routes) if "{" in path})


def test_every_route_with_a_path_parameter_bounds_it(app, admin_client, same_site):
    routes = _routes(app)
    assert ("GET", "/admin/practices/{practice_id}") in routes and len(routes) >= 15
    seen = []
    for method, path in routes:
        for value in HUGE:
            url = re.sub(r"\{[^}]+\}", value, path)
            response = admin_client.request(method, url, headers=same_site, data={"action": "approve"} if method ==
                                            "POST" else None, follow_redirects=False)
            seen.append((response.status_code, method, url))
    assert [s for s in seen if s[0] >= 500] == []


def test_every_route_with_a_path_parameter_survives_strange_values(app, admin_client, same_site):
    seen = []
    for method, path in _routes(app):
        for value in STRANGE:
            url = re.sub(r"\{[^}]+\}", value, path)
            response = admin_client.request(method, url, headers=same_site, data={"action": "approve"} if method ==
                                            "POST" else None, follow_redirects=False)
            seen.append((response.status_code, method, url[:80]))
    assert [s for s in seen if s[0] >= 500] == []


@pytest.mark.parametrize(
    "path",
    ["/api/v1/practices/99999999999999999999", "/api/v1/practices/9223372036854775808/adoptions",
     "/api/v1/practices/2147483648", "/practices/9223372036854775808", "/practices/99999999999999999999",
     "/practices/2147483648", "/admin/practices/9223372036854775808", "/admin/practices/2147483648",
     "/admin/practices/99999999999999999999/preview", "/admin/imports/9223372036854775808"],
)
def test_an_id_no_row_can_have_is_not_found(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 404


def test_posts_to_an_id_no_row_can_have_are_not_found(admin_client, same_site):
    for path in ("/admin/practices/9223372036854775808/status", "/admin/adoptions/99999999999999999999",
                 "/admin/imports/9223372036854775808", "/admin/practices/99999999999999999999"):
        response = admin_client.post(path, data={"action": "approve", "version": "1"}, headers=same_site)
        assert response.status_code == 404, path


def test_bulk_moderation_takes_no_id_no_row_can_have(admin_client, same_site):
    response = admin_client.post("/admin/bulk", data={"action": "approve", "ids": ["2147483648", "99999999999"]},
                                 headers=same_site, follow_redirects=False)
    assert response.status_code == 422  # «Не выбрано ни одной заявки»: neither could exist
