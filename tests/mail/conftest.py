from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.settings import Settings
from tests.smtp_server import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpSink) -> Settings:
    """The suite's settings, with mail to the loopback server."""
    return settings.model_copy(update={"smtp_url": smtp.url, "smtp_timeout": 5.0})
