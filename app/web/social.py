"""What a shared link shows: Open Graph and Twitter card tags (`_social.html` writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

SITE_NAME = "Каталог лучших муниципальных практик"
DESCRIPTION_LIMIT = 300


@dataclass(frozen=True)
class Social:
    title: str
    description: str
    url: str  # absolute: a messenger or a social network fetches the page from elsewhere
    kind: Literal["website", "article"] = "website"
    site_name: ClassVar[str] = SITE_NAME

    @property
    def summary(self) -> str:
        """The description cut at a word, as previews show a few lines at most."""
        text = " ".join(self.description.split())
        if len(text) <= DESCRIPTION_LIMIT:
            return text
        return text[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0] + "…"
