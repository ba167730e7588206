"""Load generators for the gateway run: ``wrk`` and a bounded Python fallback.

Both keep ``connections`` HTTP/1.1 keep-alive connections busy for a fixed
time, send one Bearer token per request as tokens.lua picks it (session,
fresh or bad, see tokens.py) and report requests per second and latency
percentiles.  ``wrk`` (C, one thread) is what the run uses when it is on the
PATH; the Python generator (asyncio) is slower and takes CPU from the server
under test, so its results are labelled as such.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from .tokens import Mix, TokenPool

LUA_SCRIPT = Path(__file__).resolve().parent / "tokens.lua"
MARKER = "GATEWAY_JSON "


@dataclass
class LoadResult:
    requests: int
    duration_s: float
    non2xx: int  # 401s, for a token-checking server
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0


def wrk_binary() -> Optional[str]:
    return shutil.which("wrk")


def wrk_version(binary: str) -> str:
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "wrk"
    words = (proc.stdout + proc.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


def parse_wrk_output(text: str) -> LoadResult:
    """The result from the JSON line tokens.lua's done() prints."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            d = json.loads(line[len(MARKER) :])
            return LoadResult(
                requests=int(d["requests"]),
                duration_s=d["duration_us"] / 1e6,
                non2xx=int(d["non2xx"]),
                socket_errors=int(d["socket_errors"]) + int(d["timeouts"]),
                p50_ms=d["p50_us"] / 1e3,
                p90_ms=d["p90_us"] / 1e3,
                p99_ms=d["p99_us"] / 1e3,
            )
    raise ValueError("wrk printed no result line")


def run_wrk(
    binary: str,
    url: str,
    token_file: Path,
    duration_s: int,
    connections: int,
    mix: Mix,
    offset: int,
) -> LoadResult:
    cmd = [
        binary,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, duration_s)}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        str(token_file),
        str(offset),
        str(mix.fresh_per_mille),
        str(mix.bad_per_mille),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration_s + 30)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {(proc.stderr or proc.stdout).strip()[:200]}")
    return parse_wrk_output(proc.stdout)


# --------------------------------------------------------------------------- Python fallback


class Picker:
    """Chooses each request's token the way tokens.lua does."""

    def __init__(self, pool: TokenPool, mix: Mix, offset: int) -> None:
        self.pool, self.mix, self.next_fresh = pool, mix, offset
        self.rng = random.Random(offset + 7919)

    def pick(self) -> str:
        r = self.rng.randint(1, 1000)
        pool, mix = self.pool, self.mix
        if r <= mix.bad_per_mille and pool.bad:
            return self.rng.choice(pool.bad)
        if r <= mix.bad_per_mille + mix.fresh_per_mille and pool.fresh:
            self.next_fresh = (self.next_fresh + 1) % len(pool.fresh)
            return pool.fresh[self.next_fresh]
        return self.rng.choice(pool.sessions)


def percentile(sorted_values: List[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[i]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, picker: Picker, deadline: float, latencies: List[float], counts: List[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            req = (
                f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {picker.pick()}\r\n\r\n"
            ).encode("latin-1")
            t0 = time.perf_counter()
            writer.write(req)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - t0)
            counts[0] += 1
            if not 200 <= status < 400:
                counts[1] += 1
    finally:
        writer.close()


async def _python_load(
    host: str, port: int, picker: Picker, duration_s: float, connections: int
) -> Tuple[List[float], List[int], float, int]:
    latencies: List[float] = []
    counts = [0, 0]  # requests, non-2xx
    t0 = time.perf_counter()
    deadline = t0 + duration_s
    tasks = [
        _connection(host, port, picker, deadline, latencies, counts) for _ in range(connections)
    ]
    results = await asyncio.wait_for(
        asyncio.gather(*tasks, return_exceptions=True), timeout=duration_s + 10
    )
    errors = sum(1 for r in results if isinstance(r, BaseException))
    return latencies, counts, time.perf_counter() - t0, errors


def run_python(
    host: str,
    port: int,
    pool: TokenPool,
    duration_s: float,
    connections: int,
    mix: Mix,
    offset: int,
) -> LoadResult:
    """The fallback generator: asyncio in this process, bounded to ``duration_s`` + 10 s."""
    latencies, counts, elapsed, errors = asyncio.run(
        _python_load(host, port, Picker(pool, mix, offset), duration_s, connections)
    )
    lat = sorted(latencies)
    return LoadResult(
        requests=counts[0],
        duration_s=elapsed,
        non2xx=counts[1],
        socket_errors=errors,
        p50_ms=percentile(lat, 50) * 1e3,
        p90_ms=percentile(lat, 90) * 1e3,
        p99_ms=percentile(lat, 99) * 1e3,
    )
