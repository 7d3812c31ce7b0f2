"""What crosses the wire: the practice as imported, exported, submitted and edited.

One schema for JSON Lines, the submission API and the forms, so the rules are the same
everywhere. Reference codes (region, themes, municipality type) are checked against the
database by `app.catalogue.practices.check_references`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
)

from app.models import Status

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_PHONE_RE = re.compile(r"^[0-9+()\-\s.,;доб]{5,50}$")

# Limits, stated on the form and in the API docs.
LIMITS = {
    "title": 300,
    "summary": 1000,
    "long_text": 10000,
    "short_text": 300,
    "figures": 20,
    "documents": 20,
    "themes": 5,
    "url": 1000,
}
MIN_YEAR = 1991


def clean_text(value: Any) -> Any:
    """NFC, no control characters, trimmed; an empty string means 'not given'."""
    if value is None or not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value).strip()
    return value or None


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("ссылка должна начинаться с http:// или https:// и не содержать пробелов")
    return value


def _check_year(value: int | None) -> int | None:
    if value is None:
        return None
    if value < MIN_YEAR or value > date.today().year:
        raise ValueError(f"год должен быть от {MIN_YEAR} до {date.today().year}")
    return value


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE_RE.match(value):
        raise ValueError("телефон: только цифры, пробелы, +, -, скобки")
    return value


def OptText(max_length: int, *checks: Any, **field: Any) -> Any:  # noqa: N802 (a type factory)
    """Optional cleaned text. The limits sit on the string itself, not on `str | None`:
    constraints on the union raise TypeError (a crash, not an error) for an explicit null."""
    return Annotated[Annotated[(str, Field(max_length=max_length, **field), *checks)] | None, BeforeValidator(clean_text)]


Text = Annotated[str | None, BeforeValidator(clean_text)]
ShortText = OptText(LIMITS["short_text"])
LongText = OptText(LIMITS["long_text"])
Url = OptText(LIMITS["url"], AfterValidator(_check_url))
Email = Annotated[EmailStr | None, BeforeValidator(clean_text)]
Year = Annotated[int | None, AfterValidator(_check_year)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=LIMITS["long_text"])


class OutcomeFigure(_Strict):
    indicator: Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=200)]
    value_before: Annotated[float | None, Field(allow_inf_nan=False)] = None
    value_after: Annotated[float | None, Field(allow_inf_nan=False)] = None
    unit: OptText(50) = None
    period: OptText(50) = None


class DocumentLink(_Strict):
    title: Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=300)]
    url: Annotated[str, BeforeValidator(clean_text), Field(max_length=LIMITS["url"]), AfterValidator(_check_url)]


class Contact(_Strict):
    organisation: ShortText = None
    person: OptText(200) = None
    email: Email = None
    phone: OptText(50, AfterValidator(_check_phone)) = None
    website: Url = None


class PracticeIn(_Strict):
    """A practice card as given by a person or a file. Only the four codes and title are required."""

    slug: OptText(80, pattern=SLUG_RE) = None
    title: Annotated[str, BeforeValidator(clean_text), Field(min_length=3, max_length=LIMITS["title"])]
    summary: OptText(LIMITS["summary"]) = None
    problem: LongText = None
    solution: LongText = None
    outcome: LongText = None
    outcome_figures: list[OutcomeFigure] = Field(default_factory=list, max_length=LIMITS["figures"])
    region: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=16)]
    municipality: ShortText = None
    municipality_type: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=64)]
    themes: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=LIMITS["themes"])
    year_started: Year = None
    resources: LongText = None
    partners: LongText = None
    contact: Contact = Field(default_factory=Contact)
    contact_public: bool = False
    source_url: Url = None
    documents: list[DocumentLink] = Field(default_factory=list, max_length=LIMITS["documents"])
    status: Status = Status.published

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[str]) -> list[str]:
        seen: list[str] = []
        for slug in value:
            if slug not in seen:
                seen.append(slug)
        return seen

    @field_validator("contact", mode="before")
    @classmethod
    def _contact_none(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("outcome_figures", "documents", mode="before")
    @classmethod
    def _list_none(cls, value: Any) -> Any:
        return [] if value is None else value


class Submitter(_Strict):
    """Who proposed a practice; never shown publicly."""

    name: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=200)]
    organisation: ShortText = None
    email: Annotated[EmailStr, BeforeValidator(clean_text)]


class SubmissionIn(PracticeIn):
    """The submission API body: a practice plus its submitter; status is always pending."""

    submitter: Submitter
    status: Status = Status.pending

    @field_validator("status")
    @classmethod
    def _always_pending(cls, value: Status) -> Status:
        return Status.pending


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
