"""Meilisearch filter expressions, built only from values through one escaping function.

Every filter the Meilisearch engine sends is made here. Strings are always double-quoted
with `\\` and `"` escaped, numbers and booleans are formatted from their Python type, and
attribute names come from code (checked against a strict pattern), so a value such as
`x" OR year_started EXISTS` stays one string and can never widen a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.search.base import SearchQuery
from app.search.facets import AnyOf, Condition, conditions

_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = frozenset({"=", "!=", ">", ">=", "<", "<="})


def literal(value: object) -> str:
    """The filter literal for one value: the only place values enter a filter string."""
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"cannot use {type(value).__name__} in a filter")


def _attribute(name: str) -> str:
    if not _ATTRIBUTE.fullmatch(name):
        raise ValueError(f"not an attribute name: {name!r}")
    return name


def compare(attribute: str, operator: str, value: object) -> str:
    if operator not in _OPERATORS:
        raise ValueError(f"not a filter operator: {operator!r}")
    return f"{_attribute(attribute)} {operator} {literal(value)}"


def any_of(attribute: str, values: Iterable[object]) -> str:
    """`attribute IN [v1, v2, …]` (OR within one attribute)."""
    items = list(values)
    if not items:
        raise ValueError("any_of needs at least one value")
    return f"{_attribute(attribute)} IN [{', '.join(literal(v) for v in items)}]"


def all_of(conditions: Sequence[str]) -> str | None:
    """The conditions joined with AND (each parenthesised), or None when there are none."""
    if not conditions:
        return None
    return " AND ".join(f"({c})" for c in conditions)


def condition(c: Condition) -> str:
    """One facet condition of the registry as a filter expression."""
    if isinstance(c, AnyOf):
        return any_of(c.key, c.values)
    bounds = []
    if c.low is not None:
        bounds.append(compare(c.key, ">=", int(c.low)))
    if c.high is not None:
        bounds.append(compare(c.key, "<=", int(c.high)))
    return " AND ".join(bounds)


def query_filters(query: SearchQuery) -> dict[str, str]:
    """Facet name -> the filter condition that facet's selection imposes (absent if none).

    Keyed by facet name, so a disjunctive facet count can leave out exactly its own group.
    """
    return {name: condition(c) for name, c in conditions(query).items()}
