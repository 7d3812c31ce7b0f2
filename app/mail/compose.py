"""A queued message as an e-mail: Russian text and HTML from the templates in `templates/`.

Each kind has `<kind>.txt` and `<kind>.html` (the HTML extends `_layout.html`); the subject
is `SUBJECTS[kind]`. HTML templates autoescape; every value comes from the row's context.
"""

from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
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


def compose(env: Environment, row: MailMessage, mail_from: str) -> Message:
    """The message, built with the classic (compat32) email classes: their RFC 2047 encoding
    keeps the spaces of a long Cyrillic subject, which the newer folding loses between
    encoded words."""
    context: dict[str, Any] = dict(row.context)
    subject = SUBJECTS[row.kind].format_map({k: context.get(k, "") for k in ("code", "title")})
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # compat32 takes a Header and encodes it
    name, address = parseaddr(mail_from)
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = row.recipient
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(row, mail_from)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message["Content-Language"] = "ru"
    message.attach(MIMEText(env.get_template(f"{row.kind}.txt").render(context), "plain", "utf-8"))
    html = env.get_template(f"{row.kind}.html").render(context, subject=subject)
    message.attach(MIMEText(html, "html", "utf-8"))
    return message
