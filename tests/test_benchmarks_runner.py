"""Quick checks that the benchmark runner (python -m benchmarks) works.

They run the runner's internals with tiny iteration counts (``--smoke``); the
numbers mean nothing, only the plumbing is tested.  Skipped when PyJWT,
matplotlib or cryptography is not installed (they are benchmark dependencies).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

pytest.importorskip("cryptography")
pytest.importorskip("matplotlib")
jwt = pytest.importorskip("jwt")
if not hasattr(jwt, "PyJWT"):
    pytest.skip("the importable 'jwt' is not PyJWT", allow_module_level=True)

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# Skipped where tests/ is copied without benchmarks/ (the wheel checks).
pytest.importorskip("benchmarks")

from benchmarks import runner  # noqa: E402
from benchmarks._adapters import FloorAdapter, Fn, PyJWTAdapter  # noqa: E402
from benchmarks._fixtures import OPS_BY_NAME, Fixtures, Op, make_fixtures  # noqa: E402
from benchmarks._harness import (  # noqa: E402
    Cell,
    build_cells,
    check,
    pairwise_ratio,
    run_rounds,
    summarize,
)


@pytest.fixture(scope="module")
def fx() -> Fixtures:
    return make_fixtures()


class _AcceptsAnything(PyJWTAdapter):
    """A broken library: decodes without verifying anything."""

    key = "broken"

    def build(self, op: Op, fx: Fixtures) -> Optional[Fn]:
        if op.kind != "decode":
            return super().build(op, fx)
        return lambda token: self.mod.decode(token, options={"verify_signature": False})


class _SignsWithWrongKey(PyJWTAdapter):
    key = "wrong-key"

    def build(self, op: Op, fx: Fixtures) -> Fn:
        encode = self.mod.encode
        return lambda claims: encode(claims, b"not-the-benchmark-secret" * 3, algorithm=op.alg)


def test_wrong_answers_are_caught(fx: Fixtures) -> None:
    op = OPS_BY_NAME["HS256 decode"]
    a = _AcceptsAnything()
    assert a.load()
    fn = a.build(op, fx)
    assert fn is not None
    verdict = check(a, op, fx, fn)
    assert verdict.startswith("WRONG: accepts")

    enc = OPS_BY_NAME["HS256 encode"]
    b = _SignsWithWrongKey()
    assert b.load()
    assert check(b, enc, fx, b.build(enc, fx)).startswith("WRONG: encoded token does not verify")

    # and a wrong cell is never timed
    cells, status = build_cells([a], [op], fx)
    assert cells == [] and status[op.name]["broken"].startswith("WRONG")


def test_pyjwt_and_floor_pass_their_checks(fx: Fixtures) -> None:
    ops = [
        OPS_BY_NAME[n]
        for n in (
            "HS256 encode",
            "HS256 decode",
            "ES256 decode keyobj",
            "EdDSA encode keyobj",
            "get_unverified_header",
        )
    ]
    adapters = [PyJWTAdapter(), FloorAdapter()]
    assert all(a.load() for a in adapters)
    cells, status = build_cells(adapters, ops, fx)
    assert all(v == "ok" for row in status.values() for v in row.values()), status
    run_rounds(cells, 3, __import__("random").Random(1))
    assert all(len(c.samples) == 3 and min(c.samples) > 0 for c in cells)


def test_statistics() -> None:
    s = summarize([3.0, 1.0, 2.0])
    assert (s["median_s"], s["min_s"], s["max_s"], s["rounds"]) == (2.0, 1.0, 3.0, 3)
    # per-round ratios (1/2, 4/2, 1/1) -> median 0.5... of [0.5, 2.0, 1.0] is 1.0
    assert pairwise_ratio([1.0, 4.0, 1.0], [2.0, 2.0, 1.0]) == 1.0
    assert pairwise_ratio([], []) is None
    assert runner.fmt_time(2.5e-6) == "2.5 µs"
    assert runner.fmt_ratio(None) == "n/a"
    c = Cell("x", "y", lambda a: a, 1)
    assert c.n == 1 and c.samples == []


def test_chart_is_skipped_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    from benchmarks._chart import write_chart

    note = write_chart({}, tmp_path / "chart.png")
    assert note.startswith("chart skipped")
    assert not (tmp_path / "chart.png").exists()


def test_smoke_run_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = runner.main(
        [
            "--smoke",
            "--out",
            str(out),
            "--seed",
            "7",
            "--libs",
            "cyjwt,cyjwt-pure,pyjwt,floor",
            "--ops",
            "HS256 decode,ES256 decode keyobj,get_unverified_header",
            "--memory-n",
            "2000",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "HS256 decode" in printed and "vs PyJWT" in printed and "memory:" in printed
    report = json.loads((out / "results.json").read_text())
    assert (out / "chart.png").stat().st_size > 1000
    m = report["machine"]
    for key in (
        "cpu_model",
        "cpu_count",
        "python",
        "python_openssl",
        "library_versions",
        "cyjwt_implementation",
    ):
        assert key in m
    row = report["results"]["HS256 decode"]
    assert row["pyjwt"]["status"] == "ok"
    assert row["pyjwt"]["ratio_to_pyjwt"] == pytest.approx(1.0)
    assert row["floor"]["status"] == "ok"
    # cyjwt, when importable, must give the right answers (whatever its speed)
    for lib in ("cyjwt", "cyjwt-pure"):
        for op_row in report["results"].values():
            st = op_row.get(lib, {}).get("status", "n/a")
            assert not st.startswith(("WRONG", "error")), (lib, st)
    mem = report["memory"]["results"]["pyjwt"]
    assert mem["available"] and mem["decodes"] == 2000 and mem["rejected"] == 1000
    assert report["threads"]["results"]["HS256 decode"]["pyjwt"]["1"] > 0
    # the speed targets are measured and reported (never asserted)
    assert any(t["op"] == "HS256 decode" and t["lib"] == "cyjwt" for t in report["targets"])
    assert "speed targets" in printed
    # the smoke gateway run: HS256 without a check and with cyjwt, a second each
    gw = report["gateway"]
    if not gw.get("skipped"):
        by_mode = {c["mode"]: c for c in gw["configs"]}
        assert by_mode["none"]["status"] == "ok" and by_mode["none"]["rps"] > 0
        assert by_mode["cyjwt"]["status"] == "ok" and by_mode["cyjwt"]["verify_share"] > 0
        assert by_mode["verifier"]["status"] in ("ok", "skipped: JWTVerifier not available")
        assert (out / "gateway.png").stat().st_size > 1000
        assert "gateway:" in printed


def test_gateway_only_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--gateway runs nothing else; without uvicorn it says it skipped."""
    import builtins

    real_import = builtins.__import__

    def no_uvicorn(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvicorn":
            raise ImportError("no uvicorn here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvicorn)
    code = runner.main(["--smoke", "--gateway", "--out", str(tmp_path)])
    assert code == 0
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["ops"] == [] and report["results"] == {} and report["memory"] is None
    assert report["gateway"]["skipped"].startswith("uvicorn is not installed")
    assert "gateway: skipped" in capsys.readouterr().out


def test_runs_without_pyjwt_as_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = runner.main(
        [
            "--smoke",
            "--out",
            str(tmp_path),
            "--libs",
            "floor",
            "--ops",
            "HS256 decode",
            "--no-threads",
            "--no-memory",
            "--no-chart",
        ]
    )
    assert code == 0
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["results"]["HS256 decode"]["floor"]["ratio_to_pyjwt"] is None
    assert any("ratios are n/a" in n for n in report["notes"])
    assert "n/a" in capsys.readouterr().out
