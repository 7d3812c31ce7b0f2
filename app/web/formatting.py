"""Formatting for the pages: Russian numbers, dates and plurals (template filters, see templating)."""

from __future__ import annotations

from datetime import date

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")


def with_query(path: str, query: str) -> str:
    """`path?query`, or just `path` when the query is empty."""
    return f"{path}?{query}" if query else path


def number(value: float | int | None) -> str:
    """12 → «12», 1234.5 → «1 234,5» (Russian: thin space for thousands, comma for decimals)."""
    if value is None:
        return "—"
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def change(before: float | int | None, after: float | int | None) -> str:
    """The change from before to after: «+18 (×2,5)», «−3»; a dash when either is unknown."""
    if before is None or after is None:
        return "—"
    delta = after - before
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    text = sign + number(abs(delta))
    if before and after and before > 0 and after / before >= 2:
        text += f" (×{number(round(after / before, 1))})"
    elif before and before > 0 and delta:
        text += f" ({sign}{number(round(abs(delta) / before * 100))}%)"
    return text


def http_url(value: str | None) -> str:
    """The URL if it is http(s), else «#»: a second guard (the schemas already refuse others)."""
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return "#"


def ru_date(value: date | None) -> str:
    """A date (or the date of a moment) in Russian: «27 ноября 2026 г.»."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} г."


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 практика, 2 практики, 5 практик."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
