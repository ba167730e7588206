"""The end-to-end gateway run: servers, JWKS endpoint, load, results.

For each algorithm (HS256 with a shared secret, RS256 with the public key
from a local JWKS endpoint) and each way of checking the token (app.MODES),
one server process (server.py) is started on 127.0.0.1.  Each server must
first answer 200 to a valid token and 401 to a bad one; then, in every
repetition, the servers are loaded one after the other in a shuffled order
(interleaved, so that noise from a shared machine is spread over all of
them) for a fixed time each.  Around each load the server's ``/stats`` are
read, which gives the time spent inside the verify call and the server's
CPU time.  Every process and the JWKS thread are stopped at the end, also
when something fails.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._fixtures import HMAC_SECRET, KeyPair
from .app import MODES
from .jwks import JWKSServer, rsa_jwk
from .load import LoadResult, run_python, run_wrk, wrk_binary, wrk_version
from .tokens import SHAPE, Mix, TokenPool, make_pool

ALGS = ("HS256", "RS256")
MODE_LABELS = {
    "none": "no token check (ceiling)",
    "pyjwt": "PyJWT jwt.decode",
    "cyjwt": "cyjwt jwt.decode",
    "verifier": "cyjwt JWTVerifier (cached)",
}
HOST = "127.0.0.1"


@dataclass(frozen=True)
class GatewayConfig:
    duration_s: int  # per load run
    reps: int  # load runs per configuration
    sessions: int
    fresh: int
    connections: int = 16
    mix: Mix = field(default_factory=Mix)
    startup_timeout_s: float = 60.0
    algs: Tuple[str, ...] = ALGS
    modes: Tuple[str, ...] = MODES

    @property
    def cache_size(self) -> int:
        """The verifier's cache: room for every session, and as much again for fresh tokens."""
        return 2 * self.sessions


GATEWAY_MODES = {
    "full": GatewayConfig(duration_s=2, reps=3, sessions=256, fresh=2048),
    "quick": GatewayConfig(duration_s=2, reps=1, sessions=128, fresh=768),
    # only HS256, without PyJWT: checks that the run works, in a few seconds
    "smoke": GatewayConfig(
        duration_s=1,
        reps=1,
        sessions=8,
        fresh=16,
        algs=("HS256",),
        modes=("none", "cyjwt", "verifier"),
    ),
}


@dataclass
class Server:
    alg: str
    mode: str
    port: int = 0
    proc: Optional[subprocess.Popen[bytes]] = None
    log: Optional[Path] = None
    status: str = "ok"
    runs: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.alg} / {MODE_LABELS[self.mode]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def request(
    port: int, path: str = "/", token: Optional[str] = None, timeout: float = 5.0
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def stats(port: int) -> Dict[str, int]:
    status, body = request(port, "/stats")
    if status != 200:
        raise RuntimeError(f"/stats answered {status}")
    data: Dict[str, int] = json.loads(body)
    return data


def _tail(path: Optional[Path]) -> str:
    if path is None or not path.exists():
        return ""
    lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:200] if lines else ""


def start_server(
    srv: Server,
    env: Dict[str, str],
    workdir: Path,
    jwks_url: str,
    max_seconds: float,
    cache_size: int,
) -> None:
    srv.port = free_port()
    srv.log = workdir / f"server-{srv.alg}-{srv.mode}.log"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.gateway.server",
        "--port",
        str(srv.port),
        "--mode",
        srv.mode,
        "--alg",
        srv.alg,
        "--audience",
        SHAPE.audience,
        "--issuer",
        SHAPE.issuer,
        "--max-seconds",
        str(int(max_seconds)),
        "--cache-size",
        str(cache_size),
    ]
    cmd += ["--secret-hex", HMAC_SECRET.hex()] if srv.alg == "HS256" else ["--jwks-url", jwks_url]
    with open(srv.log, "wb") as log:
        srv.proc = subprocess.Popen(
            cmd,
            cwd=str(Path(__file__).resolve().parents[2]),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_ready(servers: List[Server], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [s for s in servers if s.status == "ok"]
    while pending and time.monotonic() < deadline:
        for srv in list(pending):
            assert srv.proc is not None
            if srv.proc.poll() is not None:
                srv.status = f"error: the server exited ({_tail(srv.log) or srv.proc.returncode})"
                pending.remove(srv)
                continue
            try:
                stats(srv.port)
            except OSError:
                continue
            pending.remove(srv)
        if pending:
            time.sleep(0.1)
    for srv in pending:
        srv.status = f"error: the server did not start within {timeout:.0f} s"


def stop_server(srv: Server) -> None:
    proc = srv.proc
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def precheck(srv: Server, pool: TokenPool) -> None:
    """A valid token must get 200, and a bad one 401 (200 for the no-check ceiling)."""
    try:
        for token in pool.sessions[:3] + pool.fresh[:2]:
            status, _ = request(srv.port, "/", token)
            if status != 200:
                srv.status = f"WRONG: a valid token got {status}"
                return
        want = 200 if srv.mode == "none" else 401
        for token in pool.bad[:4]:
            status, _ = request(srv.port, "/", token)
            if status != want:
                srv.status = f"WRONG: a bad token got {status}, not {want}"
                return
    except OSError as exc:
        srv.status = f"error: {type(exc).__name__}: {exc}"


def warm_up(srv: Server, pool: TokenPool, requests: int = 200) -> None:
    """Send every session's token over one keep-alive connection, as a running service has."""
    conn = http.client.HTTPConnection(HOST, srv.port, timeout=5.0)
    try:
        for i in range(requests):
            token = pool.sessions[i % len(pool.sessions)]
            conn.request("GET", "/", headers={"Authorization": f"Bearer {token}"})
            conn.getresponse().read()
    finally:
        conn.close()


def one_run(srv: Server, load: Callable[[Server, int], LoadResult], offset: int) -> None:
    before = stats(srv.port)
    res = load(srv, offset)
    after = stats(srv.port)
    d = {k: after[k] - before[k] for k in after}
    srv.runs.append(
        {
            "rps": res.rps,
            "requests": res.requests,
            "duration_s": res.duration_s,
            "non2xx": res.non2xx,
            "socket_errors": res.socket_errors,
            "p50_ms": res.p50_ms,
            "p90_ms": res.p90_ms,
            "p99_ms": res.p99_ms,
            "server_requests": d["requests"],
            "server_rejected": d["rejected"],
            "verify_ns": d["verify_ns"],
            "cpu_ns": d["cpu_ns"],
            "wall_ns": d["wall_ns"],
        }
    )


def summarize_server(srv: Server, mix: Mix) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "name": srv.name,
        "alg": srv.alg,
        "mode": srv.mode,
        "label": MODE_LABELS[srv.mode],
        "status": srv.status,
    }
    runs = srv.runs
    if srv.status != "ok" or not runs:
        return out
    served = sum(r["server_requests"] for r in runs)
    cpu = sum(r["cpu_ns"] for r in runs)
    wall = sum(r["wall_ns"] for r in runs)
    verify = sum(r["verify_ns"] for r in runs)
    rejected = sum(r["server_rejected"] for r in runs)
    out.update(
        {
            "rps": statistics.median(r["rps"] for r in runs),
            "rps_runs": [round(r["rps"], 1) for r in runs],
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "requests": served,
            "rejected_share": rejected / served if served else None,
            "verify_us_per_request": verify / served / 1e3 if served else None,
            # The server is kept saturated, so its wall time is its busy time;
            # both counters are wall time, so being descheduled on a shared
            # machine stretches both alike.
            "verify_share": verify / wall if wall else None,
            "server_cpu_busy": cpu / wall if wall else None,
            "socket_errors": sum(r["socket_errors"] for r in runs),
        }
    )
    expected = mix.bad_per_mille / 1000
    share = out["rejected_share"] or 0.0
    if srv.mode == "none" and share > 0:
        out["status"] = f"WRONG: {share:.1%} of the requests got 401 without a check"
    elif srv.mode != "none" and served >= 500 and not expected / 3 <= share <= expected * 3 + 0.005:
        out["status"] = (
            f"WRONG: {share:.1%} of the requests were rejected, "
            f"{expected:.1%} of the tokens are bad"
        )
    return out


def run_gateway(
    keys: Dict[str, KeyPair],
    cfg: GatewayConfig,
    env: Dict[str, str],
    rng: random.Random,
    log: Callable[[str], None],
    force_python_load: bool = False,
) -> Dict[str, Any]:
    """Run every configuration; returns the "gateway" entry of results.json."""
    t_start = time.perf_counter()
    notes: List[str] = []
    try:
        import uvicorn
    except ImportError:
        return {"skipped": "uvicorn is not installed (it is in the bench extra)", "configs": []}
    wrk = None if force_python_load else wrk_binary()
    if wrk is None:
        load_label = "Python asyncio load generator (wrk not found; slower, shares the CPUs)"
        notes.append(
            "gateway: wrk is not installed, the load came from the Python generator: "
            "requests/s are lower than wrk would show"
        )
    else:
        load_label = wrk_version(wrk)
    loop = "uvloop" if _importable("uvloop") else "asyncio"
    parser = "httptools" if _importable("httptools") else "h11"

    log(f"[gateway] signing tokens ({cfg.sessions} sessions, {cfg.fresh} fresh per algorithm)")
    pools = {alg: make_pool(alg, keys, cfg.sessions, cfg.fresh) for alg in cfg.algs}

    import cyjwt

    servers = [Server(alg, mode) for alg in cfg.algs for mode in cfg.modes]
    for srv in servers:
        if srv.mode == "verifier" and not hasattr(cyjwt, "JWTVerifier"):
            srv.status = "skipped: JWTVerifier not available"
        elif srv.mode == "pyjwt" and not _importable("jwt"):
            srv.status = "skipped: PyJWT is not installed"
    budget = 120.0 + len(servers) * cfg.reps * (cfg.duration_s + 5)
    jwks = {"keys": [rsa_jwk(keys["RS256"].public_obj, SHAPE.kid)]}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cyjwt-gw-")))
        jwks_server = stack.enter_context(JWKSServer(jwks))
        live = [s for s in servers if s.status == "ok"]
        log(f"[gateway] starting {len(live)} servers on {HOST}")
        starting = live
        for _attempt in range(2):
            for srv in starting:
                stack.callback(stop_server, srv)
                start_server(srv, env, workdir, jwks_server.url, budget, cfg.cache_size)
            wait_ready(starting, cfg.startup_timeout_s)
            # a port taken by another program between free_port() and the bind: once more
            starting = [s for s in starting if "address already in use" in s.status.lower()]
            for srv in starting:
                srv.status = "ok"
        for srv in live:
            if srv.status == "ok":
                precheck(srv, pools[srv.alg])
            if srv.status == "ok":
                try:
                    warm_up(srv, pools[srv.alg], max(200, cfg.sessions))
                except OSError as exc:
                    srv.status = f"error: {type(exc).__name__}: {exc}"
        live = [s for s in live if s.status == "ok"]
        token_files = {}
        for alg, pool in pools.items():
            token_files[alg] = workdir / f"tokens-{alg}.txt"
            pool.write(token_files[alg])

        def load(srv: Server, offset: int) -> LoadResult:
            if wrk is not None:
                return run_wrk(
                    wrk,
                    f"http://{HOST}:{srv.port}/",
                    token_files[srv.alg],
                    cfg.duration_s,
                    cfg.connections,
                    cfg.mix,
                    offset,
                )
            return run_python(
                HOST, srv.port, pools[srv.alg], cfg.duration_s, cfg.connections, cfg.mix, offset
            )

        for rep in range(cfg.reps):
            rng.shuffle(live)
            log(
                f"[gateway] round {rep + 1}/{cfg.reps}: {len(live)} configurations, "
                f"{cfg.duration_s} s each"
            )
            for srv in live:
                try:
                    one_run(srv, load, rng.randrange(cfg.fresh or 1))
                except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
                    srv.status = f"error: {type(exc).__name__}: {str(exc)[:160]}"
            live = [s for s in live if s.status == "ok"]
        jwks_fetches = jwks_server.fetches
    configs = [summarize_server(s, cfg.mix) for s in servers]
    for c in configs:
        if c["status"] != "ok":
            notes.append(f"gateway {c['name']}: {c['status']}")
    return {
        "load_generator": load_label,
        "server": f"uvicorn {uvicorn.__version__} ({loop}, {parser}), one process",
        "versions": {"cyjwt": _version("cyjwt"), "PyJWT": _version("PyJWT")},
        "duration_s": cfg.duration_s,
        "reps": cfg.reps,
        "connections": cfg.connections,
        "mix": {
            "sessions": cfg.sessions,
            "fresh_pool": cfg.fresh,
            "fresh_share": cfg.mix.fresh_per_mille / 1000,
            "bad_share": cfg.mix.bad_per_mille / 1000,
            "verifier_cache_size": cfg.cache_size,
        },
        "token": f"{SHAPE.label}-shaped access token with a `kid` header",
        "token_bytes": {alg: pool.mean_bytes() for alg, pool in pools.items()},
        "jwks_fetches": jwks_fetches,
        "configs": configs,
        "notes": notes,
        "elapsed_s": round(time.perf_counter() - t_start, 1),
    }


def _version(dist: str) -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
