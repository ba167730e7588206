#!/usr/bin/env python
"""Run PyJWT 2.15.1's own test suite against cyjwt.

Usage::

    PYTHONPATH=src python tests/conformance/run_pyjwt_suite.py [--no-crypto]
        [--cache-dir DIR] [--report-only] [-- EXTRA_PYTEST_ARGS...]

What it does, in order:

1. Gets PyJWT 2.15.1's sdist with ``pip download`` into a cache directory
   (``$CYJWT_CONFORMANCE_CACHE``, else ``<repo>/.cache/pyjwt-sdist``) unless
   a copy is already there, and checks its SHA-256 against the value pinned
   below.  Nothing of PyJWT is installed.
2. Copies only the sdist's ``tests/`` directory into a temporary directory,
   next to a ``pytest.ini`` holding PyJWT's pytest settings (``-ra``;
   ``filterwarnings = error`` and ``ignore::jwt.warnings.InsecureKeyLengthWarning``).
3. Starts a child interpreter (``python -b``, as PyJWT's tox does) which,
   before importing anything else, optionally makes ``cryptography``
   unimportable (``--no-crypto``), then calls
   :func:`cyjwt._jwt_alias.install_as_jwt` so that every ``jwt`` /
   ``jwt.<sub>`` import is answered by cyjwt, and only then runs pytest.
   The alias never falls back to an installed PyJWT, and a ``jwt.<sub>``
   that cyjwt lacks raises ``ModuleNotFoundError``.  After the run the child
   checks that every ``jwt*`` entry of ``sys.modules`` is a cyjwt module
   (and, with ``--no-crypto``, that ``cryptography`` never got imported).
4. Prints ``passed/failed/errors/skipped`` and compares them with the
   expectation for the mode; exits 0 only when they agree exactly.

The expectations are what PyJWT 2.15.1 itself scores on its own suite:

* with cryptography: 471 passed, 4 skipped, 0 failed, 0 errors (475
  tests).  The 4 skipped tests are the ones marked ``no_crypto_required``.
* ``--no-crypto``: 286 passed, 189 skipped, 0 failed, 0 errors (475
  tests); the 189 skips are the ``crypto_required`` tests and the 4
  ``no_crypto_required`` tests must be among the passed ones.

In both modes the runner also asserts that exactly 4 tests carry the
``no_crypto_required`` mark (found by its skip reason, not by name) and that
they were skipped (with cryptography) or passed (without).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.abc
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PYJWT_VERSION = "2.15.1"
SDIST_FILENAME = f"pyjwt-{PYJWT_VERSION}.tar.gz"
# Computed once from the file pip downloaded from PyPI.
SDIST_SHA256 = "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO_ROOT / ".cache" / "pyjwt-sdist"

# The skip reason of PyJWT's ``no_crypto_required`` mark (tests/utils.py).
NO_CRYPTO_REASON = "Requires cryptography library not installed"
NO_CRYPTO_TEST_COUNT = 4

EXPECTED: dict[str, dict[str, int]] = {
    "crypto": {"passed": 471, "failed": 0, "errors": 0, "skipped": 4, "total": 475},
    "no-crypto": {"passed": 286, "failed": 0, "errors": 0, "skipped": 189, "total": 475},
}
EXPECTED_NO_CRYPTO_OUTCOME = {"crypto": "skipped", "no-crypto": "passed"}

PYTEST_INI = """\
[pytest]
addopts = -ra
filterwarnings =
    error
    ignore::jwt.warnings.InsecureKeyLengthWarning
testpaths = tests
"""

#: Exit status when the sdist cannot be obtained (1 = mismatch, 2 = crash).
EXIT_NO_SDIST = 3

COUNT_KEYS = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")


# --------------------------------------------------------------------------
# Parent side: fetch, unpack, launch, judge.
# --------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(cache_dir: Path) -> Path:
    """Return the path of the verified sdist, downloading it if needed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    sdist = cache_dir / SDIST_FILENAME
    if sdist.exists() and _sha256(sdist) != SDIST_SHA256:
        print(f"[conformance] cached {sdist} has the wrong SHA-256; fetching again")
        sdist.unlink()
    if not sdist.exists():
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"pyjwt=={PYJWT_VERSION}",
            "-d",
            str(cache_dir),
        ]
        print("[conformance] " + " ".join(cmd), flush=True)
        if subprocess.run(cmd, check=False).returncode != 0 or not sdist.exists():
            print(
                f"[conformance] could not download {SDIST_FILENAME} (offline?); "
                "deselect these tests with -m 'not conformance' or pre-fill the cache",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_NO_SDIST)
    actual = _sha256(sdist)
    if actual != SDIST_SHA256:
        raise SystemExit(
            f"[conformance] SHA-256 mismatch for {sdist}: got {actual}, expected {SDIST_SHA256}"
        )
    return sdist


def extract_tests(sdist: Path, dest: Path) -> Path:
    """Copy the sdist's ``tests/`` tree (and nothing else) under ``dest``."""
    prefix = f"pyjwt-{PYJWT_VERSION}/tests/"
    tests_dir = dest / "tests"
    written = 0
    with tarfile.open(sdist, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix):
                continue
            rel = member.name[len(prefix) :]
            parts = Path(rel).parts
            if not rel or Path(rel).is_absolute() or ".." in parts:
                continue
            target = tests_dir.joinpath(*parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                assert source is not None
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
                written += 1
            # links, devices and the like are not expected and are ignored
    if not (tests_dir / "__init__.py").exists() or written == 0:
        raise SystemExit(f"[conformance] no tests/ package found in {sdist}")
    return tests_dir


def _child_env(no_crypto: bool) -> dict[str, str]:
    env = dict(os.environ)
    # The child runs in a temporary directory: make PYTHONPATH absolute, and
    # add <repo>/src when cyjwt would not be importable otherwise.
    entries = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    import importlib.util

    if importlib.util.find_spec("cyjwt") is None and (REPO_ROOT / "src" / "cyjwt").is_dir():
        entries.insert(0, str(REPO_ROOT / "src"))
    if entries:
        env["PYTHONPATH"] = os.pathsep.join(entries)
    # Keep the outer pytest (if any) and installed plugins out of the run.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        env.pop(name, None)
    return env


def _judge(mode: str, results: dict[str, Any]) -> list[str]:
    """Return the list of ways in which ``results`` miss the expectation."""
    problems = []
    counts = results["counts"]
    for key, want in EXPECTED[mode].items():
        got = results["collected"] if key == "total" else counts.get(key, 0)
        if got != want:
            problems.append(f"{key}: expected {want}, got {got}")
    for key in ("xfailed", "xpassed"):
        if counts.get(key):
            problems.append(f"{key}: expected 0, got {counts[key]}")
    marked = results["no_crypto_tests"]
    if len(marked) != NO_CRYPTO_TEST_COUNT:
        problems.append(
            f"tests marked no_crypto_required: expected {NO_CRYPTO_TEST_COUNT}, got {len(marked)}"
        )
    want_outcome = EXPECTED_NO_CRYPTO_OUTCOME[mode]
    for nodeid, outcome in sorted(marked.items()):
        if outcome != want_outcome:
            problems.append(
                f"{nodeid} (no_crypto_required): expected {want_outcome}, got {outcome}"
            )
    problems.extend(results["integrity_problems"])
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-crypto",
        action="store_true",
        help="run with the cryptography package made unimportable",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where the sdist is kept (default: $CYJWT_CONFORMANCE_CACHE or "
        "<repo>/.cache/pyjwt-sdist)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print the counts but exit 0 whatever they are (for exploring with -k, -x...)",
    )
    parser.add_argument(
        "--child", action="store_true", help=argparse.SUPPRESS
    )  # internal: the process that runs pytest
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)

    if args.child:
        return _child_main(args.no_crypto, args.results, args.pytest_args)

    mode = "no-crypto" if args.no_crypto else "crypto"
    cache_dir = args.cache_dir or Path(os.environ.get("CYJWT_CONFORMANCE_CACHE") or DEFAULT_CACHE)
    sdist = fetch_sdist(cache_dir)

    with tempfile.TemporaryDirectory(prefix="cyjwt-conformance-") as tmp:
        workdir = Path(tmp)
        extract_tests(sdist, workdir)
        (workdir / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
        results_file = workdir / "results.json"
        cmd = [sys.executable, "-b", str(Path(__file__).resolve()), "--child"]
        if args.no_crypto:
            cmd.append("--no-crypto")
        cmd += ["--results", str(results_file), "--"]
        cmd += [
            "-c",
            str(workdir / "pytest.ini"),
            "--rootdir",
            str(workdir),
            "-p",
            "no:cacheprovider",
            str(workdir / "tests"),
        ]
        cmd += args.pytest_args
        sys.stdout.flush()
        proc = subprocess.run(cmd, cwd=workdir, env=_child_env(args.no_crypto), check=False)
        if not results_file.exists():
            print(f"[conformance] the pytest run died (exit code {proc.returncode})")
            return 2
        results = json.loads(results_file.read_text(encoding="utf-8"))

    counts = results["counts"]
    summary = " ".join(f"{key}={counts[key]}" for key in COUNT_KEYS)
    print()
    print(
        f"[conformance] PyJWT {PYJWT_VERSION} suite, mode={mode}, "
        f"cyjwt implementation={results['implementation']} ({results['cyjwt_file']})"
    )
    print(f"[conformance] {summary} total={results['collected']} pytest_exit={proc.returncode}")
    print(
        "[conformance] RESULTS-JSON "
        + json.dumps(
            {
                "mode": mode,
                "implementation": results["implementation"],
                "counts": counts,
                "total": results["collected"],
                "no_crypto_tests": results["no_crypto_tests"],
                "pytest_exit": proc.returncode,
            },
            sort_keys=True,
        )
    )
    for item in results["problem_reports"]:
        print(f"[conformance] {item['outcome'].upper()} {item['nodeid']} ({item['when']})")
        print("    " + item["summary"])

    problems = _judge(mode, results)
    expected = " ".join(f"{k}={v}" for k, v in EXPECTED[mode].items())
    if problems:
        print(f"[conformance] MISMATCH (expected {expected}):")
        for line in problems:
            print("    - " + line)
        return 0 if args.report_only else 1
    print(f"[conformance] OK: matches PyJWT {PYJWT_VERSION} on its own suite ({expected})")
    return 0


# --------------------------------------------------------------------------
# Child side: runs inside ``python -b``, before anything imports jwt.
# --------------------------------------------------------------------------


class _CryptographyBlocker(importlib.abc.MetaPathFinder):
    """Makes ``cryptography`` and its submodules unimportable."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == "cryptography" or fullname.startswith("cryptography."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (blocked by the cyjwt conformance runner)",
                name=fullname,
            )


class _Tally:
    """pytest plugin counting outcomes the way pytest's summary does."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.collected = 0
        self.no_crypto_tests: dict[str, str] = {}
        self.outcomes: dict[str, str] = {}
        self.problem_reports: list[dict[str, str]] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = len(session.items)
        for item in session.items:
            for mark in item.iter_markers("skipif"):
                if mark.kwargs.get("reason") == NO_CRYPTO_REASON:
                    self.no_crypto_tests[item.nodeid] = "not run"

    def _problem(self, report: Any, outcome: str) -> None:
        text = getattr(report, "longreprtext", "") or str(report.longrepr)
        lines = [line for line in text.strip().splitlines() if line.strip()]
        # The last line of a pytest traceback is "file:line: ExcType"; the
        # "E   ..." lines carry the message.
        errors = [line.strip() for line in lines if line.startswith("E ")]
        summary = " | ".join(errors[:3]) if errors else (lines[-1] if lines else "")
        self.problem_reports.append(
            {"nodeid": report.nodeid, "when": report.when, "outcome": outcome, "summary": summary}
        )

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.counts["errors"] += 1
            self._problem(report, "error")

    def pytest_runtest_logreport(self, report: Any) -> None:
        outcome = None
        if report.when == "call":
            if hasattr(report, "wasxfail"):
                outcome = "xpassed" if report.passed else "xfailed"
            elif report.passed:
                outcome = "passed"
            elif report.failed:
                outcome = "failed"
            else:
                outcome = "skipped"
        elif report.failed:
            outcome = "errors"
        elif report.skipped:
            outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        if outcome is None:
            return
        self.counts[outcome] += 1
        if outcome in ("failed", "errors"):
            self._problem(report, "error" if outcome == "errors" else "failed")
        previous = self.outcomes.get(report.nodeid)
        if previous in (None, "passed"):
            self.outcomes[report.nodeid] = outcome
        if report.nodeid in self.no_crypto_tests:
            self.no_crypto_tests[report.nodeid] = self.outcomes[report.nodeid]


def _integrity_problems(no_crypto: bool) -> list[str]:
    problems = []
    cyjwt = sys.modules.get("cyjwt")
    if sys.modules.get("jwt") is not cyjwt:
        problems.append("after the run, sys.modules['jwt'] is not cyjwt")
    for name, module in sorted(sys.modules.items()):
        if name == "jwt" or name.startswith("jwt."):
            own = sys.modules.get("cyjwt" + name[3:])
            if module is None or module is not own:
                problems.append(f"{name} was not answered by cyjwt: {module!r}")
    if no_crypto:
        leaked = sorted(n for n in sys.modules if n.split(".")[0] == "cryptography")
        if leaked:
            problems.append(f"cryptography got imported despite --no-crypto: {leaked[:5]}")
    return problems


def _child_main(no_crypto: bool, results_path: Path | None, pytest_args: list[str]) -> int:
    if no_crypto:
        if any(n.split(".")[0] == "cryptography" for n in sys.modules):
            raise SystemExit("[conformance] cryptography was imported before it could be blocked")
        sys.meta_path.insert(0, _CryptographyBlocker())
    if "jwt" in sys.modules:
        raise SystemExit(f"[conformance] 'jwt' was imported too early: {sys.modules['jwt']!r}")

    import cyjwt
    from cyjwt._jwt_alias import install_as_jwt

    install_as_jwt()
    import jwt

    if jwt is not cyjwt:
        raise SystemExit("[conformance] the jwt alias did not resolve to cyjwt")

    implementation = cyjwt.IMPLEMENTATION
    print(
        f"[conformance] jwt -> cyjwt {cyjwt.__version__} from {cyjwt.__file__}, "
        f"implementation={implementation}, cryptography "
        f"{'blocked' if no_crypto else 'available'}",
        flush=True,
    )

    import pytest

    tally = _Tally()
    exit_code = int(pytest.main(pytest_args, plugins=[tally]))
    results = {
        "counts": tally.counts,
        "collected": tally.collected,
        "no_crypto_tests": tally.no_crypto_tests,
        "problem_reports": tally.problem_reports,
        "implementation": implementation,
        "cyjwt_file": cyjwt.__file__,
        "integrity_problems": _integrity_problems(no_crypto),
    }
    if results_path is not None:
        results_path.write_text(json.dumps(results), encoding="utf-8")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
