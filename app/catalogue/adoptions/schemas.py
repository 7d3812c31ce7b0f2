"""An adoption report as the public gives it (the form on the card)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, EmailStr, Field, field_validator

from app.catalogue.practices.schemas import OutcomeFigure, Phone, ShortText, Year, _Strict, clean_text

LIMITS = {"what_changed": 5000, "figures": 5}

Required = BeforeValidator(clean_text)


class AdopterContact(_Strict):
    """Who reports: seen by moderators only, never published."""

    name: Annotated[str, Required, Field(min_length=2, max_length=200)]
    organisation: ShortText = None
    email: Annotated[EmailStr, Required]
    phone: Phone = None


class AdoptionIn(_Strict):
    municipality: Annotated[str, Required, Field(min_length=2, max_length=300)]
    region: Annotated[str, Required, Field(min_length=2, max_length=16)]
    municipality_type: Annotated[str, Required, Field(min_length=2, max_length=64)]
    year: Year = None
    what_changed: Annotated[str, Required, Field(min_length=10, max_length=LIMITS["what_changed"])]
    outcome_figures: list[OutcomeFigure] = Field(default_factory=list, max_length=LIMITS["figures"])
    contact: AdopterContact

    @field_validator("outcome_figures", mode="before")
    @classmethod
    def _list_none(cls, value: object) -> object:
        return [] if value is None else value
