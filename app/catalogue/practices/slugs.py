"""Stable latin slugs from Russian titles (transliteration close to ГОСТ 7.79-2000 system B)."""

from __future__ import annotations

import re

_TABLE = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
    }
)


def slugify(text: str, max_length: int = 80) -> str:
    latin = text.lower().translate(_TABLE)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "practice"
