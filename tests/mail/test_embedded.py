"""Mail in the embedded setup and for the operator: the web process sends right after the
commit (and on a timer), `/readyz` shows the queue, `practices sync` sends what waits, and
without SMTP every message becomes an .eml file under DATA_DIR/mail/ (and the log says so)."""

from __future__ import annotations

import email
import logging
import time
from email.policy import default

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import session_scope
from app.mail import outbox
from app.main import create_app
from app.models import MailMessage, MailState
from tests.smtp_server import text_of
from tests.submit.helpers import api_body
from tests.test_cli import run


def test_the_web_process_sends_right_after_the_commit(client, smtp):
    response = client.post("/api/v1/submissions", json=api_body())
    assert response.status_code == 201
    code = response.json()["tracking_code"]
    [message] = smtp.wait_for(1)  # nobody called a sender: the in-process one did
    assert message["Subject"] == f"Заявка {code} принята"


def test_readyz_shows_the_mail_queue_and_its_failures(client, smtp, engine):
    ready = client.get("/readyz").json()["checks"]["mail"]
    assert ready == {"transport": "smtp", "pending": 0, "oldest_age_seconds": 0.0, "failing": 0, "failed": 0}
    smtp.stop()
    assert client.post("/api/v1/submissions", json=api_body()).status_code == 201  # the submission never waits for mail
    deadline = time.monotonic() + 20
    while client.get("/readyz").json()["checks"]["mail"]["failing"] != 1:
        assert time.monotonic() < deadline, "the failed attempt never showed in /readyz"
        time.sleep(0.1)
    mail = client.get("/readyz").json()["checks"]["mail"]
    assert mail["pending"] == 1 and client.get("/readyz").status_code == 200
    with session_scope(engine) as session:
        row = session.exec(select(MailMessage)).one()
        assert row.state == MailState.pending and "ConnectionRefused" in (row.last_error or "")


def test_without_smtp_messages_are_eml_files_and_the_log_says_so(settings, caplog):
    plain = settings.model_copy(update={"smtp_url": ""})
    with caplog.at_level(logging.WARNING, logger="app.main"):
        app = create_app(plain)
    assert any("SMTP_URL is not set" in r.getMessage() and str(plain.mail_dir) in r.getMessage() for r in caplog.records)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            code = client.post("/api/v1/submissions", json=api_body()).json()["tracking_code"]
            deadline = time.monotonic() + 20
            while not list(plain.mail_dir.glob("*.eml")):
                assert time.monotonic() < deadline, "no .eml file was written"
                time.sleep(0.1)
            assert client.get("/readyz").json()["checks"]["mail"]["transport"] == "files"
    finally:
        app.state.index.close()
    [path] = list(plain.mail_dir.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert message["Subject"] == f"Заявка {code} принята"
    assert path.stem in message["Message-ID"]
    assert f"/submit/{code}" in text_of(message)  # type: ignore[arg-type]
    assert not list(plain.mail_dir.glob("*.part"))


def test_practices_sync_sends_what_waits(tmp_path, smtp):
    data_dir = tmp_path / "var"
    assert run(data_dir, "migrate").returncode == 0
    from app.db import make_engine

    engine = make_engine(f"sqlite:///{data_dir / 'practices.db'}")
    with session_scope(engine) as session:
        session.info[outbox.SITE_KEY] = outbox.Site("https://practices.example.ru", "s", 14)
        outbox.queue(session, "received", "ivan@example.org", {"title": "Практика", "code": "P-0000000A"})
    engine.dispose()
    result = run(data_dir, "sync", SMTP_URL=smtp.url)
    assert result.returncode == 0, result.stderr
    assert "Писем отправлено: 1" in result.stderr
    [message] = smtp.wait_for(1)
    assert "https://practices.example.ru/submit/P-0000000A" in text_of(message)
    smtp.stop()
    with session_scope(make_engine(f"sqlite:///{data_dir / 'practices.db'}")) as session:
        outbox.queue(session, "received", "ivan@example.org", {"title": "Практика", "code": "P-0000000B"})
    down = run(data_dir, "sync", SMTP_URL=smtp.url)
    assert down.returncode == 1 and "ждут повтора" in down.stderr
