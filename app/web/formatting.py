"""Formatting for the pages: Russian numbers, dates and plurals (template filters, see templating)."""

from __future__ import annotations

import math
from datetime import date

MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")


def with_query(path: str, query: str) -> str:
    """`path?query`, or just `path` when the query is empty."""
    return f"{path}?{query}" if query else path


# Past these magnitudes digits stop helping a reader: «1,2 × 10¹⁸», «3 × 10⁻⁷».
_PLAIN_MAX = 1e15
_PLAIN_MIN = 0.001
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(value: float | int | None) -> str:
    """12 → «12», 1234.5 → «1 234,5» (Russian: thin space for thousands, comma for decimals);
    any finite float, however large or small, as a short power of ten; a dash for none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    magnitude = abs(value)
    if magnitude >= _PLAIN_MAX or 0 < magnitude < _PLAIN_MIN:
        mantissa, _, exponent = f"{value:.1e}".partition("e")
        mantissa = mantissa.removesuffix(".0").replace(".", ",").replace("-", "−")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if magnitude < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",").replace("-", "−")


def change(before: float | int | None, after: float | int | None) -> str:
    """The change from before to after: «+18 (×2,5)», «−3»; a dash when either is unknown (or
    when the two are so far apart that their difference is no number)."""
    if before is None or after is None:
        return "—"
    delta = after - before
    if not math.isfinite(delta):
        return "—"
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    text = sign + number(abs(delta))
    ratio = after / before if before > 0 else math.nan
    if after > 0 and ratio >= 2 and math.isfinite(ratio):
        text += f" (×{number(round(ratio, 1))})"
    elif before > 0 and delta and math.isfinite(share := abs(delta) / before * 100):
        text += f" ({sign}{number(round(share))}%)"
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
