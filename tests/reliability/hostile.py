"""The hostile-input corpus: what a careless program, a broken encoder or an attacker sends.

`TEXTS` go into every text field and query parameter as they are; `JSON_VALUES` are the values
only JSON can carry (wrong types, numbers beyond a float, deep nesting); `RAW_FORM_VALUES` are
percent-encoded bytes no UTF-8 string can hold; `RAW_BODIES` are whole bodies of the wrong shape
or encoding.
"""

from __future__ import annotations

import re
from typing import Any

TEXTS: dict[str, str] = {
    "rtl-override": "\u202eакиткарп\u202c \u200fتجربة\u200f",
    "combining-pile": "е" + "\u0301" * 500,
    "zalgo": "П\u0337\u0322\u031bр\u0338а\u0335к\u0336т\u0334и\u0338к\u0337а",
    "nul": "Практика\x00\x00номер",
    "controls": "\x01\x02\x1b[31mкрасный\x1b[0m\x7f\x08",
    "line-breaks": "строка\r\nстрока\rстрока\u2028\u2029\u0085",
    "zero-width-only": "\u200b\u2060\ufeff\u200d",
    "blank-letters": "\u3164\u2800\u115f",
    "ten-thousand": "я" * 10_000,
    "one-long-word": "x" * 10_000,
    "emoji-families": "\U0001F469\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466\U0001F3F3\ufe0f\u200d\U0001F308" * 40,
    "markup": '<script>alert(1)</script>"\'><img src=x onerror=alert(1)>',
    "sql": "' OR 1=1; DROP TABLE practice; --",
    "format-strings": "%s%n%x{0}{title}${jndi:ldap://x}",
    "path": "../../../../etc/passwd",
    "noncharacters": "\ufffd\ufffe\uffff",
    "private-use": "\ue000\U000f0000\U0010fffd",
    "big-number": "1e308",
    "beyond-float": "1e400",
    "negative-big": "-1e308",
    "tiny": "1e-300",
    "four-hundred-digits": "9" * 400,
    "nan": "NaN",
    "infinity": "-Infinity",
    "negative-zero": "-0",
    "hex": "0x1F",
    "comma-decimal": "1\u00a0000,5",
    "empty": "",
    "spaces": " \t ",
}

JSON_VALUES: dict[str, Any] = {
    "null": None,
    "true": True,
    "list": ["а", "б"],
    "object": {"a": 1},
    "float-max": 1.7976931348623157e308,
    "float-min": -1.7976931348623157e308,
    "subnormal": 5e-324,
    "int-beyond-float": 10**400,
    "negative-int": -(10**30),
}

# Raw JSON (the value as written in the body): what `json.dumps` will not write.
RAW_JSON_VALUES: dict[str, str] = {
    "lone-high-surrogate": '"\\ud800"',
    "lone-low-surrogate": '"abc\\udfff"',
    "escaped-nul": '"\\u0000\\u0000"',
    "nan-literal": "NaN",
    "infinity-literal": "-Infinity",
    "exponent-overflow": "1e999999",
    "deep-list": "[" * 10_000 + "]" * 10_000,
    "deep-object": '{"a":' * 5_000 + "1" + "}" * 5_000,
}

# Percent-encoded bytes in a form or a query string.
RAW_FORM_VALUES: dict[str, str] = {
    "invalid-utf8": "%FF%FE%FD",
    "surrogate-utf8": "%ED%A0%80abc",
    "overlong-slash": "%C0%AF",
    "cp1251": "%CF%F0%E0%EA%F2%E8%EA%E0",
    "nul-byte": "%00%00",
    "truncated-escape": "%E2%82",
    "bare-percent": "100%",
}

RAW_BODIES: dict[str, tuple[bytes, str]] = {
    "cp1251": ('{"title": "Практика"}'.encode("cp1251"), "application/json"),
    "utf-16-bom": ('{"title": "Практика"}'.encode("utf-16"), "application/json"),
    "utf-16-declared": ('{"title": "Практика"}'.encode("utf-16-le"), "application/json; charset=utf-16"),
    "latin-1-declared": ('{"title": "Pr\u00e4ktika"}'.encode("latin-1"), "application/json; charset=latin-1"),
    "deep-list": (b"[" * 10_000 + b"]" * 10_000, "application/json"),
    "deep-object": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "application/json"),
    "truncated": (b'{"title": "abc', "application/json"),
    "not-json": (b"title=abc", "application/json"),
    "empty": (b"", "application/json"),
    "nul-bytes": (b"\x00" * 64, "application/json"),
    "form-as-json": (b'{"title": "x"}', "application/x-www-form-urlencoded"),
    "xml": (b"<?xml version='1.0'?><title>x</title>", "application/xml"),
}

_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def russian(text: str) -> bool:
    return bool(_CYRILLIC.search(text))
