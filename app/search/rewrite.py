"""Other readings of a query typed in Latin letters: the wrong keyboard layout («ujhjl» is «город»
on a Russian keyboard) or a transliteration («shkola»). When the query as typed finds nothing,
the page and the API search the first reading that does and say so («Показаны результаты по
запросу …»).
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.search.base import SearchIndex, SearchQuery, SearchResult

_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё"
_PAIRS = dict(zip(_LATIN, _CYRILLIC, strict=True))
_PAIRS.update({k.upper(): v.upper() for k, v in _PAIRS.items() if k.isalpha()})
_LAYOUT = str.maketrans(_PAIRS)
_HAS_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_HAS_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# Transliteration back into Cyrillic (the usual ways Russian is written in Latin letters),
# longest spellings first so that «shch» is not read as «s» + «h» + …
_TRANSLIT = sorted(
    {
        "shch": "щ", "sch": "щ", "yo": "ё", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш",
        "yu": "ю", "ya": "я", "ye": "е", "iya": "ия", "iyu": "ию", "iye": "ие", "iy": "ий", "yy": "ый", "a": "а", "b": "б", "v": "в",
        "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "y": "ы", "k": "к", "l": "л", "m": "м",
        "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х",
        "c": "ц", "w": "в", "x": "кс", "j": "й", "q": "к",
    }.items(),
    key=lambda kv: -len(kv[0]),
)
_TRANSLIT_RE = re.compile("|".join(re.escape(k) for k, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)


def layout(text: str) -> str:
    """The text as the same keys would have typed it on the Russian layout."""
    return text.translate(_LAYOUT)


def transliterated(text: str) -> str:
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group()], text.lower())


def readings(text: str) -> list[str]:
    """Other readings of a query written in Latin letters only (none for a Cyrillic one)."""
    if not _HAS_LATIN.search(text) or _HAS_CYRILLIC.search(text):
        return []
    out = [layout(text), transliterated(text)]
    return [r for r in dict.fromkeys(out) if r != text]


def search_as_meant(index: SearchIndex, query: SearchQuery) -> tuple[SearchResult, str | None]:
    """The search, or, when it finds nothing, the search of the first other reading that finds
    something, with that reading (None when the query was searched as typed)."""
    result = index.search(query)
    if result.total or not query.text:
        return result, None
    for text in readings(query.text):
        other = index.search(replace(query, text=text))
        if other.total:
            return other, text
    return result, None
