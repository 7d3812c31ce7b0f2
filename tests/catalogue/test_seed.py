"""The real practices in seed_data/: each passes the import's own check, cites pages (never a
search), has no twin, the catalogue holds what the issue promised, every award names a known
competition and nomination, seed_data/README.md counts every source, and `practices seed` run
twice keeps what moderators changed."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from app.catalogue.practices.io import check_sources, jsonl_sources
from app.catalogue.reference import Reference
from tests.test_cli import run

SEED = Path(__file__).resolve().parents[2] / "seed_data"
LINES = (SEED / "practices.jsonl").read_text(encoding="utf-8").splitlines()
CARDS: list[dict[str, Any]] = [json.loads(line) for line in LINES if line.strip()]
README = (SEED / "README.md").read_text(encoding="utf-8")
DISTRICTS = 8


def table(name: str) -> list[dict[str, str]]:
    with (SEED / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def urls(card: dict[str, Any]) -> list[str]:
    """Every address a card cites: its source, further sources, documents, awards' sources."""
    out = [card.get("source_url"), *card.get("sources", [])]
    out += [d["url"] for d in card.get("documents", [])]
    out += [a.get("source_url") for a in card.get("awards", [])]
    return [u for u in out if u]


def is_search_page(url: str) -> bool:
    """A search engine's or a site's search results: not a page the facts come from."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.lower()
    engine_home = host.startswith(("yandex.", "google.", "bing.", "duckduckgo.")) and path in ("", "/")
    return "/search" in path or "q" in parse_qs(parts.query) or engine_home


def full_sentence(text: str | None) -> bool:
    """At least four words ending with a full stop (or ! ? …), maybe inside closing quotes."""
    if not text:
        return False
    return len(re.findall(r"\w+", text)) >= 4 and re.search(r"[.!?…][»\")]*\s*$", text) is not None


def same(text: str | None) -> str:
    """Titles and municipalities compared as people read them: case, ё and spacing aside."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def test_every_card_passes_the_imports_own_check(session: Session) -> None:
    checked = check_sources(jsonl_sources(LINES), Reference(session))
    assert [str(e) for c in checked for e in c.errors] == []
    assert len(checked) == len(CARDS) and all(c.data is not None for c in checked)
    # Each card says when its source was read, and is public.
    assert [c["slug"] for c in CARDS if not c.get("verified_at") or c.get("status") != "published"] == []


def test_search_pages_are_recognised() -> None:
    for url in ("https://yandex.ru/search/?text=ЛМП", "https://www.google.com/search?q=лмп", "https://example.ru/?q=двор",
                "https://admin.example.ru/search/index.php?text=практика", "https://yandex.ru/"):
        assert is_search_page(url), url
    for url in ("https://ria.ru/20251114/okrugi-2054957720.html", "http://okmo.news/new.php?3215",
                "https://www.arhcity.ru/?page=0/52739"):
        assert not is_search_page(url), url


def test_every_cited_address_is_a_web_page_not_a_search() -> None:
    bad = [(c["slug"], u) for c in CARDS for u in urls(c)
           if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc or is_search_page(u)]
    assert bad == []
    # A card without a source page comes from a document that has no address: the README says which.
    missing = [c["slug"] for c in CARDS if not c.get("source_url")]
    assert [slug for slug in missing if slug not in README] == []
    assert len(missing) <= len(CARDS) // 20


def test_no_twins() -> None:
    slugs = Counter(c["slug"] for c in CARDS)
    assert [s for s, n in slugs.items() if n > 1] == []
    pairs = Counter((same(c.get("municipality")), same(c["title"])) for c in CARDS)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_the_catalogue_is_as_large_and_as_wide_as_promised() -> None:
    regions = {r["code"]: r["federal_district"] for r in table("regions.csv")}
    assert len(set(regions.values())) == DISTRICTS
    assert len(CARDS) >= 250
    assert len({c["region"] for c in CARDS}) >= 60
    assert {regions[c["region"]] for c in CARDS} == set(regions.values())
    described = [c for c in CARDS if full_sentence(c.get("summary"))
                 and any(c.get(k) for k in ("problem", "solution", "outcome"))]
    assert len(described) >= 150
    with_figures = [c for c in CARDS if any(f.get("value_after") is not None for f in c.get("outcome_figures", []))]
    assert len(with_figures) >= 60


def test_full_sentence_rule() -> None:
    assert full_sentence("Жители сами выбирают проекты благоустройства.")
    assert full_sentence("Город вошёл в число «лучших практик».")
    assert not full_sentence("Практика в номинации «Умный город» (Саров)")
    assert not full_sentence("Умный город.")
    assert not full_sentence(None)


def test_every_award_names_a_known_competition_and_a_nomination_of_its_year() -> None:
    competitions = {c["slug"] for c in table("competitions.csv")}
    nominations = {n["slug"]: n for n in table("nominations.csv")}
    problems = []
    for card in CARDS:
        for award in card.get("awards", []):
            where = f"{card['slug']}: {award['competition']} {award['year']}"
            if award["competition"] not in competitions:
                problems.append(f"{where}: unknown competition")
            if "nomination" not in award:
                continue
            nomination = nominations.get(award["nomination"])
            if nomination is None:
                problems.append(f"{where}: unknown nomination {award['nomination']}")
                continue
            # A regional stage awards in its federal competition's nominations.
            if award["competition"] not in (nomination["competition"], nomination["competition"] + "-regional"):
                problems.append(f"{where}: {award['nomination']} is a nomination of {nomination['competition']}")
            low, high = int(nomination["year_from"] or 0), int(nomination["year_to"] or 9999)
            if not low <= award["year"] <= high:
                problems.append(f"{where}: {award['nomination']} was not used that year")
    assert problems == []
    assert sum(1 for c in CARDS if c.get("awards")) >= 100


def test_readme_counts_the_cards_of_every_source() -> None:
    cited: Counter[str] = Counter()
    for card in CARDS:
        for url in {card.get("source_url"), *card.get("sources", [])} - {None}:
            cited[url] += 1
    listed: Counter[str] = Counter()
    for match in re.finditer(r"^\| (https?://\S+) \| (\d+) \|$", README, re.M):
        listed[match[1]] += int(match[2])  # a page may be listed under two groups
    assert listed == cited
    # The «Where the facts come from» headings give every card one source, and add up.
    headings = re.findall(r"^###\s.*?:\s(\d+)(?: new)? cards?$", README, re.M)
    assert sum(int(n) for n in headings) == len(CARDS)
    # Paths are the repository's (or beside it), never one machine's.
    assert re.search(r"(?<![\w.])/(work|tmp|root|home|Users)/", README) is None
    assert re.search(r"\b[A-Z]:\\", README) is None


@pytest.mark.slow
def test_seed_twice_adds_nothing_and_keeps_moderators_edits(tmp_path: Path) -> None:
    from app.catalogue.practices.service import change_status, update_practice
    from app.db import make_engine, session_scope
    from app.models import Practice, Status
    from tests.factories import practice_to_in

    data_dir = tmp_path / "var"
    assert run(data_dir, "migrate").returncode == 0
    first = run(data_dir, "seed")
    assert first.returncode == 0, first.stderr
    assert f"Добавлено практик: {len(CARDS)}, уже были: 0" in first.stderr
    edited, archived = CARDS[0]["slug"], CARDS[1]["slug"]
    engine = make_engine(f"sqlite:///{data_dir / 'practices.db'}")
    with session_scope(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == edited)).unique().one()
        data = practice_to_in(practice).model_copy(update={"title": "Название, исправленное модератором"})
        assert update_practice(session, Reference(session), practice, data, actor="admin:moder")
        gone = session.exec(select(Practice).where(Practice.slug == archived)).unique().one()
        change_status(session, gone, Status.archived, actor="admin:moder")
    engine.dispose()

    second = run(data_dir, "seed")
    assert second.returncode == 0, second.stderr
    assert f"Добавлено практик: 0, уже были: {len(CARDS)}" in second.stderr
    exported = {r["slug"]: r for r in map(json.loads, run(data_dir, "export", "--all").stdout.splitlines())}
    assert len(exported) == len(CARDS)
    assert exported[edited]["title"] == "Название, исправленное модератором"
    assert exported[archived]["status"] == "archived"
    assert [s for s, r in exported.items() if s not in (edited, archived) and r["status"] != "published"] == []
