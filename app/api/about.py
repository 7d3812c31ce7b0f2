"""`/about/api`: the open data described for people, with working examples and the promise."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.responses import STABILITY_PROMISE
from app.deps import ReferenceDep, SettingsDep
from app.links import public_base
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/about/api", response_class=HTMLResponse)
def about_api(request: Request, ref: ReferenceDep, settings: SettingsDep) -> HTMLResponse:
    base = public_base(request, settings)
    region = "RU-BEL" if "RU-BEL" in ref.regions else next(iter(ref.regions), "RU-MOW")
    theme = "youth" if "youth" in ref.themes else next(iter(ref.themes), "youth")
    context = {
        "base": base,
        "region": region,
        "region_name": ref.label("region", region),
        "theme": theme,
        "theme_name": ref.label("theme", theme),
        "promise": STABILITY_PROMISE,
        "opendata_home": f"/opendata/{settings.opendata_id}/",
    }
    return render(request, "about_api.html", context)
