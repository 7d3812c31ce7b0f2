"""The app matches routes router by router (app.main orders them by traffic): that order must
never decide which route answers, so no path of one router is a path of another's."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any


def routes(router: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) of every route, through the routers included in this one."""
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from routes(included, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, route


def pattern(path: str) -> re.Pattern[str]:
    """What `path` answers: its parameters stand for any one segment."""
    return re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)))


def test_no_path_is_answered_by_two_routers(app) -> None:  # type: ignore[no-untyped-def]
    routers = [list(routes(r.original_router, r.include_context.prefix))
               for r in app.router.routes if hasattr(r, "original_router")]
    assert len(routers) > 5 and sum(map(len, routers)) > 40
    for mine, theirs in itertools.permutations(routers, 2):
        for path, route in mine:
            sample = re.sub(r"\{[^}]*\}", "x1", path)
            for other_path, other in theirs:
                shared = set(route.methods or ()) & set(other.methods or ())
                assert not (shared and pattern(other_path).fullmatch(sample)), f"{sample}: {path} and {other_path}"
