"""A real SMTP server on loopback for tests (aiosmtpd), keeping what arrives.

`SmtpSink.start()` / `.stop()` can be called again and again: the port stays the same, so a
test can take the server away mid-queue and bring it back. `refuse_from_now()` answers
421 (a server shutting down) to every new message; `bad_addresses` get 550 at RCPT.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(self, _server: Any, _session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.sink.refusing:
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str, _options: list[str]) -> str:
        if address in self.sink.bad_addresses:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.sink.lock:
            self.sink.messages.append(message)  # type: ignore[arg-type]
            self.sink.arrived.notify_all()
        return "250 2.0.0 Message accepted"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.refusing = False
        self.bad_addresses: set[str] = set()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.refusing = False
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse_from_now(self) -> None:
        self.refusing = True

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """The messages once at least `count` arrived (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} of {count} messages arrived in {timeout} s"
                self.arrived.wait(left)
            return list(self.messages)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())
