"""The facet checkboxes written in Python (app/web/search/checkboxes.py): escaped, labelled,
nested, ticked as chosen."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.web.search.checkboxes import checkboxes
from app.web.search.view import FacetOption


def test_every_value_is_a_labelled_checkbox_with_its_count() -> None:
    options = [
        FacetOption("RU-BEL", "Белгородская область", 12, True, "f-region-RU-BEL"),
        FacetOption("RU-TA", 'Татарстан <script>alert("x")</script> & «Ко»', 3, False, "f-region-RU-TA"),
    ]
    soup = BeautifulSoup(f"<ul>{checkboxes('region', options)}</ul>", "html.parser")
    assert not soup.find("script")
    boxes = soup.select("li > label.facet-value > input[type=checkbox]")
    assert [(b["id"], b["name"], b["value"], b["data-key"], b.has_attr("checked")) for b in boxes] == [
        ("f-region-RU-BEL", "region", "RU-BEL", "region:RU-BEL", True),
        ("f-region-RU-TA", "region", "RU-TA", "region:RU-TA", False),
    ]
    labels = soup.select("label.facet-value")
    assert [label["for"] for label in labels] == ["f-region-RU-BEL", "f-region-RU-TA"]
    assert labels[1].select_one(".facet-label").get_text() == 'Татарстан <script>alert("x")</script> & «Ко»'
    assert [" ".join(label.select_one(".count").get_text().split()) for label in labels] == [
        ", практик: 12", ", практик: 3"]


def test_nested_values_follow_their_parent_said_with_its_name() -> None:
    parent = FacetOption("lmp", "ЛМП", 7, False, "f-award-lmp")
    parent.children = [FacetOption("lmp:2023", "2023", 2, True, "f-award-lmp-2023", context="ЛМП")]
    soup = BeautifulSoup(f"<ul>{checkboxes('award', [parent])}</ul>", "html.parser")
    child = soup.select_one("li > ul.facet-values.facet-children > li > label > input")
    assert (child["name"], child["value"], child.has_attr("checked")) == ("award", "lmp:2023", True)
    label = child.find_parent("label").select_one(".facet-label")
    assert label.get_text() == "ЛМП, 2023"
    assert label.select_one(".visually-hidden").get_text() == "ЛМП, "
