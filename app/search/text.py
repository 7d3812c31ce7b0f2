"""Russian text normalisation shared by every engine: lower case, ё→е, Snowball stems."""

from __future__ import annotations

import re
import unicodedata

import Stemmer

_WORD = re.compile(r"[0-9a-zа-я]+")  # on folded (lower-case) text
_CYRILLIC = re.compile(r"[а-я]")
_ru = Stemmer.Stemmer("russian")
_en = Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower case, ё→е, NFKC (so look-alike forms and combining marks fold together)."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is much cheaper than normalize
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    # A decomposed "ё" (е + U+0308) survives NFKC only as composed ё; drop stray combining marks.
    text = text.replace("ё", "е").replace("\u0308", "").replace("\u0301", "")
    return text


def tokens(text: str) -> list[str]:
    """Words of the folded text, in order."""
    return _WORD.findall(fold(text))


def title_key(title: str) -> str:
    """The title sort key, the same for both engines: the folded title."""
    return fold(title).strip()


def stem(word: str) -> str:
    """Stem of one folded word (Russian Snowball for Cyrillic, English for Latin, digits kept)."""
    if word.isdigit():
        return word
    stemmer = _ru if _CYRILLIC.search(word) else _en
    result: str = stemmer.stemWord(word)
    return result
