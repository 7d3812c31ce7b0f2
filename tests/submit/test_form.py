"""The /submit form: fields, limits, server-side validation, values kept, the done page."""

from __future__ import annotations

from datetime import date

import pytest

from app.catalogue.practices.schemas import LIMITS, URL_MESSAGE
from app.models import Status
from tests.submit.helpers import (
    field_error,
    form_data,
    practice_by_code,
    soup,
    summary_links,
    tracking_code,
)


def test_form_offers_every_card_field_marks_required_and_states_limits(client):
    response = client.get("/submit")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = soup(response)
    form = page.find("form", action="/submit")
    names = {el["name"] for el in form.find_all(["input", "select", "textarea"]) if el.get("name")}
    expected = {
        "title", "summary", "region", "municipality", "municipality_type", "themes", "problem", "solution",
        "outcome", "year_started", "resources", "partners", "contact.organisation", "contact.person",
        "contact.email", "contact.phone", "contact.website", "contact_public", "source_url",
        "outcome_figures.0.indicator", "outcome_figures.0.value_before", "outcome_figures.0.value_after",
        "outcome_figures.0.unit", "outcome_figures.0.period", "outcome_figures.1.indicator",
        "documents.0.title", "documents.0.url", "submitter.name", "submitter.organisation", "submitter.email",
    }
    assert expected <= names
    assert "slug" not in names  # only moderators choose the address
    for name in ("title", "region", "municipality_type", "submitter.name", "submitter.email"):
        el = form.find(attrs={"name": name})
        assert el.has_attr("required"), name
        label = page.find("label", attrs={"for": el["id"]})
        assert label.find("abbr", class_="req"), name
    assert page.find(id="f-themes").find("abbr", class_="req")
    assert form.find("textarea", attrs={"name": "problem"})["maxlength"] == str(LIMITS["long_text"])
    assert form.find("input", attrs={"name": "title"})["maxlength"] == str(LIMITS["title"])
    assert "10\u00a0000" in page.find(id="f-problem-hint").get_text()
    assert f"до {LIMITS['themes']}" in page.find(id="f-themes").get_text()
    assert f"До {LIMITS['figures']} строк" in page.find(id="f-outcome-figures").get_text()
    # Regions grouped by federal district; types and themes from the reference tables.
    region = form.find("select", attrs={"name": "region"})
    assert region.find("optgroup", label="Центральный федеральный округ").find("option", value="RU-BEL")
    assert form.find("select", attrs={"name": "municipality_type"}).find("option", value="municipal-district")
    assert form.find("input", attrs={"name": "themes", "value": "youth"})["type"] == "checkbox"
    # The honeypot is there, hidden from people and assistive technology.
    trap = form.find("input", attrs={"name": "leave_empty"})
    assert trap["tabindex"] == "-1" and trap.find_parent(class_="hp")["aria-hidden"] == "true"


def test_valid_submission_redirects_to_tracking_page_and_waits_for_moderator(client, session, same_site):
    response = client.post("/submit", data=form_data(contact_public="on"), headers=same_site, follow_redirects=False)
    assert response.status_code == 303
    code = tracking_code(response)
    practice = practice_by_code(session, code)
    assert practice.status == Status.pending
    assert practice.published_at is None
    assert practice.submitter_name == "Иван Петров"
    assert practice.submitter_email == "ivan@example.org"
    assert practice.contact_public is True
    assert practice.year_started == 2021
    assert practice.outcome_figures == [
        {"indicator": "Проектов школьников в бюджете", "value_before": 0.0, "value_after": 12.0, "unit": "шт.", "period": None}
    ]
    assert practice.documents == [{"title": "Положение о школе", "url": "https://example.org/doc.pdf"}]
    assert sorted(t.slug for t in practice.themes) == ["education", "youth"]

    done = client.get(response.headers["location"])
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    page = soup(done)
    assert page.find(id="tracking-code").get_text() == code
    assert page.find(id="status").get_text(strip=True) == "на проверке у модератора"
    assert page.find("h2", string="Что дальше")
    # Nothing private on a page anyone with the number can open.
    assert "Иван" not in page.get_text() and "ivan@example.org" not in page.get_text()
    assert practice.title not in page.get_text()
    assert client.get(f"/submit/{code.lower()}").status_code == 200


def test_unknown_or_malformed_tracking_code_is_404(client):
    assert client.get("/submit/P-00000000").status_code == 404
    assert client.get("/submit/nonsense").status_code == 404


def test_empty_form_names_every_required_field_at_top_and_next_to_it(client, session, same_site):
    response = client.post("/submit", data={"contact_public": "on"}, headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert page.title.get_text().startswith("Ошибка")
    links = summary_links(page)
    for name, anchor in [
        ("title", "#f-title"), ("region", "#f-region"), ("municipality_type", "#f-municipality-type"),
        ("themes", "#f-themes"), ("submitter.name", "#f-submitter-name"), ("submitter.email", "#f-submitter-email"),
    ]:
        assert anchor in links, name
        assert page.find(id=anchor[1:]) is not None, anchor  # the link leads somewhere
        assert field_error(page, name), name
    assert field_error(page, "title") == "обязательное поле"
    assert field_error(page, "themes") == "выберите хотя бы одну тему"
    assert page.find(id="f-title")["aria-invalid"] == "true"
    assert "f-title-error" in page.find(id="f-title")["aria-describedby"]
    assert field_error(page, "summary") is None
    # The checkbox stays checked.
    assert page.find("input", attrs={"name": "contact_public"}).has_attr("checked")


def test_entered_values_are_kept_after_an_error(client, same_site):
    data = form_data(**{"submitter.email": "ivan@localhost", "outcome_figures.3.indicator": "Участников",
                        "outcome_figures.3.value_after": "1 500,5", "problem": "Строка 1\nСтрока 2"})
    response = client.post("/submit", data=data, headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, "submitter.email") == "неверный адрес электронной почты"
    assert list(summary_links(page)) == ["#f-submitter-email"]
    assert page.find("input", attrs={"name": "title"})["value"] == data["title"]
    assert page.find("textarea", attrs={"name": "problem"}).get_text() == "Строка 1\nСтрока 2"
    assert page.find("select", attrs={"name": "region"}).find("option", selected=True)["value"] == "RU-BEL"
    assert page.find("select", attrs={"name": "municipality_type"}).find("option", selected=True)["value"] == "municipal-district"
    checked = {el["value"] for el in page.find_all("input", attrs={"name": "themes"}) if el.has_attr("checked")}
    assert checked == {"youth", "education"}
    assert page.find("input", attrs={"name": "submitter.email"})["value"] == "ivan@localhost"
    # Rows are compacted: the filled row 3 comes back as row 1, and an empty row follows.
    assert page.find("input", attrs={"name": "outcome_figures.1.indicator"})["value"] == "Участников"
    assert page.find("input", attrs={"name": "outcome_figures.1.value_after"})["value"] == "1 500,5"
    assert page.find("input", attrs={"name": "outcome_figures.2.indicator"})["value"] == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"region": "RU-XXX"}, "region", "неизвестный регион «RU-XXX»"),
        ({"municipality_type": "kingdom"}, "municipality_type", "неизвестный тип муниципального образования «kingdom»"),
        ({"themes": ["youth", "astrology"]}, "themes", "неизвестная тема «astrology»"),
        ({"themes": ["youth", "education", "economy", "culture", "sport-health", "ecology"]}, "themes", "выберите не больше 5 тем"),
        ({"year_started": str(date.today().year + 2)}, "year_started", f"год должен быть от 1991 до {date.today().year + 1}"),
        ({"year_started": "1990"}, "year_started", f"год должен быть от 1991 до {date.today().year + 1}"),
        ({"year_started": "в прошлом году"}, "year_started", "нужно целое число"),
        ({"year_started": "9" * 5000}, "year_started", None),
        ({"title": "Ш"}, "title", "слишком коротко: не меньше 3 символов"),
        ({"title": "   "}, "title", "обязательное поле"),
        ({"source_url": "javascript:alert(1)"}, "source_url", URL_MESSAGE),
        ({"contact.website": "пример сайта"}, "contact.website", URL_MESSAGE),
        ({"documents.0.url": "ftp://example.org/x"}, "documents.0.url", URL_MESSAGE),
        ({"documents.0.title": None}, "documents.0.title", "обязательное поле"),
        ({"contact.email": "not an email"}, "contact.email", "неверный адрес электронной почты"),
        ({"contact.phone": "позвоните мне"}, "contact.phone", "телефон: только цифры, пробелы, +, -, скобки"),
        ({"outcome_figures.0.indicator": None}, "outcome_figures.0.indicator", "обязательное поле"),
        ({"outcome_figures.0.value_after": "много"}, "outcome_figures.0.value_after", "нужно число"),
        ({"outcome_figures.0.value_after": "inf"}, "outcome_figures.0.value_after", "нужно конечное число"),
        ({"outcome_figures.0.value_before": "NaN"}, "outcome_figures.0.value_before", "нужно конечное число"),
        ({"outcome_figures.0.value_before": "1e999"}, "outcome_figures.0.value_before", "нужно конечное число"),
        ({"submitter.name": "И"}, "submitter.name", "слишком коротко: не меньше 2 символов"),
    ],
)
def test_each_bad_value_gets_a_russian_error_next_to_its_field(client, session, same_site, overrides, field, message):
    response = client.post("/submit", data=form_data(**overrides), headers=same_site)
    assert response.status_code == 422, response.text[:300]
    page = soup(response)
    shown = field_error(page, field)
    assert shown, f"no error next to {field}"
    if message is not None:
        assert shown == message
    assert "#f-" + field.replace(".", "-").replace("_", "-") in summary_links(page)


def test_long_text_over_the_limit_is_a_field_error_not_a_crash(client, same_site):
    response = client.post("/submit", data=form_data(problem="я" * (LIMITS["long_text"] + 1)), headers=same_site)
    assert response.status_code == 422
    assert field_error(soup(response), "problem") == f"слишком длинно: не больше {LIMITS['long_text']} символов"


def test_too_many_rows_is_one_error_on_the_group(client, same_site):
    rows = {f"documents.{i}.title": f"Документ {i}" for i in range(LIMITS["documents"] + 1)}
    rows |= {f"documents.{i}.url": f"https://example.org/{i}" for i in range(LIMITS["documents"] + 1)}
    response = client.post("/submit", data=form_data(**rows), headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, "documents") == f"слишком длинно: не больше {LIMITS['documents']} значений"
    assert len(page.find(id="f-documents").find_all(attrs={"data-row": True})) == LIMITS["documents"] + 1


def test_figures_accept_russian_number_habits_and_drop_empty_rows(client, session, same_site):
    data = form_data(**{
        "outcome_figures.0.value_before": "1 000,5", "outcome_figures.1.indicator": "",
        "outcome_figures.2.indicator": "Дворов", "outcome_figures.2.value_after": "30",
        "documents.0.title": "", "documents.0.url": "",
    })
    response = client.post("/submit", data=data, headers=same_site, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    practice = practice_by_code(session, tracking_code(response))
    assert [f["indicator"] for f in practice.outcome_figures] == ["Проектов школьников в бюджете", "Дворов"]
    assert practice.outcome_figures[0]["value_before"] == 1000.5
    assert practice.documents == []


def test_add_row_button_adds_an_empty_row_without_errors_or_saving(client, session, same_site):
    page = soup(client.get("/submit"))
    rows_before = len(page.find(id="f-documents").find_all(attrs={"data-row": True}))
    data = form_data(add_row="documents", title="")  # an invalid form: no errors shown yet
    response = client.post("/submit", data=data, headers=same_site)
    assert response.status_code == 200
    page = soup(response)
    assert page.find(id="error-summary") is None
    rows = page.find(id="f-documents").find_all(attrs={"data-row": True})
    assert len(rows) == rows_before + 1
    assert page.find("input", attrs={"name": "documents.0.title"})["value"] == "Положение о школе"
    assert page.find("input", attrs={"name": "submitter.name"})["value"] == "Иван Петров"
    from sqlmodel import select

    from app.models import Practice

    assert session.exec(select(Practice)).first() is None


def test_an_address_posted_with_the_form_is_refused_naming_it(client, session, same_site):
    """A submitter cannot claim an address (a later import would take their record over)."""
    response = client.post("/submit", data=form_data(slug="zanyatyy-adres"), headers=same_site)
    assert response.status_code == 422
    page = soup(response)
    assert list(summary_links(page)) == ["#f-slug"]
    assert page.find(id="error-summary").find("li").get_text() == "Адрес страницы (slug): неизвестное поле"


def test_a_title_of_zero_width_characters_is_no_title(client, same_site):
    response = client.post("/submit", data=form_data(title="\u200b\u2060\u200d\ufeff"), headers=same_site)
    assert response.status_code == 422
    assert field_error(soup(response), "title") == "обязательное поле"
