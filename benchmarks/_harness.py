"""Correctness checks, interleaved timing, thread throughput and memory soak."""

from __future__ import annotations

import gc
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from ._adapters import Adapter, Fn
from ._fixtures import Fixtures, Op, reference_check

perf = time.perf_counter


# --------------------------------------------------------------------------- checks


def _short(exc: BaseException) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else ""
    if len(msg) > 80:
        msg = msg[:77] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def _same_claims(got: Any, want: dict[str, Any]) -> bool:
    try:
        return dict(got) == want
    except (TypeError, ValueError):
        return False


def check(adapter: Adapter, op: Op, fx: Fixtures, fn: Fn) -> str:
    """Return "ok", or a "WRONG: ..." / "error: ..." verdict; the cell is timed only if ok."""
    if op.kind == "header":
        try:
            got = fn(fx.header_token)
        except Exception as exc:
            return f"error: {_short(exc)}"
        if not isinstance(got, dict) or any(got.get(k) != v for k, v in fx.header_expected.items()):
            return "WRONG: returns a different header"
        return "ok"

    ts = fx.tokenset(op)
    asym_floor = not adapter.validates_claims and not op.alg.startswith("HS")

    if op.kind == "encode":
        try:
            out = fn(ts.claims)
        except Exception as exc:
            return f"error: {_short(exc)}"
        if asym_floor:
            return "ok" if isinstance(out, bytes) and out else "WRONG: no signature"
        try:
            _, claims = reference_check(out, op.alg, fx.keys)
        except Exception as exc:
            return f"WRONG: encoded token does not verify ({_short(exc)})"
        if claims != ts.claims:
            return "WRONG: encoded token carries different claims"
        return "ok"

    # decode
    try:
        got = fn(ts.valid)
    except Exception as exc:
        return f"WRONG: rejects a valid token ({_short(exc)})"
    if not asym_floor and not _same_claims(got, ts.claims):
        return "WRONG: returns different claims"
    kinds: Iterable[str] = ts.bad
    if not adapter.validates_claims:
        kinds = ("tampered signature", "tampered payload")
        if asym_floor:
            kinds = ("tampered signature",)
    for kind in kinds:
        try:
            fn(ts.bad[kind])
        except Exception:
            continue
        return f"WRONG: accepts {kind}"
    return "ok"


# --------------------------------------------------------------------------- timing


@dataclass
class Cell:
    lib: str
    op: str
    fn: Fn
    arg: Any
    n: int = 1  # calls per batch
    samples: list[float] = field(default_factory=list)  # seconds per call, one per round


def calibrate(cell: Cell, target: float) -> None:
    """Pick the batch size so that one batch takes about ``target`` seconds."""
    fn, arg = cell.fn, cell.arg
    fn(arg)
    n = 1
    while True:
        t0 = perf()
        for _ in range(n):
            fn(arg)
        dt = perf() - t0
        if dt >= target * 0.2 or n >= 1 << 20:
            break
        n *= 8
    cell.n = max(1, int(n * target / dt)) if dt > 0 else n


def run_rounds(
    cells: list[Cell],
    rounds: int,
    rng: random.Random,
    progress: Optional[Callable[[int, int], None]] = None,
) -> None:
    """Each round: shuffle the cells, time one batch of each. Appends one sample per cell."""
    order = list(cells)
    for r in range(rounds):
        rng.shuffle(order)
        for c in order:
            fn, arg, it = c.fn, c.arg, range(c.n)
            t0 = perf()
            for _ in it:
                fn(arg)
            c.samples.append((perf() - t0) / c.n)
        if progress is not None:
            progress(r + 1, rounds)


def summarize(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "rounds": len(samples),
    }


def pairwise_ratio(samples: list[float], ref: list[float]) -> Optional[float]:
    """Median over rounds of samples[r] / ref[r]."""
    pairs = [a / b for a, b in zip(samples, ref) if b > 0]
    return statistics.median(pairs) if pairs else None


# --------------------------------------------------------------------------- threads


def thread_throughput(fn: Fn, arg: Any, nthreads: int, duration: float) -> float:
    """Calls per second of ``fn(arg)`` summed over ``nthreads`` threads running ``duration`` s."""
    stop = [False]
    counts = [0] * nthreads
    ends = [0.0] * nthreads
    barrier = threading.Barrier(nthreads + 1)

    def worker(i: int) -> None:
        barrier.wait()
        c = 0
        while not stop[0]:
            for _ in range(16):
                fn(arg)
            c += 16
        counts[i] = c
        ends[i] = perf()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(nthreads)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = perf()
    time.sleep(duration)
    stop[0] = True
    for t in threads:
        t.join()
    return sum(counts) / (max(ends) - t0)


# --------------------------------------------------------------------------- memory


def _status_kib(field_name: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> Optional[int]:
    kib = _status_kib("VmRSS")
    return None if kib is None else kib * 1024


def peak_rss_bytes() -> Optional[int]:
    kib = _status_kib("VmHWM")
    if kib is not None:
        return kib * 1024
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except Exception:
        return None


def memory_soak(fn: Fn, valid: str, bad: list[str], n: int) -> dict[str, Any]:
    """``n`` decodes alternating a valid token and a failing one (cycling through ``bad``)."""
    warm = min(20000, max(1000, n // 20))

    def loop(count: int) -> int:
        rejected = 0
        nb = len(bad)
        for i in range(count):
            if i & 1:
                try:
                    fn(bad[(i >> 1) % nb])
                except Exception:
                    rejected += 1
            else:
                fn(valid)
        return rejected

    loop(warm)
    gc.collect()
    rss0 = rss_bytes()
    t0 = perf()
    rejected = loop(n)
    elapsed = perf() - t0
    gc.collect()
    rss1 = rss_bytes()
    return {
        "decodes": n,
        "warmup": warm,
        "rejected": rejected,
        "expected_rejected": n // 2,
        "rss_start_bytes": rss0,
        "rss_end_bytes": rss1,
        "rss_growth_bytes": None if rss0 is None or rss1 is None else rss1 - rss0,
        "peak_rss_bytes": peak_rss_bytes(),
        "elapsed_s": elapsed,
    }


# --------------------------------------------------------------------------- cells


def build_cells(
    adapters: list[Adapter], ops: list[Op], fx: Fixtures
) -> tuple[list[Cell], dict[str, dict[str, str]]]:
    """Check every (library, op); return the cells to time and {op: {lib: status}}.

    status is "ok", "n/a", "WRONG: ..." or "error: ..."; only "ok" cells are timed.
    """
    cells: list[Cell] = []
    status: dict[str, dict[str, str]] = {}
    for op in ops:
        row = status.setdefault(op.name, {})
        for a in adapters:
            try:
                fn = a.build(op, fx)
            except Exception as exc:
                row[a.key] = f"error: {_short(exc)}"
                continue
            if fn is None:
                row[a.key] = "n/a"
                continue
            verdict = check(a, op, fx, fn)
            row[a.key] = verdict
            if verdict != "ok":
                continue
            if op.kind == "encode":
                arg: Any = fx.tokenset(op).claims
            elif op.kind == "header":
                arg = fx.header_token
            else:
                arg = fx.tokenset(op).valid
            cells.append(Cell(a.key, op.name, fn, arg))
    return cells, status
