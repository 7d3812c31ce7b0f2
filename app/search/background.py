"""The embedded setup's search sync beside the inline one: a thread in the web process that
drains the outbox once at start (rows a crash left between the commit and the inline sync)
and then every `interval` seconds (rows whose engine call failed and are due again). Without
it such rows waited for some other change to come along."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from app.search.base import SearchIndex
from app.search.sync import drain_inline

log = logging.getLogger(__name__)


class BackgroundSync:
    def __init__(self, engine: Engine, index: Callable[[], SearchIndex], interval: float) -> None:
        self.engine = engine
        self.index = index  # read each round: the app's current engine object
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="search-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            drain_inline(self.engine, self.index())  # never raises; shares the inline sync's lock
            self._stop.wait(self.interval)
