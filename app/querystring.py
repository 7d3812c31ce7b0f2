"""Query strings: typed parameters for FastAPI's query models, whole numbers, parameter errors.

Shared by the search parameters (`app.search.params`), the API and the moderation pages, so a
number or a list of codes in a URL is read the same way, with the same Russian message,
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class ParamError:
    param: str
    message: str


class Params:
    """A query string as a read-only multi-dict: works with Starlette's QueryParams and dicts."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        getlist = getattr(source, "getlist", None)
        if getlist is not None:
            self._items: dict[str, list[Any]] = {k: list(getlist(k)) for k in source}
        else:
            self._items = {k: (list(v) if isinstance(v, list | tuple) else [v]) for k, v in source.items()}

    def names(self) -> list[str]:
        return list(self._items)

    def get(self, key: str) -> str | None:
        values = self._items.get(key)
        return str(values[-1]) if values else None

    def all(self, key: str) -> list[Any]:
        """Every value given for `key`, as given."""
        return list(self._items.get(key, []))

    def getlist(self, key: str) -> list[str]:
        out: list[str] = []
        for v in self._items.get(key, []):
            # `region=RU-BEL,RU-MOW` and repeated `region=` both work.
            out.extend(p.strip() for p in str(v).split(",") if p.strip())
        return out


def whole_number(raw: str | None, lo: int, hi: int) -> int | None:
    """`raw` as a whole number in [lo, hi] written in ASCII digits ("²" is a digit to
    str.isdigit, but not to int()); None otherwise."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    value = int(raw)
    return value if lo <= value <= hi else None


def whole_param(params: Params, name: str, lo: int, hi: int, errors: list[ParamError]) -> int | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = whole_number(raw.strip(), lo, hi)
    if value is None:
        errors.append(ParamError(name, f"нужно целое число от {lo} до {hi}"))
    return value


# --- Typed query parameters (Pydantic fields for FastAPI's query models) --------------------

CODE = r"[A-Za-z0-9:-]{1,64}"  # ":" joins a competition and a year: lmp:2023
_CODE = re.compile(CODE)
# A repeatable parameter: at most this many repeats, each listing at most this many values
# through commas. Both are what a schema can say (maxItems, the item's pattern), so the document
# states the cap exactly; a cap on the total could only be written in words.
MAX_VALUES = 100
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("param", message)


def _last(value: Any) -> Any:
    """A single-valued parameter given more than once counts by its last value."""
    return value[-1] if isinstance(value, list) and value else value


def whole(lo: int, hi: int) -> Any:
    """Validator of a whole number in [lo, hi] written in ASCII digits; "" means not given. Spaces
    around the digits are refused, as the document says (a form's select never sends them)."""

    def check(value: Any) -> int | None:
        value = _last(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise _problem(f"нужно целое число от {lo} до {hi}")
        number = value if isinstance(value, int) else whole_number(str(value), lo, hi)
        if number is None or not lo <= number <= hi:
            raise _problem(f"нужно целое число от {lo} до {hi}")
        return number

    return BeforeValidator(check)


def comma_list(item: str, most: int | None = None) -> str:
    """The pattern of one value of a repeatable parameter whose values match `item`: several of
    them (`most` at most, the empty ones counted) separated by commas, spaces around each, any
    of them empty (what `split_values` reads)."""
    more = "*" if most is None else f"{{0,{most - 1}}}"
    return rf"^ *(?:{item})? *(?:, *(?:{item})? *){more}$"


def split_values(value: Any) -> list[str]:
    """The values of a repeatable parameter: `region=RU-BEL,RU-MOW` and repeated `region=` both work;
    empty ones are skipped. Only spaces are trimmed (as `comma_list` documents): a tab or a line
    break in a code is a wrong value, not padding."""
    values: list[str] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        values.extend(p.strip(" ") for p in str(item).split(",") if p.strip(" "))
    return values


def _codes(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    if len(items) > MAX_VALUES or any(str(item).count(",") >= MAX_VALUES for item in items):
        raise _problem(f"не больше {MAX_VALUES} повторов и {MAX_VALUES} значений через запятую в каждом")
    values = split_values(items)
    bad = [v for v in values if not _CODE.fullmatch(v)]
    if bad:
        raise _problem(f"недопустимое значение «{bad[0][:64]}»")
    return list(dict.fromkeys(values))


def _flag(value: Any) -> bool | None:
    value = _last(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in TRUE_WORDS:
        return True
    if str(value).lower() in FALSE_WORDS:
        return False
    raise _problem("нужно true или false")


def _text(limit: int) -> Any:
    def check(value: Any) -> str:
        value = _last(value)
        text = "" if value is None else str(value)
        if len(text) > limit:  # as given, spaces included: the document's maxLength
            raise _problem(f"не длиннее {limit} символов")
        return text.strip()

    return BeforeValidator(check)


# Field types: the schema states the real type and every text the validator takes (an optional
# field's null is what an empty value means, see app.api.params.documented); our validators give
# the Russian messages.
# maxItems only in the document: the validated value is the codes themselves, which may be more.
Codes = Annotated[
    list[Annotated[str, Field(pattern=comma_list(CODE, MAX_VALUES))]],
    Field(json_schema_extra={"maxItems": MAX_VALUES}),
    BeforeValidator(_codes),
]
Flag = Annotated[bool | None, BeforeValidator(_flag)]


def Whole(lo: int, hi: int) -> Any:  # noqa: N802 (a type factory)
    return Annotated[Annotated[int, Field(ge=lo, le=hi)] | None, whole(lo, hi)]


def Text(limit: int) -> Any:  # noqa: N802 (a type factory)
    return Annotated[Annotated[str, Field(max_length=limit)], _text(limit)]
