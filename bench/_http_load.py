"""Sending a list of requests to a server on loopback: one after another (latency), and under
load with wrk (throughput), or with an asyncio httpx load when wrk is not installed.

Every response is checked the same way in all three: status 200 and a body that holds the
marker of a successful answer (`"items":[` for our API, `"hits":[` for Meilisearch, the
search form for the page). Anything else is counted as an error.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

THREADS, CONNECTIONS = 2, 8
# Ask for uncompressed bodies, as wrk does: httpx asks for gzip and the like by default, and
# Meilisearch's compressed, chunked answers then wait about 40 ms for a delayed ACK on loopback.
PLAIN = {"Accept-Encoding": "identity"}
WRK_INSTALL = "sudo apt-get install wrk   # Debian/Ubuntu package `wrk`"


@dataclass(frozen=True)
class Target:
    """How one system is asked: a request item is a path to GET or, when `post_path` is set,
    a JSON body to POST to it; a good answer is 200 with `marker` in its body."""

    base: str
    marker: str
    post_path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, http: httpx.Client, item: str) -> httpx.Response:
        if self.post_path is None:
            return http.get(item)
        return http.post(self.post_path, content=item.encode(), headers={"Content-Type": "application/json"})

    async def send_async(self, http: httpx.AsyncClient, item: str) -> httpx.Response:
        if self.post_path is None:
            return await http.get(item)
        return await http.post(self.post_path, content=item.encode(), headers={"Content-Type": "application/json"})

    def ok(self, response: httpx.Response) -> bool:
        return response.status_code == 200 and self.marker in response.text


@dataclass(frozen=True)
class Serial:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Load:
    tool: str  # "wrk" or "httpx"
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def serial(target: Target, items: list[str], warmup: list[str]) -> Serial:
    """`items` one after another on one keep-alive connection; `warmup` first, not counted."""
    times, errors = [], 0
    with httpx.Client(base_url=target.base, headers={**PLAIN, **target.headers}, timeout=30) as http:
        for item in warmup:
            target.send(http, item)
        for item in items:
            t0 = time.perf_counter()
            try:
                response = target.send(http, item)
            except httpx.HTTPError:
                errors += 1
                continue
            times.append((time.perf_counter() - t0) * 1000)
            errors += not target.ok(response)
    if not times:
        return Serial(len(items), errors, float("nan"), float("nan"))
    return Serial(len(items), errors, round(statistics.median(times), 1), round(_p95(times), 1))


def _lua_string(text: str) -> str:
    level = "=" * 3
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def _lua_script(target: Target, requests: list[str]) -> str:
    """A wrk script: each thread cycles through the requests (the threads start half the list
    apart), checks every response, and `done` prints one JSON line with the totals and the
    latency percentiles from wrk's own histogram."""
    items = ",\n".join(_lua_string(i) for i in requests)
    headers = "{" + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in
                              {**target.headers, "Content-Type": "application/json"}.items()) + "}"
    post = _lua_string(target.post_path) if target.post_path else "nil"
    return f"""
local items = {{
{items}
}}
local post_path = {post}
local post_headers = {headers}
local marker = {_lua_string(target.marker)}
local threads = {{}}
local started = 0

function setup(thread)
  thread:set("offset", math.floor(started * #items / {THREADS}))
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  i = offset
  checked = 0
  bad = 0
end

function request()
  i = i % #items + 1
  if post_path then
    return wrk.format("POST", post_path, post_headers, items[i])
  end
  return wrk.format("GET", items[i])
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or body == nil or not string.find(body, marker, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local checked, bad = 0, 0
  for _, t in ipairs(threads) do
    checked = checked + t:get("checked")
    bad = bad + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {{"requests":%d,"duration_us":%d,"checked":%d,"bad":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d}}\\n',
    summary.requests, summary.duration, checked, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(target: Target, requests: list[str], seconds: int, workdir: Path, name: str) -> Load:
    """`wrk -t2 -c8 -d<seconds>s --latency` with the script above; wrk's output is kept in
    `workdir/<name>.wrk.txt`."""
    script = workdir / f"{name}.lua"
    script.write_text(_lua_script(target, requests), encoding="utf-8")
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s",
           "-s", str(script), target.base]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
    (workdir / f"{name}.wrk.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    data = json.loads(line.removeprefix("BENCH "))
    elapsed = data["duration_us"] / 1e6
    # Requests cut off by the end of the run are neither checked nor errors.
    errors = data["bad"] + data["socket_errors"]
    return Load("wrk", round(elapsed, 1), data["requests"], errors, round(data["requests"] / elapsed, 1),
                round(data["p50_us"] / 1000, 1), round(data["p95_us"] / 1000, 1), round(data["p99_us"] / 1000, 1))


async def _httpx_load(target: Target, requests: list[str], seconds: int) -> Load:
    times: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)

    async def client(http: httpx.AsyncClient, start: int) -> None:
        nonlocal errors
        i = start
        while time.monotonic() < stop_at:
            item = requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            try:
                response = await target.send_async(http, item)
            except httpx.HTTPError:
                errors += 1
                continue
            times.append((time.perf_counter() - t0) * 1000)
            errors += not target.ok(response)

    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=target.base, headers={**PLAIN, **target.headers}, timeout=30,
                                 limits=limits) as http:
        step = len(requests) // CONNECTIONS
        await asyncio.gather(*(client(http, k * step) for k in range(CONNECTIONS)))
    elapsed = time.monotonic() - t0
    ordered = sorted(times) or [float("nan")]
    return Load("httpx", round(elapsed, 1), len(times), errors, round(len(times) / elapsed, 1),
                round(statistics.median(ordered), 1), round(_p95(ordered), 1),
                round(ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)], 1))


def load(target: Target, requests: list[str], seconds: int, workdir: Path, name: str) -> Load:
    """Throughput under `CONNECTIONS` connections cycling through `requests`: wrk, or httpx
    without it."""
    if have_wrk():
        return wrk_load(target, requests, seconds, workdir, name)
    return asyncio.run(_httpx_load(target, requests, seconds))
