"""Word keys: what a word is indexed and searched by, the same in both engines.

Every folded word has its Snowball stem (`text.stem`: word forms, typos, prefixes) and, through
pymorphy3's dictionary, a *family* stem: the stem of its lemma, or, for a word derived from a noun,
of that noun. Snowball alone leaves word families apart (улица / уличный, село / сельский,
школа / школьный / школьник, молодёжь / молодёжный, дети / детский) and irregular forms apart
(дети / ребёнок, люди / человек); the family stem joins them.

The rule for derived words (documented and tested in tests/search/test_morphology.py):
an adjective whose lemma ends in a derivational suffix (-ский, -ной/-ный/-ний, -овый/-евой,
-ивный, -ический, -ейский) and a noun ending in -ник are cut back to the stem before the suffix;
that stem, with a noun ending added (-а, -о, -ь, -я, -и, -ия, or none; -ический tries -ика
first, -ейский -ия) and, for stems of four letters or more, the usual consonant alternations
undone (ч→ц/к/т, ж→г/з, ш→х/с, a soft sign dropped), is looked up in the dictionary; the first
candidate that is a known noun in its dictionary form (or, for -ник, a known adjective,
followed one step further) gives the family. A word without such a noun keeps its own lemma.
Three guards keep unrelated words apart: -овский and a -ский stem shorter than four letters
mostly come from place names and surnames (Ростовский is not рост, Томский not том), so they
keep their lemma (`KINDRED` names the few that are families: детский / дети); and `UNRELATED` lists the common adjectives whose look-alike noun is another
word (полный / пол, важный / вага).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import pymorphy3

from app.search.text import stem

_morph = pymorphy3.MorphAnalyzer()

# Adjective suffixes cut off a lemma (longest first), and the noun endings tried after the cut,
# in order: -ический is mostly -ика (экономика, политика), then -ия (экология).
_COMMON_ENDINGS = ("", "а", "о", "ь", "я", "и", "ия")
_ADJECTIVE_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ический", ("ика", "ия", "")),
    ("ейский", ("ия", "я", "")),
    ("овский", ()),  # place names and surnames: no family
    *((suffix, _COMMON_ENDINGS) for suffix in ("ивный", "ский", "ской", "овый", "евой", "овой", "ный", "ной", "ний")),
)
_SHORT_PROPER = ("ский",)  # a shorter stem before it is mostly a place name (Томский, Сальский)
# Adjectives whose look-alike noun is a different word.
UNRELATED = frozenset(
    ["полный", "разный", "готовый", "активный", "красный", "мобильный", "средний", "обратный", "заметный", "социальный", "частный", "главный", "должный", "основный", "личный", "реальный", "краевой", "важный", "нижний", "южный", "очный", "генический"]
)
KINDRED = {"детский": "ребенок", "майский": "май"}  # short -ский stems that are real families
_ALTERNATIONS = {"ч": ("ц", "к", "т"), "ж": ("г", "з"), "ш": ("х", "с"), "ь": ("",)}


FAMILY = "~"  # marks an index key that is a word's family, not its own stem
MIN_FAMILY = 3  # letters: a shorter family stem is not used


class WordKeys(NamedTuple):
    stem: str  # Snowball stem of the word
    family: str  # stem of its lemma or of the noun it derives from (often the same as `stem`)
    known: bool = False  # the dictionary knows the word (a misspelt word is not known)
    # What a document is indexed by for this word: its stem and, when its family differs, the
    # family marked with FAMILY, so a family match can rank below a literal one.
    indexed: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return (self.stem,) if self.family == self.stem else (self.stem, self.family)

    def relatives(self) -> tuple[str, ...]:
        """Index keys of the other words of its family (what `indexed` gives them)."""
        marked = (FAMILY + self.family,)
        return marked if self.family == self.stem else (*marked, self.family)

    @property
    def token(self) -> str:
        """The one key an engine that takes one token per word is given: the family joins more
        words, but a word the dictionary does not know (misspelt?) is better left a stem."""
        return self.family if self.known else self.stem


def _lemma(word: str) -> tuple[str, str | None]:
    """The word's lemma (ё folded) and part of speech."""
    parse = _morph.parse(word)[0]
    return parse.normal_form.replace("ё", "е"), parse.tag.POS


def _candidates(base: str, endings: tuple[str, ...]) -> list[str]:
    bases = [base]
    if len(base) >= 4 and base[-1] in _ALTERNATIONS:
        bases += [base[:-1] + c for c in _ALTERNATIONS[base[-1]]]
    return [b + e for b in bases if len(b) >= 2 for e in endings]


def _noun_of(lemma: str, depth: int = 0) -> str | None:
    """The noun a derived adjective (or -ник noun) comes from, per the module's rule."""
    if lemma.endswith("ник") and depth == 0:
        base = lemma[:-3]
        for adjective in (base + "ный", base + "ной", base + "ский"):
            if _morph.word_is_known(adjective):
                return _noun_of(adjective, depth + 1)
        return None
    if lemma in UNRELATED:
        return None
    if lemma in KINDRED:
        return KINDRED[lemma]
    for suffix, endings in _ADJECTIVE_SUFFIXES:
        if lemma.endswith(suffix) and len(lemma) - len(suffix) >= 2:
            base = lemma[: -len(suffix)]
            if suffix in _SHORT_PROPER and len(base) < 4:
                return None
            for candidate in _candidates(base, endings):
                noun = _noun(candidate)
                if noun is not None:
                    return noun
            return None
    return None


def _noun(candidate: str) -> str | None:
    """The noun the candidate is, if the dictionary knows it in its dictionary form or in the
    genitive plural (семей, деревень: the stems adjectives are made of), not in another case
    («костром» is «костёр», not the stem of «костромской»)."""
    if not _morph.word_is_known(candidate):
        return None
    for parse in _morph.parse(candidate):
        normal = str(parse.normal_form).replace("ё", "е")
        if parse.tag.POS != "NOUN":
            continue
        if normal == candidate or (parse.tag.case == "gent" and parse.tag.number == "plur"):
            return normal
    return None


@lru_cache(maxsize=400_000)
def word_keys(word: str) -> WordKeys:
    """The keys of one folded word (the one memo of word analysis: pymorphy3 costs ~250 µs)."""
    own = stem(word)
    if word.isdigit() or not ("а" <= word[:1] <= "я"):
        return WordKeys(own, own, False, (own,))
    lemma, part = _lemma(word)
    family = stem((_noun_of(lemma) if part in ("ADJF", "ADJS", "NOUN") else None) or lemma)
    if len(family) < MIN_FAMILY:
        # A two-letter family is a prefix of half the language (тайный → тай «Thai» → «та»
        # found «Татарстан»): the word keeps its own stem.
        family = own
    indexed = (own,) if family == own else (own, FAMILY + family)
    return WordKeys(own, family, _morph.word_is_known(word), indexed)
