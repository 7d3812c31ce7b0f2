"""The municipal thesaurus (`seed_data/thesaurus.csv`): synonyms, abbreviations, broader terms.

Rows are `kind,term,alternatives,note` with alternatives `|`-separated:
- `equivalent`: every phrase of the row means the same (two-way);
- `abbreviation`: the abbreviation and its expansions mean the same (two-way; a second meaning of
  the same abbreviation is a row of its own, so meanings are never joined);
- `broader`: a query with `term` also finds the alternatives (narrower terms); not the other way.

Phrases are compared by word keys (`morphology.word_keys`), so word forms meet; stop words inside
a phrase are left out. A synonym ranks below the literal word (the engines weigh it less).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.search.morphology import word_keys
from app.search.stopwords import STOP_WORDS
from app.search.text import tokens

KINDS = ("equivalent", "abbreviation", "broader")


@dataclass(frozen=True)
class Phrase:
    """A phrase of the thesaurus: for each word, the keys a query word may match it by (its stem
    and family), and the stem a document must have (a synonym is found in its own word forms,
    not through its family: Meilisearch's synonyms work so, and both engines must agree)."""

    text: str
    words: tuple[tuple[str, ...], ...]
    stems: tuple[str, ...]


def phrase(text: str) -> Phrase:
    keys = [word_keys(w) for w in tokens(text) if w not in STOP_WORDS]
    return Phrase(text, tuple(k.all() for k in keys), tuple(k.stem for k in keys))


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class Thesaurus:
    # phrase -> the phrases a query with it also finds
    links: dict[Phrase, set[Phrase]] = field(default_factory=lambda: defaultdict(set))
    # first word's key -> phrases starting with it (to find phrases in a query quickly)
    starts: dict[str, set[Phrase]] = field(default_factory=lambda: defaultdict(set))

    def add(self, kind: str, term: Phrase, alternatives: Sequence[Phrase]) -> None:
        group = [term, *alternatives]
        pairs = (
            [(a, b) for a in group for b in group if a != b]
            if kind in ("equivalent", "abbreviation")
            else [(term, b) for b in alternatives]
        )
        for a, b in pairs:
            if a.words and b.words:
                self.links[a].add(b)
                for key in a.words[0]:
                    self.starts[key].add(a)

    def __len__(self) -> int:
        return len(self.links)

    def expansions(self, words: Sequence[tuple[str, ...]]) -> list[tuple[int, int, list[Phrase]]]:
        """Phrases found in a sequence of query words (each given by its keys), as
        (first word, past the last word, what they also find)."""
        found: list[tuple[int, int, list[Phrase]]] = []
        for i, keys in enumerate(words):
            candidates = set().union(*(self.starts.get(k, ()) for k in keys))
            for p in sorted(candidates, key=lambda p: (-len(p.words), p.text)):
                end = i + len(p.words)
                if end <= len(words) and all(set(words[i + j]) & set(p.words[j]) for j in range(len(p.words))):
                    found.append((i, end, sorted(self.links[p], key=lambda q: q.text)))
        return found

    def pairs(self) -> Iterable[tuple[Phrase, Phrase]]:
        for a, targets in self.links.items():
            for b in targets:
                yield a, b


Row = tuple[str, str, str]  # kind, term, alternatives ("|"-separated)


def rows_of(path: Path) -> tuple[list[Row], list[RowError]]:
    """The good rows of the file at `path`, and what is wrong with the others."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [RowError(0, f"нет файла {path.name}")]
    except UnicodeDecodeError:
        return [], [RowError(0, f"{path.name} не в кодировке UTF-8")]
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not {"kind", "term", "alternatives"} <= set(reader.fieldnames):
        return [], [RowError(1, "нужны столбцы kind, term, alternatives (и note)")]
    rows: list[Row] = []
    errors: list[RowError] = []
    for line, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip()
        term = (row.get("term") or "").strip()
        alternatives = [a.strip() for a in (row.get("alternatives") or "").split("|") if a.strip()]
        if kind not in KINDS:
            errors.append(RowError(line, f"вид «{kind}» неизвестен; допустимо: {', '.join(KINDS)}"))
        elif not term or not alternatives:
            errors.append(RowError(line, "нужны термин и хотя бы одна замена"))
        elif empty := [t for t in (term, *alternatives) if not phrase(t).words]:
            errors.append(RowError(line, f"«{empty[0]}» состоит только из служебных слов"))
        else:
            rows.append((kind, term, "|".join(alternatives)))
    return rows, errors


def build(rows: Iterable[Row]) -> Thesaurus:
    thesaurus = Thesaurus()
    for kind, term, alternatives in rows:
        thesaurus.add(kind, phrase(term), [phrase(a) for a in alternatives.split("|")])
    return thesaurus


def read(path: Path) -> tuple[Thesaurus, list[RowError]]:
    """The thesaurus in `path`, and what is wrong with its rows (bad rows are left out)."""
    rows, errors = rows_of(path)
    return build(rows), errors
