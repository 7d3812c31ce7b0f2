"""Validation errors in Russian, each naming its field: one wording for forms, files and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from app.web.formatting import number, plural

# Error types raised by our own validators with a Russian message.
CUSTOM = frozenset({"param", "whole_number", "unreadable", "body_unreadable"})


def error_list(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as [{"field": "contact.email", "message": "…"}], messages in Russian."""
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "body"
        out.append({"field": field, "message": russian_message(err)})
    return out


# Error types whose message needs nothing from the error itself.
_FIXED = {
    "missing": "обязательное поле",
    "extra_forbidden": "неизвестное поле",
    "string_pattern_mismatch": "недопустимый формат: только латинские строчные буквы, цифры и дефисы",
    "int_parsing": "нужно целое число",
    "int_type": "нужно целое число",
    "int_from_float": "нужно целое число",
    "finite_number": "нужно конечное число",
    "float_parsing": "нужно число",
    "float_type": "нужно число",
    "bool_parsing": "нужно да или нет",
    "bool_type": "нужно true или false",  # a strict boolean: only JSON (forms and sheets read yes/no themselves)
    "list_type": "неверный тип значения",
    "dict_type": "неверный тип значения",
    "model_type": "неверный тип значения",
    "model_attributes_type": "неверный тип значения",
    "string_type": "нужна строка",
    "json_invalid": "тело запроса не читается: неверный JSON (проверьте кавычки, скобки и запятые)",
    "json_type": "нужен JSON",
    "string_unicode": "текст не читается: в нём одиночные суррогаты UTF-16 (например, \\ud800), проверьте кодировку",
    "date_type": "нужна дата ГГГГ-ММ-ДД",
    "date_parsing": "нужна дата ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "нужна дата ГГГГ-ММ-ДД",
    "date_from_datetime_inexact": "нужна дата ГГГГ-ММ-ДД",
    "recursion_loop": "слишком глубокая вложенность",
}


_BOUNDS = {
    "greater_than_equal": ("не меньше", "ge"),
    "greater_than": ("больше", "gt"),
    "less_than_equal": ("не больше", "le"),
    "less_than": ("меньше", "lt"),
}


def _count(n: Any, text: bool) -> str:
    """«5 символов», «1 символа», «21 значения»: the genitive after «не больше» / «не меньше»."""
    if not isinstance(n, int):
        return f"{n} {'символов' if text else 'значений'}"
    return f"{n} {plural(n, 'символа', 'символов', 'символов') if text else plural(n, 'значения', 'значений', 'значений')}"


def russian_message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "string_type" and err.get("input") is None:  # given empty, or only invisible characters
        return _FIXED["missing"]
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in CUSTOM:  # our own validators (PydanticCustomError) already speak Russian
        return str(err.get("msg", ""))
    # A length limit after a BeforeValidator is reported as too_long/too_short even on strings.
    text = kind.startswith("string_") or isinstance(err.get("input"), str)
    if kind in ("string_too_long", "too_long"):
        return f"слишком длинно: не больше {_count(ctx.get('max_length'), text)}"
    if kind == "string_too_short" or (kind == "too_short" and text):
        return f"слишком коротко: не меньше {_count(ctx.get('min_length'), text=True)}"
    if kind == "too_short":
        n = ctx.get("min_length")
        return "нужно хотя бы одно значение" if n == 1 else f"нужно не меньше {_count(n, text=False)}"
    if kind == "value_error":
        msg = str(ctx.get("error") or err.get("msg", ""))
        return "неверный адрес электронной почты" if "email" in msg.lower() else msg
    if kind in ("enum", "literal_error"):
        return "допустимо: " + str(ctx.get("expected", "")).replace(" or ", " или ")
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        bound = ctx.get(key)
        return f"нужно число {word} {number(bound) if isinstance(bound, int | float) else bound}"
    return "неверное значение"  # Pydantic's own wording is English
