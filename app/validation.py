"""Validation errors in Russian, each naming its field: one wording for forms, files and the API."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# Error types raised by our own validators with a Russian message.
CUSTOM = frozenset({"param", "whole_number", "unreadable"})


def error_list(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as [{"field": "contact.email", "message": "…"}], messages in Russian."""
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "body"
        out.append({"field": field, "message": russian_message(err)})
    return out


def russian_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "обязательное поле"
    if kind == "extra_forbidden":
        return "неизвестное поле"
    # A length limit after a BeforeValidator is reported as too_long/too_short even on strings.
    text = kind.startswith("string_") or isinstance(err.get("input"), str)
    if kind in ("string_too_long", "too_long"):
        n = ctx.get("max_length")
        return f"слишком длинно: не больше {n}" + (" символов" if text else " значений")
    if kind == "string_too_short" or (kind == "too_short" and text):
        return f"слишком коротко: не меньше {ctx.get('min_length')} символов"
    if kind == "too_short":
        return f"нужно не меньше {ctx.get('min_length')} значений"
    if kind == "string_pattern_mismatch":
        return "недопустимый формат: только латинские строчные буквы, цифры и дефисы"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "нужно целое число"
    if kind == "finite_number":
        return "нужно конечное число"
    if kind in ("float_parsing", "float_type"):
        return "нужно число"
    if kind in ("bool_parsing", "bool_type"):
        return "нужно да или нет"
    if kind in CUSTOM:  # our own validators (PydanticCustomError) already speak Russian
        return str(err.get("msg", ""))
    if kind == "value_error":
        msg = str(ctx.get("error") or err.get("msg", ""))
        if "email" in msg.lower():
            return "неверный адрес электронной почты"
        return msg
    if kind == "enum":
        return "недопустимое значение: " + str(ctx.get("expected", ""))
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return "неверный тип значения"
    if kind in ("string_type",):
        return "нужна строка"
    return str(err.get("msg", "неверное значение"))
