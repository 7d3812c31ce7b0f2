"""Posted HTML forms: reading them safely, and what the practice form's templates expect.

The submission form, the moderator's editor and the sign-in form read posts here; the
practice fields themselves are `app.catalogue.practices.forms`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from app.catalogue.practices.forms import (
    HONEYPOT,
    MAX_FIELDS,
    MAX_ROWS,
    TEXT_FIELDS,
    PracticeForm,
    form_errors,
    parse_pairs,
)
from app.catalogue.practices.schemas import LIMITS, MIN_YEAR, PLACE_LABELS, max_year
from app.catalogue.reference import Reference
from app.web.formatting import plural


async def read_pairs(request: Request) -> list[tuple[str, str]]:
    """The posted form as (name, value) pairs; invalid UTF-8 becomes U+FFFD, never an error."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="replace")
        except ValueError as exc:
            raise HTTPException(413, f"Слишком много полей в форме: не больше {MAX_FIELDS}.") from exc
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        except HTTPException:
            raise
        except Exception as exc:  # malformed multipart: say so, never a 500
            raise HTTPException(400, "Форма повреждена: не удалось прочитать данные.") from exc
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    raise HTTPException(415, "Отправьте форму как application/x-www-form-urlencoded или multipart/form-data.")


# Routes that touch the database are plain functions (run in the thread pool) and take the
# posted form as a dependency: a database wait inside an `async` route would stop the event
# loop, and with it the commits of the requests it waits for.
PostedList = Annotated[list[tuple[str, str]], Depends(read_pairs)]


async def posted_pairs(request: Request) -> dict[str, str]:
    """A posted form of single-valued fields (sign-in, moderation actions)."""
    return dict(await read_pairs(request))


PostedPairs = Annotated[dict[str, str], Depends(posted_pairs)]


async def posted_form(request: Request) -> tuple[PracticeForm, dict[str, str]]:
    """The practice fields as a PracticeForm, and the other posted fields (buttons, notes)."""
    pairs = await read_pairs(request)
    form = parse_pairs(pairs)
    rest = {k: v for k, v in pairs if not _is_card_field(k)}
    if group := rest.get("add_row"):
        form.add_row(group)
    return form, rest


def _is_card_field(name: str) -> bool:
    return name in ("themes", "contact_public", "sources", HONEYPOT) or "." in name or name in TEXT_FIELDS


PostedForm = Annotated[tuple[PracticeForm, dict[str, str]], Depends(posted_form)]


def form_context(ref: Reference, form: PracticeForm, errors: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    """What `_form_practice.html` and `_form_errors.html` expect."""
    return {
        "form": form,
        "errors": form_errors(errors),
        "ref": ref,
        "limits": LIMITS,
        "row_limits": MAX_ROWS,
        "min_year": MIN_YEAR,
        "max_year": max_year(),
        "long_limit": f"{LIMITS['long_text']:,}".replace(",", "\u00a0"),
        "region_options": [
            (f"{district} федеральный округ", [(r.code, r.name) for r in regions])
            for district, regions in ref.federal_districts().items()
        ],
        "type_options": [(None, [(m.slug, m.name) for m in ref.municipality_types.values()])],
        "competition_options": [(c.slug, c.short_name or c.name) for c in ref.competitions.values()],
        "nomination_options": [(n.slug, n.name) for n in ref.nominations.values()],
        "place_options": list(PLACE_LABELS.items()),
        "form_error": None,
        **extra,
    }


def minutes(seconds: int) -> str:
    n = max(1, -(-seconds // 60))
    return f"{n} {plural(n, 'минуту', 'минуты', 'минут')}"
