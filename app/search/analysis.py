"""How a search document is read for matching, the same for both engines.

A document's searchable text falls into tiers, from the most telling to the least: its title,
its summary, its body (problem, solution, outcome), its place (municipality, region) and its
tags (the names of its themes, municipality type, awards and federal district, so that «туризм»,
«сельское поселение» or «Приволжский» find the practices the catalogue files under those names). Each word of a
tier is indexed by its keys (`morphology.word_keys`); stop words are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from app.search.morphology import WordKeys, word_keys
from app.search.stopwords import STOP_WORDS
from app.search.text import tokens


@dataclass(frozen=True)
class Tier:
    name: str
    fields: tuple[str, ...]  # document keys (strings, or lists of strings)
    weight: float  # how much a match here counts against a match elsewhere


TIERS: tuple[Tier, ...] = (
    Tier("title", ("title",), 10.0),
    Tier("summary", ("summary",), 5.0),
    Tier("body", ("problem", "solution", "outcome"), 2.0),
    Tier("place", ("municipality", "region_name"), 1.5),  # the district's name is among the tags
    Tier("tags", ("tags",), 1.0),
)
TEXT_FIELDS: tuple[str, ...] = tuple(f for t in TIERS for f in t.fields)


def field_text(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value if v)
    return str(value or "")


def words(text: str) -> list[str]:
    """The meaningful folded words of a text."""
    return [w for w in tokens(text) if w not in STOP_WORDS]


def keys_of(words_: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for w in words_:
        out.update(_indexed[w])
    return out


class _Indexed(dict[str, tuple[str, ...]]):
    """A word's index keys (`WordKeys.indexed`), looked up without a call per word."""

    LIMIT = 400_000

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[word] = word_keys(word).indexed
        return value


_indexed = _Indexed()


class _TextKeys(dict[str, frozenset[str]]):
    """The index keys of a text, kept: names of themes, types, regions and sentences that
    repeat across documents are analysed once (bounded; dropped when full)."""

    LIMIT = 200_000

    def __missing__(self, text: str) -> frozenset[str]:
        if len(self) >= self.LIMIT:
            self.clear()
        # Each distinct word once: a text repeats its words, and the set difference is C.
        unique = set(tokens(text)) - STOP_WORDS
        value = self[text] = frozenset(chain.from_iterable(map(_indexed.__getitem__, unique)))
        return value


_text_keys = _TextKeys()


def _values(document: Mapping[str, Any], name: str) -> list[str]:
    value = document.get(name)
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


_EMPTY: frozenset[str] = frozenset()


def analyze(document: Mapping[str, Any]) -> tuple[frozenset[str], ...]:
    """The keys of each tier of a document."""
    out = []
    for tier in TIERS:
        parts = [_text_keys[text] for f in tier.fields for text in _values(document, f)]
        out.append(parts[0] if len(parts) == 1 else _EMPTY.union(*parts))
    return tuple(out)


__all__ = ["TIERS", "TEXT_FIELDS", "Tier", "WordKeys", "analyze", "field_text", "keys_of", "words"]
