"""pytest-benchmark suite for regression tracking.

    pytest benchmarks/ --benchmark-only                       # run
    pytest benchmarks/ --benchmark-only --benchmark-autosave  # keep for later
    pytest benchmarks/ --benchmark-only --benchmark-compare   # against the last save

One benchmark group per operation (the group name is the operation), one test
per (operation, library).  The libraries are cyjwt (whatever core
``cyjwt.IMPLEMENTATION`` says is loaded; ``CYJWT_NO_EXTENSIONS=1`` benchmarks
the pure-Python one), PyJWT as the reference and the raw-crypto floor.
``CYJWT_BENCH_LIBS=cyjwt,pyjwt,oxyjwt,...`` picks others from
benchmarks/_adapters.py.  Every library's answer is checked before it is timed.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("cryptography")

from benchmarks._adapters import ADAPTER_BY_KEY, Adapter, CyjwtAdapter
from benchmarks._fixtures import OPS, Fixtures, Op, make_fixtures
from benchmarks._harness import check

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

LIBS = [
    k.strip()
    for k in os.environ.get("CYJWT_BENCH_LIBS", "cyjwt,pyjwt,floor").split(",")
    if k.strip()
]


class _CyjwtAnyCore(CyjwtAdapter):
    """cyjwt with whichever core it loaded (compiled or pure)."""

    def load(self) -> bool:
        return Adapter.load(self)


@pytest.fixture(scope="session")
def fx() -> Fixtures:
    return make_fixtures()


@pytest.fixture(scope="session")
def adapters() -> dict[str, Adapter]:
    loaded: dict[str, Adapter] = {}
    for key in LIBS:
        a = _CyjwtAnyCore() if key == "cyjwt" else ADAPTER_BY_KEY[key]()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a.load()
        loaded[key] = a
    return loaded


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("op", OPS, ids=[o.name for o in OPS])
def test_op(
    benchmark: BenchmarkFixture, op: Op, lib: str, fx: Fixtures, adapters: dict[str, Adapter]
) -> None:
    a = adapters[lib]
    if a.mod is None:
        pytest.skip(f"{lib}: {a.note}")
    fn = a.build(op, fx)
    if fn is None:
        pytest.skip(f"{lib} cannot do {op.name}")
    verdict = check(a, op, fx, fn)
    if verdict != "ok":
        pytest.fail(f"{lib} / {op.name}: {verdict}")
    if op.kind == "encode":
        arg: Any = fx.tokenset(op).claims
    elif op.kind == "header":
        arg = fx.header_token
    else:
        arg = fx.tokenset(op).valid
    benchmark.group = op.name
    benchmark.extra_info["library"] = lib
    benchmark.extra_info["version"] = a.version
    if lib == "cyjwt":
        benchmark.extra_info["implementation"] = getattr(a.mod, "IMPLEMENTATION", None)
    benchmark(fn, arg)
