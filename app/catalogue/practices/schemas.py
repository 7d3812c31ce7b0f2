"""What crosses the wire: the practice as imported, exported, submitted and edited.

One schema for JSON Lines, the submission API and the forms, so the rules are the same
everywhere. Reference codes (region, themes, municipality type) are checked against the
database by `app.catalogue.practices.check_references`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from app.models import Status, utcnow

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
    "awards": 20,
}
# The largest figure a card may hold, either sign: more than any budget in roubles or any count
# of people, and small enough that a difference or a ratio of two stays a finite float.
MAX_FIGURE = 1e15
# Numbers are JSON numbers, as the document says: a "12" or a true is a wrong value, not a guess.
# Forms and sheets read people's text themselves (`number_of`, `whole_of`).
FigureValue = Annotated[StrictFloat | None, Field(allow_inf_nan=False, ge=-MAX_FIGURE, le=MAX_FIGURE)]
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")


def number_of(text: str) -> float | str:
    """A number as people write it in a form or a sheet (`1 000,5` → 1000.5); anything else is
    left as text for the schema to name («нужно число»)."""
    plain = _NUMBER_SPACES.sub("", text).replace(",", ".")
    if not plain.isascii() or "_" in plain:  # Python's float() also reads «١٢» and «1_0»
        return text
    try:
        return float(plain)
    except ValueError:
        return text


def whole_of(text: str) -> int | str:
    """A whole number as people write it (`2019`, ` 2019 `); anything else is left as text for
    the schema to name («нужно целое число»)."""
    plain = text.strip()
    # 18 digits: any year or count, and far below int()'s limit on the digits it converts
    return int(plain) if plain.isascii() and plain.isdigit() and len(plain) <= 18 else text


# One year rule for the form, the API, files and the search filter: from 1991 (the first
# municipal reform of the Russian Federation) to next year (a practice planned to start).
MIN_YEAR = 1991


def max_year() -> int:
    return utcnow().year + 1  # not date.today(): without TZ set, each call re-reads /etc/localtime


def _check_year(value: int | None) -> int | None:
    if value is None:
        return None
    if not MIN_YEAR <= value <= max_year():
        raise ValueError(f"год должен быть от {MIN_YEAR} до {max_year()}")
    return value


# Characters that show nothing on their own: spaces, format marks (zero-width, direction marks,
# soft hyphen), combining marks with nothing to combine with, and a few letters drawn blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def visible(text: str) -> bool:
    """Whether `text` shows anything: a title of zero-width characters alone is no title."""
    # A loop, not any() over a generator: every text field of every imported record comes
    # here (a million calls for 100,000 practices), nearly always to stop at the first
    # character, and making the generator cost twice the answer (0.4 s of such an import).
    for c in text:  # noqa: SIM110 - see above
        if c not in _BLANK_LETTERS and unicodedata.category(c) not in _INVISIBLE_CATEGORIES:
            return True
    return False


def clean_text(value: Any) -> Any:
    """NFC, no control characters, trimmed; an empty or invisible string means 'not given'."""
    if value is None or not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value).strip()
    return value if visible(value) else None


# One URL rule: http(s) only, no spaces; a bare address («almetyevsk.ru», «www.site.ru/page»)
# gets https:// in front, as a browser's address bar would.
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)  # mailto:, javascript:; not «site.ru:8080»
_BARE_HOST = re.compile(r"^(?:[^\s/$.?#:@]+\.)+[^\s/$.?#:@]{2,}(?::\d{1,5})?(?:[/?#]\S*)?$")
URL_MESSAGE = "нужна ссылка на сайт: http:// или https:// (или просто адрес вроде example.ru), без пробелов"


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not _HTTP_URL.match(value) and not _OTHER_SCHEME.match(value) and _BARE_HOST.match(value):
        value = "https://" + value
    if not _HTTP_URL.match(value):
        raise ValueError(URL_MESSAGE)
    return value


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE_RE.match(value):
        raise ValueError("телефон: только цифры, пробелы, +, -, скобки")
    return value


# Optional cleaned texts. The limits sit on the string itself, not on `str | None`:
# constraints on the union raise TypeError (a crash, not an error) for an explicit null.
Cleaned = BeforeValidator(clean_text)
ShortText = Annotated[Annotated[str, Field(max_length=LIMITS["short_text"])] | None, Cleaned]
LongText = Annotated[Annotated[str, Field(max_length=LIMITS["long_text"])] | None, Cleaned]
SummaryText = Annotated[Annotated[str, Field(max_length=LIMITS["summary"])] | None, Cleaned]
NameText = Annotated[Annotated[str, Field(max_length=200)] | None, Cleaned]
UnitText = Annotated[Annotated[str, Field(max_length=50)] | None, Cleaned]
Phone = Annotated[Annotated[str, Field(max_length=50), AfterValidator(_check_phone)] | None, Cleaned]
Url = Annotated[Annotated[str, Field(max_length=LIMITS["url"]), AfterValidator(_check_url)] | None, Cleaned]
Slug = Annotated[Annotated[str, Field(max_length=80, pattern=SLUG_RE)] | None, Cleaned]
CodeSlug = Annotated[Annotated[str, Field(max_length=64, pattern=SLUG_RE)] | None, Cleaned]


def _address(value: Any) -> Any:
    """An e-mail address cleaned as any text, except that only "" means 'no address' (the
    document says so): spaces or invisible characters alone are a wrong address, not none."""
    if value == "":
        return None
    return clean_text(value) or value


def _or_empty(schema: dict[str, Any]) -> None:
    """The documented schema of an optional address that reads "" as none (`_address`)."""
    schema["anyOf"].insert(-1, {"const": ""})


Email = Annotated[EmailStr | None, BeforeValidator(_address), Field(json_schema_extra=_or_empty)]
Year = Annotated[StrictInt | None, AfterValidator(_check_year)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=LIMITS["long_text"])


class OutcomeFigure(_Strict):
    indicator: Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=200)]
    value_before: FigureValue = None
    value_after: FigureValue = None
    unit: UnitText = None
    period: UnitText = None


class DocumentLink(_Strict):
    title: Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=300)]
    url: Annotated[str, BeforeValidator(clean_text), Field(max_length=LIMITS["url"]), AfterValidator(_check_url)]


class Contact(_Strict):
    organisation: ShortText = None
    person: NameText = None
    email: Email = None
    phone: Phone = None
    website: Url = None


Place = Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "winner", "laureate"]
AWARD_PLACES: tuple[str, ...] = get_args(Place)
PLACE_LABELS = {"winner": "победитель", "laureate": "лауреат", **{str(n): f"{n}-е место" for n in range(1, 11)}}
CATEGORY_LABELS = {"I": "I категория (городские и муниципальные округа, городские поселения)",
                   "II": "II категория (сельские поселения)"}


def _check_past_date(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("дата не может быть в будущем")
    return value


class AwardIn(_Strict):
    """An award of a practice: competition and nomination are slugs of the reference tables."""

    competition: Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=64, pattern=SLUG_RE)]
    year: Annotated[int, AfterValidator(_check_year)]
    nomination: CodeSlug = None
    category: Literal["I", "II"] | None = None
    place: Place | None = None
    prize: NameText = None
    source_url: Url = None


Source = Annotated[str, BeforeValidator(clean_text), Field(max_length=LIMITS["url"]), AfterValidator(_check_url)]


def _null_is_empty(schema: dict[str, Any]) -> None:
    """The documented schema of a list or object field that reads null as empty (`_list_none`,
    `_contact_none`): the value, or null."""
    value = {k: schema.pop(k) for k in list(schema) if k not in ("title", "description")}
    schema["anyOf"] = [value, {"type": "null"}]


class CardIn(_Strict):
    """What anyone may give of a practice card: the submission form and API take only this.
    Only the title and the three codes are required."""

    title: Annotated[str, BeforeValidator(clean_text), Field(min_length=3, max_length=LIMITS["title"])]
    summary: SummaryText = None
    problem: LongText = None
    solution: LongText = None
    outcome: LongText = None
    outcome_figures: list[OutcomeFigure] = Field(
        default_factory=list, max_length=LIMITS["figures"], json_schema_extra=_null_is_empty
    )
    region: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=16)]
    municipality: ShortText = None
    municipality_type: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=64)]
    themes: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=LIMITS["themes"])
    year_started: Year = None
    resources: LongText = None
    partners: LongText = None
    contact: Contact = Field(default_factory=Contact, json_schema_extra=_null_is_empty)
    # JSON's true or false only: a 0 or a "true" is a wrong value, as the document says, not a
    # guess (the forms read their checkbox themselves: forms.parse_pairs).
    contact_public: StrictBool = False
    source_url: Url = None
    sources: list[Source] = Field(default_factory=list, max_length=LIMITS["documents"], json_schema_extra=_null_is_empty)
    documents: list[DocumentLink] = Field(
        default_factory=list, max_length=LIMITS["documents"], json_schema_extra=_null_is_empty
    )

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("contact", mode="before")
    @classmethod
    def _contact_none(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("outcome_figures", "documents", "sources", mode="before")
    @classmethod
    def _list_none(cls, value: Any) -> Any:
        return [] if value is None else value


class PracticeIn(CardIn):
    """A practice card as files, moderators and the import give it: also its address (slug),
    awards, when its facts were checked, and its status."""

    slug: Slug = None
    awards: list[AwardIn] = Field(default_factory=list, max_length=LIMITS["awards"])
    verified_at: Annotated[date | None, AfterValidator(_check_past_date)] = None
    status: Status = Status.published

    @field_validator("awards", mode="before")
    @classmethod
    def _awards_none(cls, value: Any) -> Any:
        return [] if value is None else value


class Submitter(_Strict):
    """Who proposed a practice; never shown publicly."""

    name: Annotated[str, BeforeValidator(clean_text), Field(min_length=2, max_length=200)]
    organisation: ShortText = None
    email: Annotated[EmailStr, BeforeValidator(clean_text)]


class SubmissionIn(CardIn):
    """The submission API body: a practice plus its submitter. It is always pending; its
    address (slug) and awards are the moderators' to set, and are refused here."""

    submitter: Submitter
    status: Status | None = Field(None, description="Не учитывается: заявка всегда ждёт модератора (pending)")
