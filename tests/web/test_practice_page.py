"""The practice card: every public field, figures, contacts only when public, never unpublished."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.catalogue.practices.service import change_status
from app.models import Practice, Status
from tests.web.conftest import soup, text

FULL = {
    "slug": "narodnyj-byudzhet",
    "title": "Народный бюджет в сельских поселениях",
    "summary": "Жители сами выбирают проекты благоустройства.",
    "problem": "Проекты не отвечали нуждам жителей.\nЖители не участвовали.",
    "solution": "Ежегодное голосование за проекты.",
    "outcome": "Проектов стало в десять раз больше.",
    "outcome_figures": [
        {"indicator": "Проектов", "value_before": 4, "value_after": 41, "unit": "шт.", "period": "2019–2023"},
        {"indicator": "Доля участников", "value_before": 12.5, "value_after": 30, "unit": "%"},
        {"indicator": "Бюджет", "value_before": 1250000, "value_after": None, "unit": "руб."},
    ],
    "region": "RU-KHA",
    "municipality": "Хабаровский муниципальный район",
    "municipality_type": "municipal-district",
    "themes": ["finance", "civic-participation"],
    "year_started": 2019,
    "resources": "Местный бюджет и софинансирование края.",
    "partners": "Ассоциация сельских поселений.",
    "contact": {"organisation": "Администрация района", "person": "Иванова Мария", "email": "adm@example.ru",
                "phone": "+7 (4212) 00-00-00", "website": "https://example.ru"},
    "contact_public": True,
    "source_url": "https://example.ru/news/1",
    "documents": [{"title": "Положение о конкурсе", "url": "https://example.ru/doc.pdf"}],
}


def facts(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {text(div.dt): text(div.dd) for div in page.select("dl.facts > div")}


def test_card_shows_every_public_field(client, make_practice):
    make_practice(**FULL)
    page = soup(client.get("/practices/narodnyj-byudzhet"))
    assert page.h1.get_text() == FULL["title"]
    assert page.title.get_text() == f"{FULL['title']} — Каталог муниципальных практик"
    f = facts(page)
    assert f["Регион"] == "Хабаровский край ( Дальневосточный ФО )"
    # The district leads to its search (the district facet), not to a list of its regions.
    assert page.select_one("dl.facts a[href='/practices?district=far-eastern']").get_text() == "Дальневосточный ФО"
    assert f["Муниципальное образование"] == "Хабаровский муниципальный район"
    assert f["Тип"] == "Муниципальный район"
    assert f["Год начала"] == "2019"
    assert f["Темы"] == "Участие жителей, ТОС и обратная связь Муниципальные финансы"
    assert f["Организация"] == "Администрация района" and f["Контактное лицо"] == "Иванова Мария"
    assert f["Телефон"] == "+7 (4212) 00-00-00"
    assert page.select_one('a[href="mailto:adm@example.ru"]')
    sections = {text(s.h2): text(s.select_one(".prose")) for s in page.select("section.card-section") if s.select_one(".prose")}
    assert sections == {
        "Проблема": "Проекты не отвечали нуждам жителей. Жители не участвовали.",
        "Решение": FULL["solution"],
        "Результаты": FULL["outcome"],
        "Ресурсы и бюджет": FULL["resources"],
        "Партнёры": FULL["partners"],
    }
    assert text(page.select_one("p.lead")) == FULL["summary"]
    assert page.select_one('.documents a[href="https://example.ru/doc.pdf"]').get_text() == "Положение о конкурсе"
    assert page.select_one('.card-foot a[href="https://example.ru/news/1"]')
    # Themes, region, type and year link to filtered searches.
    assert page.select_one('dl.facts a[href="/regions/RU-KHA"]')
    assert {a["href"] for a in page.select("dl.facts .tags a")} == {"/themes/finance", "/themes/civic-participation"}
    assert page.select_one('dl.facts a[href="/practices?municipality_type=municipal-district"]')
    assert page.select_one('dl.facts a[href="/practices?year_from=2019&year_to=2019"]')


def test_outcome_figures_table(client, make_practice):
    make_practice(**FULL)
    page = soup(client.get("/practices/narodnyj-byudzhet"))
    table = page.select_one("table.figures")
    assert [th.get_text() for th in table.select("thead th")] == ["Показатель", "Было", "Стало", "Изменение", "Период"]
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    assert rows == [
        ["Проектов, шт.", "4", "41", "+37 (×10,2)", "2019–2023"],
        ["Доля участников, %", "12,5", "30", "+17,5 (×2,4)", ""],
        ["Бюджет, руб.", "1\u202f250\u202f000", "—", "—", ""],
    ]
    assert all(th["scope"] == "row" for th in table.select("tbody th"))


def test_any_stored_figure_shows_and_never_breaks_the_card(client, make_practice, session: Session):
    """Figures stored before the schema bounded them (1e308 and −1e308 once gave a 500 here)."""
    practice = make_practice(slug="ogromnye-cifry", title="Огромные цифры",
                             outcome_figures=[{"indicator": "Мало", "value_before": 1e-300, "value_after": 1}])
    stored = session.get(Practice, practice.id)
    stored.outcome_figures = [*stored.outcome_figures,
                              {"indicator": "Много", "value_before": 1e308, "value_after": -1e308},
                              {"indicator": "Ещё", "value_before": -1e300, "value_after": 1e-300}]
    session.add(stored)
    session.commit()
    response = client.get("/practices/ogromnye-cifry")
    assert response.status_code == 200
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])][:4] for tr in soup(response).select("table.figures tbody tr")]
    assert rows == [
        ["Мало", "1 × 10⁻³⁰⁰", "1", "+1 (×1 × 10³⁰⁰)"],
        ["Много", "1 × 10³⁰⁸", "−1 × 10³⁰⁸", "—"],
        ["Ещё", "−1 × 10³⁰⁰", "1 × 10⁻³⁰⁰", "+1 × 10³⁰⁰"],
    ]


def test_no_figures_no_table(client, make_practice):
    make_practice(slug="bez-cifr", title="Практика без цифр")
    page = soup(client.get("/practices/bez-cifr"))
    assert page.select_one("table.figures") is None
    assert "Результаты в цифрах" not in page.get_text()


def test_contact_hidden_unless_public(client, make_practice, session: Session):
    make_practice(**(FULL | {"slug": "private-contact", "contact_public": False}))
    page = soup(client.get("/practices/private-contact"))
    body = page.get_text()
    for secret in ("Иванова Мария", "adm@example.ru", "4212", "Администрация района"):
        assert secret not in body
    assert not page.select('a[href^="mailto:"]') and page.select_one("section.contact") is None
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert "author" not in data


def test_submitter_and_moderation_note_never_shown(client, make_practice, session: Session):
    practice = make_practice(slug="submitted", title="Предложенная жителем практика")
    row = session.get(Practice, practice.id)
    row.submitter_name, row.submitter_email = "Пётр Секретов", "petr@secret.example"
    row.submitter_organisation, row.moderation_note = "ООО Тайна", "внутренняя заметка модератора"
    session.add(row)
    session.commit()
    response = client.get("/practices/submitted")
    for secret in ("Секретов", "petr@secret.example", "ООО Тайна", "внутренняя заметка", practice.tracking_code):
        assert secret not in response.text


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_unpublished_card_is_404(client, make_practice, status):
    practice = make_practice(slug=f"hidden-{status}", status=status)
    assert client.get(f"/practices/hidden-{status}").status_code == 404
    assert client.get(f"/practices/{practice.id}").status_code == 404


def test_archived_card_is_404(client, make_practice, session: Session):
    practice = make_practice(slug="to-archive")
    assert client.get("/practices/to-archive").status_code == 200
    row = session.get(Practice, practice.id)
    change_status(session, row, Status.archived, actor="test")
    session.commit()
    response = client.get("/practices/to-archive")
    assert response.status_code == 404
    assert soup_404(response).h1.get_text() == "Страница не найдена"
    assert client.get("/practices/no-such-practice").status_code == 404


def soup_404(response):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.text, "html.parser")


def test_card_by_id_redirects_to_slug(client, make_practice):
    practice = make_practice(slug="po-nomeru")
    response = client.get(f"/practices/{practice.id}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/practices/po-nomeru"


def test_alternate_links_and_json_ld(client, make_practice):
    make_practice(**FULL)
    page = soup(client.get("/practices/narodnyj-byudzhet"))
    assert page.select_one('link[rel=alternate][type="application/json"]')["href"] == "/api/v1/practices/narodnyj-byudzhet"
    assert page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"] == "/feeds/practices.atom?region=RU-KHA"
    assert page.select_one("link[rel=canonical]")["href"] == "http://testserver/practices/narodnyj-byudzhet"
    twin = client.get(page.select_one('link[rel=alternate][type="application/json"]')["href"])
    assert twin.status_code == 200 and twin.json()["slug"] == "narodnyj-byudzhet"
    assert client.get(page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"]).status_code == 200
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@context"] == "https://schema.org" and data["@type"] == "CreativeWork"
    assert data["name"] == FULL["title"] and data["url"] == "http://testserver/practices/narodnyj-byudzhet"
    assert data["spatialCoverage"]["address"]["addressRegion"] == "Хабаровский край"
    assert data["isBasedOn"] == FULL["source_url"] and data["temporalCoverage"] == "2019/.."
    assert data["author"] == {"@type": "Organization", "name": "Администрация района"}
    assert sorted(data["keywords"]) == ["Муниципальные финансы", "Участие жителей, ТОС и обратная связь"]


def test_json_ld_cannot_be_closed_by_user_text(client, make_practice):
    title = '</script><script>alert(1)</script> «Двор» & <!-- комментарий'
    make_practice(slug="json-ld-hostile", title=title, summary="</SCRIPT > и <!-- перевод")
    response = client.get("/practices/json-ld-hostile")
    page = soup(response)
    scripts = page.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    raw = scripts[0].string
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json.loads(raw)
    assert data["name"] == title and data["description"] == "</SCRIPT > и <!-- перевод"
    assert not [s for s in page.find_all("script") if "alert" in (s.string or "") and s.get("type") != "application/ld+json"]


def test_related_practices_share_theme_or_region(client, corpus, make_practice):
    make_practice(slug="pending-youth", title="Неопубликованная молодёжная практика", region="RU-BEL",
                  themes=["youth"], status="pending")
    page = soup(client.get("/practices/yunarmiya-belgorod"))
    related = [a["href"].removeprefix("/practices/") for a in page.select("section.related a")]
    # Most in common first (the same region counts as two shared themes), newest first within a tie;
    # never itself, never unpublished, never one with nothing in common (naberezhnaya-krasnodar).
    assert related == [
        "shkola-vozhatyh-krasnodar", "dvory-belgorod",
        "volontery-ekb", "robototehnika-ekb", "molodezhnyj-sovet-kazan", "shkolnye-dvory-kazan",
    ]


def test_print_styles_are_linked(client, corpus):
    page = soup(client.get("/practices/yunarmiya-belgorod"))
    hrefs = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert any(h.endswith("/static/pages.css") for h in hrefs)
    css = client.get("/static/pages.css").text
    assert "@media print" in css
    assert page.select_one("section.related")["class"] == ["related", "no-print"]


AWARDED = {
    "slug": "lmp-nagrady", "title": "Умный город на практике", "region": "RU-NIZ", "municipality": "Саров",
    "municipality_type": "urban-okrug", "themes": ["digital"], "verified_at": "2025-03-07",
    "awards": [
        {"competition": "lmp", "year": 2020, "nomination": "lmp-smart-city", "category": "I", "place": "2",
         "prize": "30 млн ₽", "source_url": "https://example.ru/lmp-2020"},
        {"competition": "rosatom", "year": 2023, "place": "laureate"},
        {"competition": "lmp-regional", "year": 2020, "place": "winner", "source_url": "https://example.ru/region"},
    ],
}


def awards_shown(page) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for item in page.select("section[aria-labelledby=awards-heading] li.award"):
        head = item.select_one(".award-head")
        row = {"head": text(head), "search": head.a["href"]}
        row |= {text(div.dt): text(div.dd) for div in item.select(".award-facts > div")}
        if (source := item.select_one(".award-facts a")) is not None:
            row["source_href"] = source["href"]
        out.append(row)
    return out


def test_card_shows_awards_named_from_the_reference_with_their_sources(client, make_practice):
    make_practice(**AWARDED)
    page = soup(client.get("/practices/lmp-nagrady"))
    assert text(page.select_one("#awards-heading")) == "Награды"
    rosatom = ("Конкурс лучших муниципальных практик и инициатив социально-экономического развития в муниципальных "
               "образованиях на территориях присутствия Госкорпорации «Росатом»")
    # Newest first; names, places and categories in words; each links to the search of its
    # competition and year and to the page that reports it.
    assert awards_shown(page) == [
        {"head": f"{rosatom}, 2023 — лауреат", "search": "/practices?award=rosatom%3A2023"},
        {"head": "Всероссийский конкурс «Лучшая муниципальная практика», 2020 — 2-е место",
         "search": "/practices?award=lmp%3A2020",
         "Номинация": "Модернизация городского хозяйства посредством внедрения цифровых технологий и платформенных "
                      "решений («Умный город»)",
         "Категория": "I категория (городские и муниципальные округа, городские поселения)",
         "Премия": "30 млн ₽", "Источник": "https://example.ru/lmp-2020", "source_href": "https://example.ru/lmp-2020"},
        {"head": "Региональный этап Всероссийского конкурса «Лучшая муниципальная практика», 2020 — победитель",
         "search": "/practices?award=lmp-regional%3A2020",
         "Источник": "https://example.ru/region", "source_href": "https://example.ru/region"},
    ]
    # A slug is a code: never shown as a name.
    shown = text(page.select_one("section[aria-labelledby=awards-heading]"))
    for slug in ("lmp-smart-city", "rosatom,", "laureate", "winner"):
        assert slug not in shown
    # The award's search link finds the practice.
    found = soup(client.get(awards_shown(page)[1]["search"]))
    assert [a["href"] for a in found.select("ol.hits .hit-title a")] == ["/practices/lmp-nagrady"]
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["award"][1] == ("Всероссийский конкурс «Лучшая муниципальная практика», 2020 — 2-е место — номинация "
                                "«Модернизация городского хозяйства посредством внедрения цифровых технологий и "
                                "платформенных решений («Умный город»)»")
    assert len(data["award"]) == 3


def test_card_says_when_its_facts_were_verified(client, make_practice):
    make_practice(**AWARDED)
    page = soup(client.get("/practices/lmp-nagrady"))
    verified = page.select_one(".card-foot .verified")
    assert text(verified) == "Сведения проверены 7 марта 2025 г."
    assert verified.time["datetime"] == "2025-03-07"


def test_card_without_awards_or_verification_shows_neither(client, make_practice):
    make_practice(slug="bez-nagrad", title="Практика без наград")
    page = soup(client.get("/practices/bez-nagrad"))
    assert page.select_one("#awards-heading") is None and page.select_one(".verified") is None
    assert "Сведения проверены" not in page.get_text()
    assert "award" not in json.loads(page.select_one('script[type="application/ld+json"]').string)
