"""The checkboxes of a multi-valued facet as HTML, written in Python rather than by a Jinja macro.

A results page shows a hundred and more facet values; through a macro each cost a call frame, a
context and a dozen escapes, a third of the page's own work (bench/README.md). Here the parts
of a value that never change (its id, name, label) are escaped once per process and a value
costs one join. The markup is the macro's was: a `<label>` around the checkbox, the label said
after its parent's when nested (a competition's years), the count said as «практик: N».
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

from app.web.search.view import FacetOption


@lru_cache(maxsize=8192)
def _parts(facet: str, value: str, input_id: str, label: str, context: str) -> tuple[str, str]:
    """What comes before `checked` and between it and the count, escaped."""
    i, name, v = escape(input_id), escape(facet), escape(value)
    said = f'<span class="visually-hidden">{escape(context)}, </span>' if context else ""
    head = (f'<li><label class="facet-value" for="{i}">\n'
            f'  <input type="checkbox" id="{i}" name="{name}" value="{v}" data-key="{name}:{v}"')
    middle = (f'>\n  <span class="facet-label">{said}{escape(label)}</span>\n'
              '  <span class="count"><span class="visually-hidden">, практик: </span>')
    return head, middle


def _value(facet: str, option: FacetOption, out: list[str]) -> None:
    head, middle = _parts(facet, option.value, option.id, option.label, option.context)
    out += (head, " checked" if option.selected else "", middle, str(int(option.count)), "</span>\n</label>")
    if option.children:
        out.append('\n  <ul class="facet-values facet-children">')
        for child in option.children:
            _value(facet, child, out)
        out.append("\n  </ul>")
    out.append("</li>")


def checkboxes(facet: str, options: Iterable[FacetOption]) -> Markup:
    """The `<li>` of each option (the caller writes the `<ul>`)."""
    out: list[str] = []
    for option in options:
        _value(facet, option, out)
    return Markup("".join(out))
