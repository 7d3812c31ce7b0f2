"""Word-level differences for the audit log: what a moderator or submitter changed in a field,
as runs of kept, removed and added words (escaped by the template, never marked safe)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

_TOKENS = re.compile(r"\s+|[^\s]+")
CONTEXT = 8  # words kept on each side of a change inside a long unchanged run


@dataclass(frozen=True)
class Run:
    kind: str  # "same", "del" or "ins"
    text: str


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):  # one item a line (themes, figures, documents): an added item is one insertion
        return "\n".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _shorten(tokens: list[str], first: bool, last: bool) -> str:
    """An unchanged run, with only the words next to the changes kept when it is long."""
    words = [i for i, t in enumerate(tokens) if not t.isspace()]
    if len(words) <= 2 * CONTEXT + 3:
        return "".join(tokens)
    head = "".join(tokens[: words[CONTEXT - 1] + 1])
    tail = "".join(tokens[words[-CONTEXT]:])
    if first and last:
        return "…"
    if first:
        return "… " + tail
    if last:
        return head + " …"
    return f"{head} … {tail}"


def word_diff(old: Any, new: Any) -> list[Run]:
    a, b = _TOKENS.findall(as_text(old)), _TOKENS.findall(as_text(new))
    runs: list[Run] = []
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            runs.append(Run("same", _shorten(a[i1:i2], first=n == 0, last=n == len(ops) - 1)))
            continue
        if i2 > i1:
            runs.append(Run("del", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(Run("ins", "".join(b[j1:j2])))
    return runs
