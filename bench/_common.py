"""What the bench scripts share: the repository root on sys.path, free loopback ports, the
`practices` CLI in a subprocess, waiting for a server, the synthetic vocabulary, and the
memory of a process tree."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(env: dict[str, str], *args: str, log: Path | None = None, timeout: float = 3600,
        cwd: Path = ROOT) -> float:
    """Run `practices <args>` to completion; returns its wall time in seconds. Output goes to
    `log` (appended) or nowhere; a failure raises with the log's tail."""
    out = log.open("ab") if log else subprocess.DEVNULL
    t0 = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout, check=False)
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    elapsed = time.perf_counter() - t0
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
        raise RuntimeError(f"`practices {' '.join(args)}` failed ({result.returncode}):\n{tail}")
    return elapsed


def wait_http(url: str, timeout: float = 120, alive: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until `url` answers 200; raises when `timeout` passes or the `alive` process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"the server exited ({alive.returncode}) before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def vocabulary() -> list[str]:
    """The words synthetic practices are written with (titles: action + subject), longer than
    three letters so that stop words do not make up a query."""
    from app.catalogue.practices.synthetic import ACTIONS, SUBJECTS

    return sorted({w.lower() for phrase in (*SUBJECTS, *ACTIONS) for w in phrase.split() if len(w) > 3})


@dataclass(frozen=True)
class Memory:
    rss_mb: float
    pss_mb: float
    processes: int


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(entry.path, "stat").read_text()
            # The command name (field 2) may hold spaces; the parent pid is the 2nd field after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def tree_memory(pid: int) -> Memory:
    """RSS and PSS of `pid` and all its descendants, from /proc/<pid>/smaps_rollup."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    rss = pss = 0
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key == "Rss":
                    rss += int(value.split()[0])
                elif key == "Pss":
                    pss += int(value.split()[0])
    return Memory(round(rss / 1024, 1), round(pss / 1024, 1), len(pids))
