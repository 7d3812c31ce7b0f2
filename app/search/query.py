"""Query understanding, shared by both engines: the text becomes a plan they both execute.

The plan holds the query's meaningful words (stop words never make a query fail), each with its
word keys (stem and family, `morphology`), whether it is the last word (still being typed: a
prefix) and whether it sits inside quotes (an exact phrase: always required); and the thesaurus
alternatives found in the query (`thesaurus`), each standing for one or more of its words.

How much of the plan a document must satisfy (all words first, then fewer, the rarest kept
longest) and how matches are weighed (literal > typo > synonym; title > summary > body > place
> tags; rare words count more) is the engines' job, the same rules in both (see
`app.search.local.matching` and `app.search.meili.index`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.search import typos
from app.search.morphology import WordKeys, word_keys
from app.search.stopwords import STOP_WORDS
from app.search.text import fold, tokens
from app.search.thesaurus import Phrase, Thesaurus

MAX_WORDS = 10  # like Meilisearch: later words are ignored
_QUOTED = re.compile(r"[\"«“„]([^\"«»“”„]+)[\"»”“]")


@dataclass(frozen=True)
class QueryWord:
    text: str  # folded, as typed
    keys: WordKeys
    last: bool = False  # may be unfinished: it also matches as a prefix
    required: bool = False  # inside quotes: never dropped

    @property
    def typos(self) -> int:
        """Typos allowed, counted on the stem both engines compare (Meilisearch is given stems):
        «нужны» (stem «нужн») is not one typo from «нижние»."""
        return 0 if self.required else typos.budget(self.keys.stem)


@dataclass(frozen=True)
class Alternative:
    """What the thesaurus finds for query words first..end-1 instead of them."""

    first: int
    end: int
    phrase: Phrase


@dataclass(frozen=True)
class QueryPlan:
    text: str
    words: tuple[QueryWord, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # quoted phrases: folded words that must stand in this order
    alternatives: tuple[Alternative, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words)

    def alternatives_of(self, i: int) -> list[Alternative]:
        return [a for a in self.alternatives if a.first <= i < a.end]


def plan(text: str, thesaurus: Thesaurus) -> QueryPlan:
    """The plan of a query text."""
    # Stop words do not count inside a phrase either (neither engine indexes them).
    phrases = [tuple(w for w in tokens(q) if w not in STOP_WORDS) for q in _QUOTED.findall(text or "")]
    quoted = {w for p in phrases for w in p}
    loose = _QUOTED.sub(" ", text or "")
    ordered = [*(w for p in phrases for w in p), *tokens(loose)]
    meaningful = [w for w in ordered if w not in STOP_WORDS][:MAX_WORDS]
    words = tuple(
        QueryWord(w, word_keys(w), last=(i == len(meaningful) - 1 and w not in quoted), required=w in quoted)
        for i, w in enumerate(meaningful)
    )
    found = thesaurus.expansions([w.keys.all() for w in words]) if words else []
    # Words in quotes are meant exactly: no synonyms stand in for them.
    alternatives = tuple(
        Alternative(first, end, p)
        for first, end, targets in found
        if not any(w.required for w in words[first:end])
        for p in targets
    )
    return QueryPlan(fold(text or "").strip(), words, tuple(p for p in phrases if p), alternatives)
