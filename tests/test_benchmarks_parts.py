"""The pieces of the benchmark runner added for real-world runs (issue 11).

Identity-provider-shaped tokens, the native floor, the way each library is
called, the speed-target table, the README block, and the gateway run's
parts (ASGI app, JWKS endpoint, load generators).  Only plumbing and
correctness are tested; no timing is asserted.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import random
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cryptography")
jwt = pytest.importorskip("jwt")
if not hasattr(jwt, "PyJWT"):
    pytest.skip("the importable 'jwt' is not PyJWT", allow_module_level=True)

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# Skipped where tests/ is copied without benchmarks/ (the wheel checks).
pytest.importorskip("benchmarks")

from benchmarks import _targets, readme  # noqa: E402
from benchmarks._adapters import NativeFloorAdapter, PyJWTAdapter  # noqa: E402
from benchmarks._fixtures import (  # noqa: E402
    HMAC_SECRET,
    OPS,
    OPS_BY_NAME,
    Fixtures,
    b64d,
    make_fixtures,
)
from benchmarks._harness import build_cells  # noqa: E402
from benchmarks._idp_tokens import SHAPES  # noqa: E402
from benchmarks.gateway import app as gw_app  # noqa: E402
from benchmarks.gateway.jwks import JWKSServer, rsa_jwk  # noqa: E402
from benchmarks.gateway.load import Picker, parse_wrk_output, percentile, run_python  # noqa: E402
from benchmarks.gateway.report import render_gateway  # noqa: E402
from benchmarks.gateway.tokens import SHAPE, Mix, TokenPool, make_pool  # noqa: E402

import cyjwt  # noqa: E402


@pytest.fixture(scope="module")
def fx() -> Fixtures:
    return make_fixtures()


# --------------------------------------------------------------------------- tokens


def test_identity_provider_tokens_look_like_real_ones(fx: Fixtures) -> None:
    shaped = [o for o in OPS if o.shape]
    assert {o.shape for o in shaped} == set(SHAPES)
    for op in shaped:
        ts = fx.tokenset(op)
        header = json.loads(b64d(ts.valid.split(".")[0]))
        assert header["kid"] == SHAPES[op.shape].kid
        if op.alg == "HS256":
            assert 800 <= len(ts.valid) <= 1500, (op.name, len(ts.valid))
        payload = b64d(ts.valid.split(".")[1])
        assert any(b > 0x7F for b in payload), "names outside ASCII, as raw UTF-8"
        assert ts.issuer == SHAPES[op.shape].issuer and ts.audience == SHAPES[op.shape].audience
        # the decode the runner times accepts the token and refuses the bad ones
        got = jwt.decode(
            ts.valid,
            HMAC_SECRET if op.alg == "HS256" else fx.keys[op.alg].public_obj,
            algorithms=[op.alg],
            audience=ts.audience,
            issuer=ts.issuer,
        )
        assert got == ts.claims
    kc = fx.tokens[("HS256", "keycloak")].claims
    assert isinstance(kc["aud"], list) and "roles" in kc["realm_access"]
    assert isinstance(kc["resource_access"]["orders-api"]["roles"], list)


def test_calls_are_written_as_the_docs_show(fx: Fixtures) -> None:
    """A fresh ``algorithms`` list per call, and audience / issuer by keyword."""
    seen: list[dict[str, Any]] = []

    class FakeJWT:
        def decode(self, token: str, key: Any, **kw: Any) -> dict[str, Any]:
            seen.append(kw)
            return {}

    a = PyJWTAdapter()
    a.mod = FakeJWT()
    op = OPS_BY_NAME["HS256 decode Auth0"]
    fn = a.build(op, fx)
    assert fn is not None
    fn("t")
    fn("t")
    assert seen[0]["algorithms"] == ["HS256"] and seen[0]["algorithms"] is not seen[1]["algorithms"]
    assert seen[0]["audience"] == SHAPES["auth0"].audience
    assert seen[0]["issuer"] == SHAPES["auth0"].issuer


# --------------------------------------------------------------------------- native floor


@pytest.fixture(scope="module")
def native() -> NativeFloorAdapter:
    a = NativeFloorAdapter()
    if not a.load():
        pytest.skip(f"native floor: {a.note}")
    return a


def test_native_floor_is_correct(native: NativeFloorAdapter, fx: Fixtures) -> None:
    mod = native.native
    for alg in ("HS256", "HS384", "HS512"):
        ts = fx.tokens[(alg, "")]
        bits = int(alg[2:])
        assert mod.decode(ts.valid, HMAC_SECRET, bits) == ts.claims
        for kind in ("tampered signature", "tampered payload"):
            with pytest.raises(ValueError):
                mod.decode(ts.bad[kind], HMAC_SECRET, bits)
        head = ts.valid.split(".")[0].encode()
        token = mod.encode(head, {"sub": "ü", "n": 1}, HMAC_SECRET, bits)
        assert jwt.decode(token, HMAC_SECRET, algorithms=[alg]) == {"sub": "ü", "n": 1}
        long_key = b"k" * 200  # longer than a hash block: hashed first, as HMAC says
        token = mod.encode(head, {"a": 1}, long_key, bits)
        assert jwt.decode(token, long_key, algorithms=[alg]) == {"a": 1}
    assert mod.header(fx.header_token) == fx.header_expected
    for broken in ("a.b", "a.b.c.d", "", "e30.e30.!!!!"):
        with pytest.raises(ValueError):
            mod.decode(broken, HMAC_SECRET, 256)


def test_native_floor_without_a_compiler_is_a_labelled_skip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("orjson")
    monkeypatch.setenv("CYJWT_BENCH_CACHE", str(tmp_path))
    monkeypatch.setenv("CC", "no-such-compiler-here")
    a = NativeFloorAdapter()
    assert not a.load()
    assert a.note == "no C compiler (no-such-compiler-here not found)"


def test_native_floor_passes_the_runner_checks(native: NativeFloorAdapter, fx: Fixtures) -> None:
    ops = [
        OPS_BY_NAME[n]
        for n in (
            "HS256 encode",
            "HS512 decode",
            "HS256 decode Keycloak",
            "RS256 decode keyobj",
            "get_unverified_header",
        )
    ]
    cells, status = build_cells([native], ops, fx)
    assert all(v == "ok" for row in status.values() for v in row.values()), status
    assert len(cells) == len(ops)


# --------------------------------------------------------------------------- targets, README


def _report() -> dict[str, Any]:
    return {
        "results": {
            "HS256 decode": {
                "cyjwt": {
                    "status": "ok",
                    "median_s": 2e-6,
                    "ratio_to_pyjwt": 0.04,
                    "ratio_to": {"oxyjwt": 0.4, "native": 1.6},
                },
                "cyjwt-pure": {"status": "ok", "median_s": 2e-5, "ratio_to_pyjwt": 0.5},
                "pyjwt": {"status": "ok", "median_s": 5e-5, "ratio_to_pyjwt": 1.0},
                "jwcrypto": {"status": "WRONG: accepts expired token"},
            },
            "ES256 decode PEM": {
                "cyjwt": {
                    "status": "ok",
                    "median_s": 7e-5,
                    "ratio_to_pyjwt": 0.6,
                    "ratio_to": {"native": 1.05},
                },
                "pyjwt": {"status": "ok", "median_s": 1e-4, "ratio_to_pyjwt": 1.0},
            },
        },
        "ops": ["HS256 decode", "ES256 decode PEM"],
        "token_bytes": {"HS256 decode": 387},
        "library_order": ["cyjwt", "cyjwt-pure", "pyjwt", "jwcrypto"],
        "libraries": {
            k: {"label": k, "available": True, "version": "1"}
            for k in ("cyjwt", "cyjwt-pure", "pyjwt", "jwcrypto")
        },
        "machine": {"cpu_model": "cpu", "cpus_usable": 2, "python": "3.x"},
        "config": {"mode": "quick"},
        "memory": None,
        "gateway": None,
    }


def test_targets() -> None:
    rows = {(r["op"], r["lib"], r["against"]): r for r in _targets.evaluate(_report())}
    assert rows[("HS256 decode", "cyjwt", "pyjwt")]["measured"] == pytest.approx(25)
    assert rows[("HS256 decode", "cyjwt", "pyjwt")]["met"] is True
    assert rows[("HS256 decode", "cyjwt", "oxyjwt")]["measured"] == pytest.approx(2.5)
    assert rows[("ES256 decode PEM", "cyjwt", "raw")]["met"] is True
    assert rows[("HS256 decode", "cyjwt-pure", "pyjwt")]["met"] is False
    assert "NO" in _targets.render_targets(list(rows.values()))


def test_readme_block_replaces_only_its_markers() -> None:
    text = f"# x\n\n## Speed\n\nintro\n\n{readme.BEGIN}\nold\n{readme.END}\n\nafter\n"
    new = readme.update_readme(text, _report())
    assert new.startswith("# x\n\n## Speed\n\nintro\n\n" + readme.BEGIN)
    assert new.endswith(readme.END + "\n\nafter\n") and "\nold\n" not in new
    assert "| HS256 decode | 2 µs (25x) | 2.0x | 50 µs | wrong |" in new
    with pytest.raises(ValueError):
        readme.update_readme("no markers", _report())


def test_readme_has_the_markers_in_its_speed_section() -> None:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    speed = text.index("## Speed")
    start, end = text.index(readme.BEGIN), text.index(readme.END)
    nxt = text.find("\n## ", speed + 1)
    assert speed < start < end < (nxt if nxt > 0 else len(text))


# --------------------------------------------------------------------------- gateway app


def _call(app: Any, path: str, token: str | None = None) -> tuple[int, bytes]:
    headers = [(b"host", b"x")] + (
        [(b"authorization", f"Bearer {token}".encode())] if token is not None else []
    )
    scope = {"type": "http", "path": path, "headers": headers, "method": "GET"}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], sent[1]["body"]


@pytest.fixture(scope="module")
def pool(fx: Fixtures) -> TokenPool:
    return make_pool("HS256", fx.keys, sessions=3, fresh=3, bad=4)


def _settings(mode: str, alg: str = "HS256", **kw: Any) -> gw_app.GatewaySettings:
    return gw_app.GatewaySettings(
        mode=mode, alg=alg, audience=SHAPE.audience, issuer=SHAPE.issuer, secret=HMAC_SECRET, **kw
    )


@pytest.mark.parametrize("mode", ["pyjwt", "cyjwt"])
def test_gateway_app_checks_tokens(mode: str, pool: TokenPool) -> None:
    app = gw_app.make_app(_settings(mode))
    assert _call(app, "/", pool.sessions[0]) == (200, b"ok\n")
    assert _call(app, "/", pool.fresh[1])[0] == 200
    for bad in pool.bad:
        assert _call(app, "/", bad)[0] == 401
    assert _call(app, "/")[0] == 401  # no token
    status, body = _call(app, "/stats")
    stats = json.loads(body)
    assert status == 200 and stats["requests"] == 7 and stats["accepted"] == 2
    assert stats["rejected"] == 5 and stats["verify_ns"] > 0


def test_gateway_ceiling_checks_nothing(pool: TokenPool) -> None:
    app = gw_app.make_app(_settings("none"))
    assert _call(app, "/", pool.bad[0])[0] == 200
    assert json.loads(_call(app, "/stats")[1])["verify_ns"] == 0


def test_gateway_verifier_mode_uses_the_jwtverifier_api(
    monkeypatch: pytest.MonkeyPatch, pool: TokenPool
) -> None:
    made: list[tuple[Any, dict[str, Any]]] = []

    class FakeVerifier:
        def __init__(self, keys: Any, **kw: Any) -> None:
            made.append((keys, kw))
            self.kw = kw

        def decode(self, token: str) -> Any:
            return cyjwt.decode(
                token,
                HMAC_SECRET,
                algorithms=self.kw["algorithms"],
                audience=self.kw["audience"],
                issuer=self.kw["issuer"],
            )

    monkeypatch.setattr(cyjwt, "JWTVerifier", FakeVerifier, raising=False)
    app = gw_app.make_app(_settings("verifier", cache_size=64))
    assert made == [
        (
            HMAC_SECRET,
            {
                "algorithms": ["HS256"],
                "audience": SHAPE.audience,
                "issuer": SHAPE.issuer,
                "cache_size": 64,
            },
        )
    ]
    assert _call(app, "/", pool.sessions[0])[0] == 200
    assert _call(app, "/", pool.bad[0])[0] == 401


def test_gateway_verifier_mode_without_jwtverifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(cyjwt, "JWTVerifier", raising=False)
    with pytest.raises(RuntimeError, match="JWTVerifier not available"):
        gw_app.make_verify(_settings("verifier"))


def test_bearer_token_parsing() -> None:
    def scope(value: bytes) -> dict[str, Any]:
        return {"headers": [(b"authorization", value)]}

    assert gw_app.bearer_token(scope(b"Bearer abc")) == "abc"
    assert gw_app.bearer_token(scope(b"bearer abc")) == "abc"
    assert gw_app.bearer_token(scope(b"Basic abc")) is None
    assert gw_app.bearer_token(scope(b"Bearer")) is None
    assert gw_app.bearer_token({"headers": []}) is None


# --------------------------------------------------------------------------- JWKS, RS256


def test_jwks_endpoint_serves_the_key_and_stops(fx: Fixtures) -> None:
    kp = fx.keys["RS256"]
    with JWKSServer({"keys": [rsa_jwk(kp.public_obj, SHAPE.kid)]}) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url, timeout=5) as resp:
            jwks = json.load(resp)
        assert server.fetches == 1
        pool = make_pool("RS256", fx.keys, sessions=1, fresh=1, bad=2)
        app = gw_app.make_app(_settings("cyjwt", alg="RS256", jwks_url=server.url))
        assert _call(app, "/", pool.sessions[0])[0] == 200
        assert _call(app, "/", pool.bad[0])[0] == 401
        thread = server._thread
    assert jwks["keys"][0]["kid"] == SHAPE.kid and jwks["keys"][0]["kty"] == "RSA"
    assert not thread.is_alive()


# --------------------------------------------------------------------------- load


def test_wrk_output_is_parsed() -> None:
    out = (
        'Running 1s test\nGATEWAY_JSON {"requests":1000,"duration_us":2000000,'
        '"non2xx":20,"socket_errors":1,"timeouts":2,"p50_us":900,"p90_us":1500,'
        '"p99_us":4000,"mean_us":1000.5}\n'
    )
    res = parse_wrk_output(out)
    assert res.rps == 500 and res.non2xx == 20 and res.socket_errors == 3
    assert (res.p50_ms, res.p99_ms) == (0.9, 4.0)
    with pytest.raises(ValueError):
        parse_wrk_output("no result")
    assert (REPO_ROOT / "benchmarks" / "gateway" / "tokens.lua").exists()


def test_picker_mix(pool: TokenPool) -> None:
    picker = Picker(pool, Mix(fresh_per_mille=100, bad_per_mille=20), offset=0)
    picks = [picker.pick() for _ in range(20000)]
    bad = sum(p in pool.bad for p in picks) / len(picks)
    fresh = sum(p in pool.fresh for p in picks) / len(picks)
    assert 0.01 < bad < 0.03 and 0.08 < fresh < 0.12
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0 and percentile([], 99) == 0.0


def test_python_load_generator_is_bounded(pool: TokenPool) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            ok = self.headers.get("Authorization", "").startswith("Bearer ")
            body = b"ok" if ok else b"no"
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        res = run_python("127.0.0.1", httpd.server_address[1], pool, 0.3, 2, Mix(), 0)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert res.requests > 0 and res.non2xx == 0 and res.socket_errors == 0
    assert 0.25 < res.duration_s < 5 and res.p50_ms > 0


def test_gateway_table_renders() -> None:
    gw = {"skipped": "uvicorn is not installed"}
    assert "skipped" in render_gateway(gw)
    assert render_gateway(None) == ""


def test_gateway_run_end_to_end_with_the_python_generator(
    fx: Fixtures, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One RS256 server with keys from the JWKS endpoint, 1 s of load: a few seconds.

    The first port it is given is taken: the server is started again on another.
    """
    pytest.importorskip("uvicorn")
    import os
    import socket

    from benchmarks.gateway import run
    from benchmarks.gateway.run import GatewayConfig, run_gateway

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    ports = [busy.getsockname()[1]]
    real_free_port = run.free_port
    monkeypatch.setattr(run, "free_port", lambda: ports.pop() if ports else real_free_port())

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), str(REPO_ROOT / "src"), env.get("PYTHONPATH", "")]
    )
    env.pop("CYJWT_NO_EXTENSIONS", None)
    cfg = GatewayConfig(
        duration_s=1, reps=1, sessions=4, fresh=8, connections=4, algs=("RS256",), modes=("cyjwt",)
    )
    try:
        gw = run_gateway(
            fx.keys, cfg, env, random.Random(3), lambda msg: None, force_python_load=True
        )
    finally:
        busy.close()
    assert ports == []
    (config,) = gw["configs"]
    assert config["status"] == "ok", config
    assert config["rps"] > 0 and config["requests"] > 0 and 0 < config["verify_share"] <= 1.5
    assert gw["jwks_fetches"] >= 1 and "Python" in gw["load_generator"]
    assert "RS256 cyjwt jwt.decode" in render_gateway(gw)
