"""The embedded setup's sender: a thread in the web process that sends queued mail right
after a commit that queued some (`kick`) and every `interval` seconds (retries)."""

from __future__ import annotations

import logging
import threading

from app.mail.sender import Mailer

log = logging.getLogger(__name__)
INTERVAL = 30.0


class BackgroundSender:
    def __init__(self, mailer: Mailer, interval: float = INTERVAL) -> None:
        self.mailer = mailer
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._wake.set()  # mail queued before a restart goes out now, not after the first interval
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Send soon (called after a commit that queued mail); never blocks the request."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.mailer.drain()
            except Exception:  # the database may be away for a moment: the next round retries
                log.exception("sending queued mail failed; it stays queued")
