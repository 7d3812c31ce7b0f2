"""Where messages go: an SMTP server (`SMTP_URL`), or `.eml` files under `DATA_DIR/mail/`.

A transport is opened once per sending round (one SMTP connection for many messages) and
says of a failure whether it is worth retrying (`TemporaryFailure`) or not (`PermanentFailure`,
e.g. the server refused the address for good).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import Message
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.settings import Settings

SCHEMES = ("smtp", "smtp+starttls", "smtps")


class TemporaryFailure(Exception):
    """The message may go through later (server down, busy, timeout): retried with back-off."""


class PermanentFailure(Exception):
    """The message will never go through (address refused for good): not retried."""


class Sender(Protocol):
    def send(self, message: Message) -> None: ...


class Transport(Protocol):
    name: str

    def open(self) -> AbstractContextManager[Sender]: ...


class FileTransport:
    """Every message as `<uid>.eml` in one folder; written atomically, so a repeat replaces
    the same file instead of adding a second one."""

    name = "files"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def open(self) -> Iterator[Sender]:
        self.folder.mkdir(parents=True, exist_ok=True)
        yield self

    def send(self, message: Message) -> None:
        uid = str(message["Message-ID"]).strip("<>").split("@", 1)[0]
        target = self.folder / f"{uid}.eml"
        partial = target.with_suffix(".eml.part")
        try:
            partial.write_bytes(message.as_bytes())
            os.replace(partial, target)
        except OSError as exc:
            raise TemporaryFailure(f"не удалось записать {target.name}: {exc}") from exc


class SmtpTransport:
    name = "smtp"

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(f"SMTP_URL: нужен адрес вида smtp://user:pass@host:port ({', '.join(SCHEMES)})")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+starttls" else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                   context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if self.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if self.user:
            client.login(self.user, self.password)
        return client

    @contextmanager
    def open(self) -> Iterator[Sender]:
        try:
            client = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(f"SMTP: вход не удался ({exc.smtp_code})") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP недоступен: {type(exc).__name__}: {exc}") from exc
        try:
            yield _SmtpSender(client)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


class _SmtpSender:
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    def send(self, message: Message) -> None:
        try:
            refused = self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients) from exc
        except smtplib.SMTPSenderRefused as exc:  # our MAIL_FROM: a setting to fix, then retry
            raise TemporaryFailure(f"SMTP отказал отправителю: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            raise (PermanentFailure(text) if 500 <= exc.smtp_code < 600 else TemporaryFailure(text)) from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timed out
            raise TemporaryFailure(f"SMTP: {type(exc).__name__}: {exc}") from exc
        if refused:
            raise _refused(refused)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> Exception:
    code = max(c for c, _ in recipients.values())
    text = "SMTP отказал адресату: " + "; ".join(f"{a} {c}" for a, (c, _) in recipients.items())
    return PermanentFailure(text) if 500 <= code < 600 else TemporaryFailure(text)


def make_transport(settings: Settings) -> FileTransport | SmtpTransport:
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, settings.smtp_timeout)
    return FileTransport(settings.mail_dir)
