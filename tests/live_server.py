"""A `practices serve` of a test's own on a free loopback port, for tests that need a real server
in another process (browser journeys, a kill -9 in the middle of writes)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PRACTICES = Path(sys.executable).with_name("practices")
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """`practices` with the environment `env` (its PORT among it), run in `data_dir`; each start
    writes its output to a log of its own (`logs`)."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def cli(self, *args: str) -> None:
        result = subprocess.run([str(PRACTICES), *args], env=self.env, cwd=self.data_dir, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"practices {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self, timeout: float = START_TIMEOUT) -> None:
        log = self.data_dir / f"server-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self.process = subprocess.Popen([str(PRACTICES), "serve"], env=self.env, cwd=self.data_dir,
                                            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout}s:\n{log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: the process dies wherever it is, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tracebacks(self) -> list[str]:
        """The logs with a Python traceback in them."""
        return [log.name for log in self.logs if "Traceback" in log.read_text(errors="replace")]
