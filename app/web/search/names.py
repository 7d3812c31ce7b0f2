"""Names the catalogue knows, recognised in a query: a region («Алтайский край», «Кузбасс»), a
theme, a municipality type. The search already ranks their practices up (every document is
tagged with its names); the page offers the filter besides: «Искать только: Алтайский край?».
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.catalogue.reference import Reference
from app.search.facets import FACETS
from app.search.morphology import word_keys
from app.search.query import plan
from app.search.text import tokens
from app.search.thesaurus import Thesaurus

# Words that name a kind of place or a kind of work, not a place or a topic: «Алтайский край» is
# recognised by «алтайский», «Туризм и бренд территории» by «туризм» or «бренд».
# A label made of such words only («Сельское поселение») is recognised by all of them.
GENERIC = frozenset(
    word_keys(w).stem
    for w in ["область", "край", "республика", "округ", "автономный", "федеральный", "район", "город", "муниципальный", "образование", "поселение", "городской", "сельский", "политика", "среда", "поддержка", "участие", "связь", "обратная", "обращение", "развитие", "территория", "управление", "согласие", "мир", "общественный", "житель"]
)


@dataclass(frozen=True)
class Name:
    facet: str
    value: str
    label: str


@lru_cache(maxsize=4096)  # the reference's few hundred names, asked on every search page
def _keys(text: str) -> tuple[frozenset[str], ...]:
    """The distinctive words of a name (all its words if none is), each as the keys it may be
    matched by."""
    keys = [word_keys(w) for w in tokens(text) if len(w) > 2]
    distinctive = [k for k in keys if k.stem not in GENERIC] or keys
    return tuple(frozenset(k.all()) for k in distinctive)


@dataclass(frozen=True)
class _Named:
    """A reference row that a query may name."""

    order: int  # the facets' order, then the table's
    name: Name
    named_by_all: bool
    wanted: tuple[frozenset[str], ...]


def _by_key(ref: Reference) -> dict[str, list[_Named]]:
    """Every key of a name's distinctive words -> the names with it (a query shares a word with
    few of the reference's few hundred names: only those are looked at)."""
    out: dict[str, list[_Named]] = {}
    order = 0
    for f in FACETS:
        table = ref.table(f)
        if table is None:
            continue
        for value, row in table.items():
            named = _Named(order, Name(f.name, value, row.name), f.named_by == "all", _keys(row.name))
            order += 1
            for key in set().union(*named.wanted):
                out.setdefault(key, []).append(named)
    return out


def recognise(text: str, ref: Reference, thesaurus: Thesaurus, limit: int = 3) -> list[Name]:
    """Regions, themes and types whose distinctive words the query holds (directly or through the
    thesaurus: «Кузбасс» is «Кемеровская область»), those matching more of its words first."""
    query = plan(text, thesaurus)
    if not query:
        return []
    said = [set(w.keys.all()) for w in query.words]  # the query's own words weigh twice a synonym's
    meant = [set(keys) for a in query.alternatives for keys in a.phrase.words]
    index: dict[str, list[_Named]] = ref.derived("names", _by_key)
    candidates = {n.order: n for key in set().union(*said, *meant) for n in index.get(key, ())}
    found: list[tuple[int, Name]] = []
    for _, named in sorted(candidates.items()):
        wanted = named.wanted
        direct = sum(1 for w in wanted if any(w & s for s in said))
        hits = sum(1 for w in wanted if any(w & s for s in said + meant))
        # A topic is named by one of its own words in the query, not by a synonym's.
        if wanted and (hits == len(wanted) if named.named_by_all else direct):
            found.append((-(direct * 2 + hits), named.name))
    found.sort(key=lambda item: (item[0], item[1].label))
    return [name for _, name in found[:limit]]
