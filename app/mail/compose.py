"""A queued message as an e-mail: Russian text and HTML from the templates in `templates/`.

Each kind has `<kind>.txt` and `<kind>.html` (the HTML extends `_layout.html`); the subject
is `SUBJECTS[kind]`. HTML templates autoescape; every value comes from the row's context.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.models import MailMessage, utcnow
from app.web import formatting

TEMPLATES = Path(__file__).parent / "templates"
SUBJECTS = {
    "received": "Заявка {code} принята",
    "revision": "Заявка {code}: нужна доработка",
    "published": "Практика опубликована: {title}",
    "rejected": "Заявка {code} отклонена",
    "adopted": "Вашу практику внедрили: {title}",
}
# Context keys that must not outlive the sending (a private edit link works once and expires).
SECRET_KEYS = ("edit_url",)


def _ru_date(value: str) -> str:
    return formatting.ru_date(datetime.fromisoformat(value))


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing value is an error, not an empty line in a letter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ru_date"] = _ru_date
    return env


def message_id(row: MailMessage, mail_from: str) -> str:
    """The same on every attempt: a message sent twice after a crash is recognisably one."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{row.uid}@{domain}>"


def compose(env: Environment, row: MailMessage, mail_from: str) -> EmailMessage:
    context: dict[str, Any] = dict(row.context)
    subject = SUBJECTS[row.kind].format_map({k: context.get(k, "") for k in ("code", "title")})
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(row, mail_from) if row.uid else make_msgid()
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message["Content-Language"] = "ru"
    message.set_content(env.get_template(f"{row.kind}.txt").render(context), subtype="plain", charset="utf-8")
    html = env.get_template(f"{row.kind}.html").render(context, subject=subject)
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
