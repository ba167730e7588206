"""The comparison runner behind ``python -m benchmarks``.

Run from the repository root::

    python -m benchmarks                 # full run, writes bench-out/
    python -m benchmarks --quick         # about a minute on 2 cores
    python -m benchmarks --out DIR       # DIR/results.json, DIR/chart.png, DIR/gateway.png
    python -m benchmarks --gateway       # only the end-to-end gateway run

See docs/benchmarks.md for what the columns mean and how the timing is done.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import platform
import random
import ssl
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ._adapters import ADAPTER_BY_KEY, ADAPTERS, LABELS, Adapter, Fn
from ._chart import write_chart, write_gateway_chart
from ._fixtures import OPS, OPS_BY_NAME, Fixtures, Op, make_fixtures
from ._harness import (
    build_cells,
    calibrate,
    pairwise_ratio,
    run_rounds,
    summarize,
    thread_throughput,
)
from ._targets import evaluate, render_targets
from .gateway.report import render_gateway
from .gateway.run import GATEWAY_MODES, run_gateway

REPO_ROOT = Path(__file__).resolve().parent.parent
BASELINE = "pyjwt"
MEMORY_LIMIT = 1 << 20  # RSS growth above 1 MiB is a FAILURE
CYJWT_REFERENCES = ("oxyjwt", "native", "floor")
THREAD_OPS = ("HS256 decode", "RS256 decode keyobj")
THREAD_COUNTS = (1, 2, 4)


@dataclass
class Config:
    rounds: int
    target: float  # seconds per timed batch
    thread_duration: float
    thread_reps: int
    memory_n: int
    mode: str


MODES = {
    "full": Config(
        rounds=41, target=0.005, thread_duration=1.0, thread_reps=3, memory_n=1_000_000, mode="full"
    ),
    "quick": Config(
        rounds=11, target=0.001, thread_duration=0.2, thread_reps=2, memory_n=100_000, mode="quick"
    ),
    "smoke": Config(
        rounds=3, target=0.0002, thread_duration=0.02, thread_reps=1, memory_n=2_000, mode="smoke"
    ),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- environment


def _extra_pythonpath() -> list[str]:
    """Make cyjwt importable from the source tree when it is not installed."""
    paths = [str(REPO_ROOT)]
    if importlib.util.find_spec("cyjwt") is None:
        src = REPO_ROOT / "src"
        if (src / "cyjwt" / "__init__.py").exists():
            sys.path.insert(0, str(src))
            paths.append(str(src))
    return paths


def _subprocess_env(extra_paths: list[str], no_extensions: bool) -> dict[str, str]:
    env = dict(os.environ)
    old = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = os.pathsep.join(extra_paths + ([old] if old else []))
    if no_extensions:
        env["CYJWT_NO_EXTENSIONS"] = "1"
    else:
        env.pop("CYJWT_NO_EXTENSIONS", None)
    return env


def _run_worker(
    args: list[str], env: dict[str, str], timeout: float
) -> tuple[Optional[dict[str, Any]], str]:
    cmd = [sys.executable, "-m", "benchmarks._worker", *args]
    try:
        proc = subprocess.run(
            cmd, cwd=str(REPO_ROOT), env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, f"worker timed out after {timeout:.0f} s: {' '.join(args)}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"worker failed (exit {proc.returncode}): {tail}"
    try:
        return json.loads(lines[-1]), ""
    except ValueError:
        return None, "worker printed no JSON"


def machine_info(libs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable: Optional[int] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        crypto_ssl = backend.openssl_version_text()
    except Exception:
        crypto_ssl = None
    info: dict[str, Any] = {
        "cpu_model": cpu or platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_openssl": ssl.OPENSSL_VERSION,
        "cryptography_openssl": crypto_ssl,
        "library_versions": {k: v.get("version") for k, v in libs.items()},
    }
    try:
        import cyjwt

        info["cyjwt_implementation"] = getattr(cyjwt, "IMPLEMENTATION", None)
        info["cyjwt_file"] = getattr(cyjwt, "__file__", None)
        for attr in ("OPENSSL_VERSION", "openssl_version"):
            if hasattr(cyjwt, attr):
                info["cyjwt_openssl"] = str(getattr(cyjwt, attr))
    except Exception as exc:
        info["cyjwt_implementation"] = None
        info["cyjwt_import_error"] = f"{type(exc).__name__}: {exc}"
    return info


# --------------------------------------------------------------------------- formatting


def fmt_time(s: Optional[float]) -> str:
    if s is None:
        return "-"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        v = s * 1e6
        return f"{v:.3g} µs" if v < 100 else f"{v:.0f} µs"
    if s < 1:
        v = s * 1e3
        return f"{v:.3g} ms" if v < 100 else f"{v:.0f} ms"
    return f"{s:.3g} s"


def fmt_ratio(r: Optional[float]) -> str:
    return "n/a" if r is None else f"{r:.2f}x"


def fmt_bytes(b: Optional[int]) -> str:
    if b is None:
        return "-"
    sign = "-" if b < 0 else ""
    b = abs(b)
    if b >= 1 << 20:
        return f"{sign}{b / (1 << 20):.1f} MiB"
    if b >= 1 << 10:
        return f"{sign}{b / (1 << 10):.0f} KiB"
    return f"{sign}{b} B"


def render_table(report: dict[str, Any]) -> str:
    lines = []
    libs = [
        k
        for k in report["library_order"]
        if k in report["libraries"] and (report["libraries"][k]["available"])
    ]
    w = max([len(LABELS[k]) for k in libs] + [24]) + 2
    head = f"{'operation / library':<{w}} {'median':>10}  {'min – max':<21} {'vs PyJWT':>9}"
    lines.append(head)
    lines.append("-" * len(head))
    for op_name in report["ops"]:
        lines.append(op_name)
        row = report["results"][op_name]
        for k in libs:
            cell = row.get(k)
            if cell is None:
                continue
            label = "  " + LABELS[k]
            st = cell["status"]
            if st != "ok":
                lines.append(f"{label:<{w}} {st}")
                continue
            mm = f"{fmt_time(cell['min_s'])} – {fmt_time(cell['max_s'])}"
            extra = "  (ratio vs PyJWT in its subprocess)" if k == "cyjwt-pure" else ""
            lines.append(
                f"{label:<{w}} {fmt_time(cell['median_s']):>10}  {mm:<21} "
                f"{fmt_ratio(cell.get('ratio_to_pyjwt')):>9}{extra}"
            )
    return "\n".join(lines)


def render_matrix(report: dict[str, Any]) -> str:
    libs = [
        k
        for k in report["library_order"]
        if k in report["libraries"] and report["libraries"][k]["available"] and k != BASELINE
    ]
    short = {
        "cyjwt": "cyjwt",
        "cyjwt-pure": "cy-pure",
        "oxyjwt": "oxyjwt",
        "pyjwt-rs": "pyjwt-rs",
        "joserfc": "joserfc",
        "authlib": "authlib",
        "python-jose": "py-jose",
        "jwcrypto": "jwcrypto",
        "floor": "by-hand",
        "native": "native",
    }
    w0 = max(len(o) for o in report["ops"]) + 2
    head = f"{'time / PyJWT time':<{w0}}" + "".join(f"{short.get(k, k):>10}" for k in libs)
    lines = [head, "-" * len(head)]
    for op_name in report["ops"]:
        row = report["results"][op_name]
        cells = []
        for k in libs:
            c = row.get(k, {})
            st = c.get("status", "n/a")
            if st == "ok":
                cells.append(fmt_ratio(c.get("ratio_to_pyjwt")))
            elif st.startswith("WRONG"):
                cells.append("WRONG")
            elif st.startswith("error"):
                cells.append("error")
            else:
                cells.append("n/a")
        lines.append(f"{op_name:<{w0}}" + "".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def render_threads(report: dict[str, Any]) -> str:
    th = report.get("threads")
    if not th or not th.get("results"):
        return ""
    w = 2 + max(
        [len("decode ops/s by threads")]
        + [len(f"{o} / {LABELS[k]}") for o, per in th["results"].items() for k in per]
    )
    lines = [
        f"{'decode ops/s by threads':<{w}}"
        + "".join(f"{n:>12}" for n in THREAD_COUNTS)
        + f"{'4 vs 1':>9}"
    ]
    lines.append("-" * len(lines[0]))
    for op_name, per_lib in th["results"].items():
        for k, per_n in per_lib.items():
            vals = [per_n.get(str(n)) for n in THREAD_COUNTS]
            scale = (vals[-1] / vals[0]) if vals[0] and vals[-1] else None
            lines.append(
                f"{op_name + ' / ' + LABELS[k]:<{w}}"
                + "".join(f"{v:>12,.0f}" if v else f"{'-':>12}" for v in vals)
                + (f"{scale:>8.2f}x" if scale else f"{'-':>9}")
            )
    return "\n".join(lines)


def render_memory(report: dict[str, Any]) -> str:
    mem = report.get("memory")
    if not mem:
        return ""
    lines = [
        f"memory: {mem['decodes']:,} HS256 decodes per library, alternating valid and "
        f"failing tokens" + (" (--quick: 10^5, not 10^6)" if mem["decodes"] < 1_000_000 else "")
    ]
    head = f"  {'library':<24} {'peak RSS':>10} {'RSS growth':>11}  verdict"
    lines += [head, "  " + "-" * (len(head) - 2)]
    for k, m in mem["results"].items():
        if not m.get("available"):
            lines.append(f"  {LABELS[k]:<24} skipped: {m.get('note', '')}")
            continue
        lines.append(
            f"  {LABELS[k]:<24} {fmt_bytes(m.get('peak_rss_bytes')):>10} "
            f"{fmt_bytes(m.get('rss_growth_bytes')):>11}  {m['verdict']}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- phases


def select_ops(spec: str) -> list[Op]:
    if not spec:
        return list(OPS)
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    ops = [o for o in OPS if any(w == o.name or w.lower() in o.name.lower() for w in wanted)]
    if not ops:
        raise SystemExit(
            f"--ops {spec!r} matches no operation; known: " + ", ".join(o.name for o in OPS)
        )
    return ops


def run_threads(
    adapters: dict[str, Adapter], fx: Fixtures, cfg: Config, rng: random.Random
) -> dict[str, Any]:
    libs = [k for k in ("cyjwt", BASELINE) if k in adapters]
    if not libs:
        return {"note": "neither cyjwt nor PyJWT is available", "results": {}}
    runs: list[tuple[str, str, int]] = []
    fns: dict[tuple[str, str], tuple[Fn, str]] = {}
    for op_name in THREAD_OPS:
        op = OPS_BY_NAME[op_name]
        for k in libs:
            fn = adapters[k].build(op, fx)
            # PyJWT-shaped adapters (cyjwt, PyJWT) never answer n/a (None)
            assert fn is not None, f"{k} cannot do {op_name}"
            fns[(op_name, k)] = (fn, fx.tokenset(op).valid)
            runs += [(op_name, k, n) for n in THREAD_COUNTS]
    samples: dict[tuple[str, str, int], list[float]] = {}
    for _ in range(cfg.thread_reps):
        rng.shuffle(runs)
        for op_name, k, n in runs:
            fn, tok = fns[(op_name, k)]
            samples.setdefault((op_name, k, n), []).append(
                thread_throughput(fn, tok, n, cfg.thread_duration)
            )
    results: dict[str, dict[str, dict[str, float]]] = {}
    for (op_name, k, n), vals in samples.items():
        results.setdefault(op_name, {}).setdefault(k, {})[str(n)] = statistics.median(vals)
    # stable order
    ordered = {o: {k: results[o][k] for k in libs if k in results.get(o, {})} for o in THREAD_OPS}
    return {
        "duration_s": cfg.thread_duration,
        "reps": cfg.thread_reps,
        "threads": list(THREAD_COUNTS),
        "results": ordered,
        "note": "one shared key and token per library; ops/s summed over threads, median over reps",
    }


def run_memory(libs: list[str], cfg: Config, paths: list[str], notes: list[str]) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}
    for k in libs:
        env = _subprocess_env(paths, no_extensions=(k == "cyjwt-pure"))
        res, err = _run_worker(
            ["memory", "--lib", k, "--n", str(cfg.memory_n)],
            env,
            timeout=max(120.0, cfg.memory_n * 2e-4),
        )
        if res is None:
            res = {"lib": k, "available": False, "note": err}
            notes.append(f"memory {k}: {err}")
        if res.get("available"):
            growth = res.get("rss_growth_bytes")
            if growth is not None and growth > MEMORY_LIMIT:
                res["verdict"] = "FAILURE (grew more than 1 MiB)"
            elif res.get("rejected") != res.get("expected_rejected"):
                res["verdict"] = (
                    f"FAILURE (rejected {res.get('rejected')} of "
                    f"{res.get('expected_rejected')} failing tokens)"
                )
            elif growth is None:
                res["verdict"] = "unknown (no /proc/self/status)"
            else:
                res["verdict"] = "ok"
        results[k] = res
    return {"decodes": cfg.memory_n, "limit_bytes": MEMORY_LIMIT, "results": results}


def run_pure_subprocess(
    ops: list[Op], cfg: Config, seed: int, paths: list[str]
) -> tuple[dict[str, Any], str]:
    env = _subprocess_env(paths, no_extensions=True)
    args = [
        "pure",
        "--rounds",
        str(cfg.rounds),
        "--target",
        str(cfg.target),
        "--seed",
        str(seed),
        "--ops",
        "|".join(o.name for o in ops),
    ]
    res, err = _run_worker(args, env, timeout=600)
    return (res or {}), err


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Compare cyjwt with PyJWT and other JWT libraries (run from the repo root).",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="fewer rounds; under a minute on 2 cores")
    g.add_argument(
        "--smoke", action="store_true", help="tiny run that only checks that the runner works"
    )
    p.add_argument("--out", default="bench-out", help="output directory (default: bench-out)")
    p.add_argument(
        "--libs",
        default="",
        help="comma list of libraries to include (default: every importable one): "
        + ", ".join(a.key for a in ADAPTERS),
    )
    p.add_argument("--ops", default="", help="comma list of operations (exact or substring)")
    p.add_argument("--rounds", type=int, default=0, help="override the number of rounds")
    p.add_argument("--seed", type=int, default=None, help="shuffle seed (default: random)")
    p.add_argument("--no-threads", action="store_true", help="skip the thread-scaling phase")
    p.add_argument("--no-memory", action="store_true", help="skip the memory soak")
    p.add_argument("--memory-n", type=int, default=0, help="override the number of soak decodes")
    p.add_argument("--no-chart", action="store_true", help="do not draw chart.png")
    g2 = p.add_mutually_exclusive_group()
    g2.add_argument(
        "--gateway",
        action="store_true",
        help="only the end-to-end gateway run (uvicorn + wrk on 127.0.0.1)",
    )
    g2.add_argument("--no-gateway", action="store_true", help="skip the gateway run")
    p.add_argument(
        "--gateway-seconds",
        type=int,
        default=0,
        help="override the seconds of load per gateway configuration and run",
    )
    p.add_argument(
        "--gateway-reps",
        type=int,
        default=0,
        help="override the number of load runs per gateway configuration",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on a memory FAILURE or a WRONG/error verdict for cyjwt",
    )
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    t_start = time.perf_counter()
    mode = "quick" if args.quick else "smoke" if args.smoke else "full"
    base = MODES[mode]
    cfg = Config(
        rounds=args.rounds or base.rounds,
        target=base.target,
        thread_duration=base.thread_duration,
        thread_reps=base.thread_reps,
        memory_n=args.memory_n or base.memory_n,
        mode=mode,
    )
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    notes: list[str] = []
    paths = _extra_pythonpath()
    # --gateway: only the gateway run, no per-call timing
    ops = [] if args.gateway else select_ops(args.ops)
    wanted = (
        []
        if args.gateway
        else ([s.strip() for s in args.libs.split(",") if s.strip()] or [a.key for a in ADAPTERS])
    )
    unknown = [k for k in wanted if k not in ADAPTER_BY_KEY]
    if unknown:
        raise SystemExit(f"unknown --libs {unknown}; known: {[a.key for a in ADAPTERS]}")

    # ---- load libraries in this process (cyjwt-pure lives in a subprocess)
    libraries: dict[str, dict[str, Any]] = {}
    adapters: dict[str, Adapter] = {}
    for key in [a.key for a in ADAPTERS if a.key in wanted and a.key != "cyjwt-pure"]:
        a = ADAPTER_BY_KEY[key]()
        ok = a.load()
        libraries[key] = {"label": a.label, "available": ok, "version": a.version, "note": a.note}
        if ok:
            adapters[key] = a
        else:
            notes.append(f"{a.label}: skipped, {a.note}")
    if BASELINE not in adapters and not args.gateway:
        notes.append("PyJWT is not available: ratios are n/a")

    fx = make_fixtures()
    log(
        f"[bench] mode={mode} rounds={cfg.rounds} seed={seed}; checking "
        f"{len(adapters)} libraries x {len(ops)} operations"
    )
    cells, status = build_cells(list(adapters.values()), ops, fx)
    for op_name, op_status in status.items():
        for k, st in op_status.items():
            if st.startswith(("WRONG", "error")):
                notes.append(f"{LABELS[k]} / {op_name}: {st}")
    for c in cells:
        calibrate(c, cfg.target)
    log(f"[bench] timing {len(cells)} cells interleaved")
    step = max(1, cfg.rounds // 5)

    def progress(r: int, n: int) -> None:
        if r % step == 0 or r == n:
            log(f"[bench] round {r}/{n}")

    run_rounds(cells, cfg.rounds, rng, progress=progress)

    # ---- cyjwt pure Python, in a subprocess, against PyJWT timed there too
    pure: dict[str, Any] = {}
    if "cyjwt-pure" in wanted:
        log("[bench] cyjwt pure-Python core in a subprocess (CYJWT_NO_EXTENSIONS=1)")
        pure, err = run_pure_subprocess(ops, cfg, seed + 1, paths)
        info = pure.get("libs", {}).get("cyjwt-pure", {})
        available = bool(info.get("available")) and bool(pure.get("samples"))
        note = err or info.get("note", "")
        libraries["cyjwt-pure"] = {
            "label": LABELS["cyjwt-pure"],
            "available": available,
            "version": info.get("version"),
            "note": note,
            "implementation": pure.get("implementation"),
        }
        if not available:
            notes.append(f"{LABELS['cyjwt-pure']}: skipped, {note or 'no samples'}")
        elif not pure.get("libs", {}).get(BASELINE, {}).get("available"):
            notes.append("cyjwt pure: PyJWT not importable in the subprocess, ratios are n/a")

    # ---- assemble per-op results
    results: dict[str, dict[str, Any]] = {}
    for op in ops:
        row: dict[str, Any] = {}
        ref = next((c for c in cells if c.op == op.name and c.lib == BASELINE), None)
        op_cells = {c.lib: c for c in cells if c.op == op.name}
        for c in op_cells.values():
            d: dict[str, Any] = {
                "status": "ok",
                **summarize(c.samples),
                "calls_per_batch": c.n,
                "ratio_to_pyjwt": pairwise_ratio(c.samples, ref.samples) if ref else None,
            }
            if c.lib == "cyjwt":
                # cyjwt's time over other rows', round by round (for the speed targets)
                d["ratio_to"] = {
                    k: pairwise_ratio(c.samples, op_cells[k].samples)
                    for k in CYJWT_REFERENCES
                    if k in op_cells
                }
            row[c.lib] = d
        for k, st in status.get(op.name, {}).items():
            if st != "ok":
                row[k] = {"status": st}
        if libraries.get("cyjwt-pure", {}).get("available"):
            st = pure.get("status", {}).get(op.name, {}).get("cyjwt-pure", "n/a")
            smp = pure.get("samples", {}).get(op.name, {})
            if st == "ok" and "cyjwt-pure" in smp:
                ref_s = smp.get(BASELINE)
                row["cyjwt-pure"] = {
                    "status": "ok",
                    **summarize(smp["cyjwt-pure"]),
                    "ratio_to_pyjwt": pairwise_ratio(smp["cyjwt-pure"], ref_s) if ref_s else None,
                    "pyjwt_in_subprocess_median_s": statistics.median(ref_s) if ref_s else None,
                }
            else:
                row["cyjwt-pure"] = {"status": st}
                if st.startswith(("WRONG", "error")):
                    notes.append(f"{LABELS['cyjwt-pure']} / {op.name}: {st}")
        results[op.name] = row

    # ---- threads
    threads: Optional[dict[str, Any]] = None
    if not args.no_threads and not args.gateway:
        log("[bench] thread scaling")
        threads = run_threads(adapters, fx, cfg, rng)

    # ---- memory
    memory: Optional[dict[str, Any]] = None
    if not args.no_memory and not args.gateway:
        mem_libs = [
            k
            for k in ("cyjwt", "cyjwt-pure", BASELINE)
            if k in adapters or (k == "cyjwt-pure" and libraries.get(k, {}).get("available"))
        ]
        log(f"[bench] memory soak: {cfg.memory_n:,} decodes each for {', '.join(mem_libs)}")
        memory = run_memory(mem_libs, cfg, paths, notes)
        if cfg.memory_n < 1_000_000:
            notes.append(
                f"memory soak used {cfg.memory_n:,} decodes per library, not 10^6 ({mode} mode)"
            )

    # ---- the end-to-end gateway run
    gateway: Optional[dict[str, Any]] = None
    if not args.no_gateway:
        gw_cfg = dataclasses.replace(
            GATEWAY_MODES[mode],
            duration_s=args.gateway_seconds or GATEWAY_MODES[mode].duration_s,
            reps=args.gateway_reps or GATEWAY_MODES[mode].reps,
        )
        log(f"[bench] gateway run: {gw_cfg.reps} x {gw_cfg.duration_s} s per configuration")
        gateway = run_gateway(
            fx.keys, gw_cfg, _subprocess_env(paths, no_extensions=False), rng, log
        )
        notes.extend(gateway.get("notes", []))
        if gateway.get("skipped"):
            notes.append(f"gateway run skipped: {gateway['skipped']}")

    report: dict[str, Any] = {
        "schema": 2,
        "config": {
            "mode": mode,
            "rounds": cfg.rounds,
            "batch_target_s": cfg.target,
            "seed": seed,
            "baseline": BASELINE,
        },
        "machine": machine_info(libraries),
        "libraries": libraries,
        "library_order": [a.key for a in ADAPTERS],
        "ops": [o.name for o in ops],
        "token_bytes": {o.name: len(fx.tokenset(o).valid) for o in ops if o.kind == "decode"},
        "results": results,
        "threads": threads,
        "memory": memory,
        "gateway": gateway,
        "notes": notes,
    }
    report["targets"] = evaluate(report)

    exit_code = 0
    if args.strict:
        bad_mem = memory and any(
            str(m.get("verdict", "")).startswith("FAILURE") for m in memory["results"].values()
        )
        bad_cy = any(
            str(r.get(k, {}).get("status", "")).startswith(("WRONG", "error"))
            for r in results.values()
            for k in ("cyjwt", "cyjwt-pure")
        )
        bad_cy = bad_cy or any(
            str(c.get("status", "")).startswith(("WRONG", "error"))
            for c in (gateway or {}).get("configs", [])
            if c.get("mode") in ("cyjwt", "verifier")
        )
        if bad_mem or bad_cy:
            exit_code = 1
    report["elapsed_s"] = time.perf_counter() - t_start
    return report, exit_code


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    with warnings.catch_warnings():
        # peers warn on import or per call (authlib.jose is deprecated, ...)
        warnings.simplefilter("ignore")
        return _main(args, sys.argv[1:] if argv is None else list(argv))


def _main(args: argparse.Namespace, argv: list[str]) -> int:
    report, code = run(args)
    report = {"command": " ".join(["python -m benchmarks", *argv]).strip(), **report}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    charts: list[str] = []
    for name, draw, wanted in (
        ("chart.png", write_chart, bool(report["ops"])),
        ("gateway.png", write_gateway_chart, bool(report["gateway"])),
    ):
        if not wanted:
            continue
        note = f"{name} skipped (--no-chart)" if args.no_chart else draw(report, out / name)
        if note:
            report["notes"].append(note)
        else:
            charts.append(str(out / name))
    report["charts"] = charts
    report["elapsed_s"] = round(report["elapsed_s"], 2)
    with open(out / "results.json", "w") as f:
        json.dump(report, f, indent=1)

    m = report["machine"]
    if report["ops"]:
        print(
            f"cyjwt benchmarks ({report['config']['mode']}, {report['config']['rounds']} "
            f"rounds, seed {report['config']['seed']})"
        )
    else:
        print(
            f"cyjwt benchmarks: the gateway run only ({report['config']['mode']}, seed "
            f"{report['config']['seed']})"
        )
    print(
        f"machine: {m.get('cpu_model')}, {m.get('cpus_usable')} CPUs usable; Python "
        f"{m.get('python')}; {m.get('cryptography_openssl') or m.get('python_openssl')}; "
        f"cyjwt IMPLEMENTATION={m.get('cyjwt_implementation')}"
    )
    versions = [
        f"{LABELS[k]} {v['version']}" for k, v in report["libraries"].items() if v["available"]
    ]
    versions += [
        f"{k} {v}"
        for k, v in ((report.get("gateway") or {}).get("versions") or {}).items()
        if not report["ops"]
    ]
    print("versions: " + ", ".join(versions))
    if report["ops"]:
        print()
        print(render_table(report))
        print()
        print(render_matrix(report))
    for block in (
        render_threads(report),
        render_memory(report),
        render_gateway(report.get("gateway")),
        render_targets(report["targets"]),
    ):
        if block:
            print()
            print(block)
    if report["notes"]:
        print()
        print("notes:")
        for n in report["notes"]:
            print(f"  - {n}")
    print()
    print(f"wrote {', '.join([str(out / 'results.json'), *charts])} in {report['elapsed_s']:.1f} s")
    if code:
        print("--strict: failing (see FAILURE / WRONG above)")
    return code
