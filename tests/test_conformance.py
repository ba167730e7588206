"""PyJWT 2.15.1's own suite, run against cyjwt by tests/conformance/run_pyjwt_suite.py.

One subprocess per (core, cryptography) combination.  The first run
downloads PyJWT's sdist (see docs/conformance.md); deselect with
``-m "not conformance"`` when offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.conformance

RUNNER = Path(__file__).resolve().parent / "conformance" / "run_pyjwt_suite.py"
REPO_SRC = Path(__file__).resolve().parents[1] / "src"

EXPECTED = {
    "crypto": {"passed": 471, "failed": 0, "errors": 0, "skipped": 4, "total": 475},
    "no-crypto": {"passed": 286, "failed": 0, "errors": 0, "skipped": 189, "total": 475},
}
NO_CRYPTO_TEST_OUTCOME = {"crypto": "skipped", "no-crypto": "passed"}


def _env(core: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CYJWT_NO_EXTENSIONS", None)
    if core == "python":
        env["CYJWT_NO_EXTENSIONS"] = "1"
    # Let the subprocess find the same cyjwt this test process uses.
    import cyjwt

    package_parent = str(Path(os.path.abspath(cyjwt.__file__)).parents[1])
    paths = [package_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _core_in_use(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import cyjwt._core as c; print(c.IMPLEMENTATION)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.strip()


@pytest.mark.parametrize("mode", ["crypto", "no-crypto"])
@pytest.mark.parametrize("core", ["cython", "python"])
def test_pyjwt_suite_passes(core: str, mode: str) -> None:
    env = _env(core)
    actual_core = _core_in_use(env)
    if core == "cython" and actual_core != "cython":
        pytest.skip("the compiled core (cyjwt._core_c) is not built in this environment")
    assert actual_core == core

    cmd = [sys.executable, str(RUNNER)]
    if mode == "no-crypto":
        cmd.append("--no-crypto")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, check=False)
    output = proc.stdout + proc.stderr
    tail = "\n".join(output.splitlines()[-60:])

    if proc.returncode == 3:
        pytest.fail("could not download PyJWT's sdist:\n" + tail)

    marker = "[conformance] RESULTS-JSON "
    lines = [line for line in proc.stdout.splitlines() if line.startswith(marker)]
    assert lines, "the runner printed no results:\n" + tail
    results = json.loads(lines[-1][len(marker) :])

    assert results["implementation"] == core
    assert results["mode"] == mode
    got = dict(results["counts"], total=results["total"])
    assert {key: got[key] for key in EXPECTED[mode]} == EXPECTED[mode], tail
    assert got["xfailed"] == 0 and got["xpassed"] == 0
    assert len(results["no_crypto_tests"]) == 4
    assert set(results["no_crypto_tests"].values()) == {NO_CRYPTO_TEST_OUTCOME[mode]}
    assert proc.returncode == 0, tail
