#!/usr/bin/env python3
"""Coverage-guided fuzzing of cyjwt's compiled core, with atheris (libFuzzer).

Every target compares cyjwt with a reference on the same input and fails on
the first difference (result, or exception class and message):

  b64url      b64url_decode_segment (both cores) against PyJWT's segment
              decoder and an independent reference on base64.urlsafe_b64decode
  split       split_token (both cores) against rsplit/split as PyJWT splits
  json_loads  json_loads (both cores) against json.loads
  json_dumps  json_dumps (both cores), on objects built from the fuzz data,
              against json.dumps(obj, separators=(",", ":")).encode()
  decode      cyjwt.decode / decode_complete against PyJWT 2.15.1: raw bytes,
              re-signed segments (a valid HMAC, so the claim checks run) and
              generated claims with generated options
  header      cyjwt.get_unverified_header against PyJWT 2.15.1

Coverage feedback comes from the extension itself: it is built with clang
and ``-fsanitize=fuzzer-no-link`` into its own venv (``.venv-fuzz``, or
``--venv``), and atheris' ``asan_with_fuzzer.so`` is preloaded so that the
extension's counters reach libFuzzer.  ``--sanitize`` adds AddressSanitizer
and UBSan to that build (scripts/sanitize.sh uses it).

Usage (any Python 3.9+ with the standard library runs this driver; the
targets run in the venv, one process each, one after another, under nice):

  python3 scripts/fuzz.py --ci                  # every target a few seconds (CI)
  python3 scripts/fuzz.py --runs 1000000        # every target, 10^6 executions
  python3 scripts/fuzz.py --time 600 --target decode
  python3 scripts/fuzz.py --build-only --venv .venv-asan --sanitize

Seeds come from tests/fuzz_corpus/<target>/; what libFuzzer adds is kept in
.cache/fuzz/<target>/corpus (a temporary directory with --ci).  A failing
input is written to .cache/fuzz/<target>/ as crash-*; reproduce it with
``--target NAME --reproduce FILE``.  See docs/safety.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fuzz_corpus"
WORK = ROOT / ".cache" / "fuzz"
TARGET_NAMES = ("b64url", "split", "json_loads", "json_dumps", "decode", "header", "rsa_signature")
# Bump when the build recipe below changes, to force a rebuild.
BUILD_RECIPE = "1"
CI_SECONDS = 6


# -------------------------------------------------------------------------
# The driver: build the instrumented venv, run each target in a subprocess.


def log(msg: str) -> None:
    print(f"[fuzz] {msg}", flush=True)


def build_flags(sanitize: bool) -> dict[str, str]:
    """Compiler settings for the instrumented build, passed through the
    environment so that setup.py builds whatever sources it lists."""
    sanitizers = "fuzzer-no-link,address,undefined" if sanitize else "fuzzer-no-link"
    cflags = f"-fsanitize={sanitizers} -g -fno-omit-frame-pointer"
    if sanitize:
        cflags += " -fno-sanitize-recover=undefined"
    return {
        "CC": os.environ.get("FUZZ_CC", "clang"),
        "CFLAGS": cflags,
        "LDFLAGS": f"-fsanitize={sanitizers}",
        "CYJWT_REQUIRE_EXTENSIONS": "1",
    }


def _inputs_digest(flags: dict[str, str]) -> str:
    digest = hashlib.sha256(BUILD_RECIPE.encode())
    digest.update(json.dumps(flags, sort_keys=True).encode())
    files = [ROOT / "setup.py", ROOT / "pyproject.toml"]
    files += sorted(
        p
        for p in (ROOT / "src").rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".pyx", ".pxi", ".pxd", ".pyi", ".h", ".c")
        and not p.name.endswith("_core_c.c")
    )
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _run(cmd: list[str], env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> None:
    result = subprocess.run(cmd, env=env, cwd=cwd)
    if result.returncode:
        raise SystemExit(f"[fuzz] failed ({result.returncode}): {' '.join(cmd)}")


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path, sanitize: bool, python: str) -> Path:
    """Create *venv* and install cyjwt into it, instrumented; reuse it while
    the sources and flags are unchanged."""
    flags = build_flags(sanitize)
    stamp = venv / ".cyjwt-instrumented"
    digest = _inputs_digest(flags)
    py = venv_python(venv)
    if py.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return py
    if shutil.which(flags["CC"]) is None:
        raise SystemExit(
            f"[fuzz] {flags['CC']} not found: install clang (apt-get install clang), "
            "or set FUZZ_CC to a clang binary"
        )
    if not py.exists():
        log(f"creating {venv}")
        _run([python, "-m", "venv", str(venv)])
    # No stamp: never completed, so install the dependencies too.
    fresh = not stamp.exists()
    pip = [str(py), "-m", "pip", "--disable-pip-version-check", "-q"]
    # A copy of the files git would ship: no in-place .so from the main
    # venv's editable install, no stale build/ with other flags.
    sys.path.insert(0, str(ROOT / "scripts"))
    from check_wheel import copy_source

    with tempfile.TemporaryDirectory(prefix="cyjwt-fuzz-build-") as tmp:
        source = copy_source(Path(tmp) / "src", ROOT)
        env = {**os.environ, **flags}
        log(f"building cyjwt into {venv} with {flags['CC']} {flags['CFLAGS']}")
        t0 = time.monotonic()
        if fresh:  # cyjwt with its test dependency group, and atheris
            _run(pip + ["install", "-U", "pip>=25.1"], env=env)
            group = f"{source / 'pyproject.toml'}:test"
            _run(pip + ["install", "atheris", str(source), "--group", group], env=env)
        else:  # only cyjwt again
            _run(pip + ["install", "--force-reinstall", "--no-deps", str(source)], env=env)
        log(f"built in {time.monotonic() - t0:.0f} s")
    check = (
        "import cyjwt._core_c as c; data = open(c.__file__, 'rb').read(); "
        "assert b'__sanitizer_cov_8bit_counters_init' in data, 'not instrumented: ' + c.__file__; "
        + ("assert b'__asan_report' in data, 'no ASan: ' + c.__file__; " if sanitize else "")
        + "print('[fuzz] instrumented core:', c.__file__)"
    )
    _run([str(py), "-c", check], env=run_env(py, sanitize))
    stamp.write_text(digest + "\n")
    return py


def run_env(py: Path, sanitize: bool) -> dict[str, str]:
    """The environment a process of the instrumented venv needs: atheris'
    ASan+UBSan+libFuzzer runtime preloaded (it resolves the coverage and
    sanitizer symbols of the extension), CPython's own leaks ignored."""
    out = subprocess.run(
        [str(py), "-c", "import atheris; print(atheris.path())"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout.strip()
    preload = Path(out) / "asan_with_fuzzer.so"
    if not preload.exists():
        raise SystemExit(f"[fuzz] {preload} is missing from the atheris install")
    env = dict(os.environ)
    env["LD_PRELOAD"] = str(preload)
    asan = ["detect_leaks=0", "halt_on_error=1", "abort_on_error=1"]
    if sanitize:
        # pymalloc would hide small-object overflows from ASan.
        env["PYTHONMALLOC"] = "malloc"
        asan += ["detect_stack_use_after_return=0", "strict_string_checks=1"]
    else:
        # Nothing is instrumented for ASan: keep its allocator cheap.
        asan += ["quarantine_size_mb=8"]
    env["ASAN_OPTIONS"] = ":".join(asan)
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("CYJWT_NO_EXTENSIONS", None)
    return env


_STAT = re.compile(r"#(\d+)\s+(INITED|DONE|pulse|NEW|REDUCE)\s+cov: (\d+) ft: (\d+) corp: (\d+)/")


def summarise(log_text: str) -> dict[str, Any]:
    """Executions, coverage and corpus size from libFuzzer's output."""
    out: dict[str, Any] = {}
    for m in _STAT.finditer(log_text):
        execs, kind, cov, ft, corp = m.groups()
        if kind == "INITED":
            out["inited"] = {"cov": int(cov), "ft": int(ft), "corpus": int(corp)}
        out["last"] = {"execs": int(execs), "cov": int(cov), "ft": int(ft), "corpus": int(corp)}
    done = re.search(r"Done (\d+) runs in (\d+) second", log_text)
    if done:
        out["execs"] = int(done.group(1))
        out["seconds"] = int(done.group(2))
    loaded = re.search(r"Loaded \d+ modules\s+\((\d+) inline 8-bit counters\)", log_text)
    out["native_counters"] = int(loaded.group(1)) if loaded else 0
    return out


def run_target(
    py: Path,
    sanitize: bool,
    target: str,
    work: Path,
    libfuzzer: list[str],
    reproduce: Optional[str],
) -> dict[str, Any]:
    tdir = work / target
    corpus = tdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = SEEDS / target
    cmd = [str(py), str(Path(__file__).resolve()), "--worker", target, "--"]
    cmd += [f"-artifact_prefix={tdir}/", "-timeout=30", "-rss_limit_mb=4096"]
    cmd += [f"-max_len={8192 if target in ('decode', 'header') else 4096}"]
    if reproduce:
        cmd += libfuzzer + [reproduce]
    else:
        cmd += libfuzzer + [str(corpus), str(seeds)]
    logfile = tdir / "log.txt"
    log(f"{target}: {' '.join(libfuzzer) or 'reproduce'} (log: {logfile})")
    t0 = time.monotonic()
    with open(logfile, "wb") as out:
        rc = subprocess.run(
            cmd,
            env=run_env(py, sanitize),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.nice(10),
        ).returncode
    text = logfile.read_text(errors="replace")
    stats = summarise(text)
    stats.update(target=target, rc=rc, wall=round(time.monotonic() - t0, 1))
    stats["seeds"] = len(list(seeds.iterdir())) if seeds.is_dir() else 0
    if rc:
        print(text[-6000:], file=sys.stderr)
    return stats


def report(results: list[dict[str, Any]]) -> None:
    print(
        f"{'target':<11} {'execs':>10} {'s':>5} {'cov':>6} {'ft':>7} {'corpus':>14} {'native ctrs':>11}  result"
    )
    for r in results:
        first = r.get("inited", {})
        last = r.get("last", {})
        corpus = f"{first.get('corpus', '?')} -> {last.get('corpus', '?')}"
        cov = f"{last.get('cov', '?')}"
        result = "ok" if r["rc"] == 0 else f"FAILED (exit {r['rc']})"
        print(
            f"{r['target']:<11} {r.get('execs', last.get('execs', '?')):>10} {r.get('seconds', '?'):>5} "
            f"{cov:>6} {last.get('ft', '?'):>7} {corpus:>14} {r['native_counters']:>11}  {result}"
        )


def driver(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ci", action="store_true", help=f"each target {CI_SECONDS} s, fresh corpus")
    mode.add_argument("--runs", type=int, help="executions per target")
    mode.add_argument("--build-only", action="store_true", help="only build the venv")
    mode.add_argument("--reproduce", metavar="FILE", help="run one input (with --target)")
    mode.add_argument(
        "--exec",
        action="store_true",
        help="run the command after -- in the instrumented venv, runtime preloaded",
    )
    parser.add_argument(
        "--time", type=int, help=f"seconds per target (default 60; {CI_SECONDS} with --ci)"
    )
    parser.add_argument(
        "--target", action="append", choices=TARGET_NAMES, help="repeatable; default all"
    )
    parser.add_argument(
        "--venv", type=Path, default=None, help="default .venv-fuzz (.venv-asan with --sanitize)"
    )
    parser.add_argument("--sanitize", action="store_true", help="build with ASan and UBSan too")
    parser.add_argument("--python", default=sys.executable, help="interpreter for a new venv")
    parser.add_argument("--summary", type=Path, help="write the numbers as JSON here")
    parser.add_argument(
        "extra", nargs="*", help="after --: more libFuzzer flags, or the --exec command"
    )
    args = parser.parse_args(argv)
    venv = args.venv or ROOT / (".venv-asan" if args.sanitize else ".venv-fuzz")
    py = ensure_venv(venv.resolve(), args.sanitize, args.python)
    if args.build_only:
        return 0
    if args.exec:
        env = run_env(py, args.sanitize)
        env["PATH"] = f"{py.parent}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(py.parent.parent)
        return subprocess.run(args.extra, env=env).returncode
    targets = args.target or list(TARGET_NAMES)
    if args.reproduce and len(targets) != 1:
        parser.error("--reproduce needs exactly one --target")
    if args.reproduce:
        libfuzzer = list(args.extra)
        work = WORK
    elif args.ci:
        libfuzzer = [f"-max_total_time={args.time or CI_SECONDS}"]
        work = Path(tempfile.mkdtemp(prefix="cyjwt-fuzz-"))
    elif args.runs:
        if args.time:
            parser.error("--runs and --time exclude each other")
        libfuzzer = [f"-runs={args.runs}"]
        work = WORK
    else:
        libfuzzer = [f"-max_total_time={args.time or 60}"]
        work = WORK
    if not args.reproduce:
        libfuzzer += ["-print_final_stats=1", *args.extra]
    results = [run_target(py, args.sanitize, t, work, libfuzzer, args.reproduce) for t in targets]
    report(results)
    if args.summary:
        args.summary.write_text(json.dumps(results, indent=2) + "\n")
    failed = [r["target"] for r in results if r["rc"]]
    uncovered = [
        r["target"]
        for r in results
        if not r["rc"] and not args.reproduce and not r["native_counters"]
    ]
    if uncovered:
        log(f"no coverage counters were loaded for {uncovered}: the build is not instrumented")
    if failed:
        log(f"FAILED: {failed}; the inputs are in {work}/<target>/crash-*")
    return 1 if failed or uncovered else 0


# -------------------------------------------------------------------------
# The worker: one target, in the instrumented venv, under libFuzzer.
#
# An outcome is what a caller can observe: ("ok", value) with the value
# made comparable (types kept, dict order kept, floats by repr so that NaN
# equals NaN), or ("error", class names along the MRO, message, chained
# cause, context); warnings are added where the public API is compared.

# Recursion depth (issue 9, item 6): documents nested past the compact
# reader's depth are read on the general path, whose frames are PyJWT's, so
# a difference where one side hit the recursion limit is a failure like any
# other.  CYJWT_FUZZ_STRICT_RECURSION=0 only logs such differences (for
# comparing against an older core).
STRICT_RECURSION = os.environ.get("CYJWT_FUZZ_STRICT_RECURSION", "1") not in ("", "0")
_SKIPPED = [0]


# True in a libFuzzer worker; False when the targets run elsewhere (the test
# suite replays the seed corpus and runs them under hypothesis, see
# tests/test_fuzz_targets.py), where atheris may be missing.
UNDER_LIBFUZZER = False


def _atheris() -> Any:
    """atheris has no type information; it is imported in the venv only."""
    return importlib.import_module("atheris")


class BytesProvider:
    """The part of atheris.FuzzedDataProvider the targets use, in plain
    Python, for running them without atheris (the same names, so the same
    code builds the inputs; the byte layout is not atheris')."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def remaining_bytes(self) -> int:
        return len(self._data) - self._pos

    def ConsumeBytes(self, count: int) -> bytes:
        count = max(0, min(count, self.remaining_bytes()))
        out = self._data[self._pos : self._pos + count]
        self._pos += count
        return out

    def ConsumeIntInRange(self, low: int, high: int) -> int:
        span = high - low
        if span <= 0:
            return low
        raw = self.ConsumeBytes((span.bit_length() + 7) // 8)
        return low + int.from_bytes(raw, "little") % (span + 1)

    def ConsumeInt(self, size: int) -> int:
        return int.from_bytes(self.ConsumeBytes(size), "little", signed=True)

    def ConsumeBool(self) -> bool:
        return self.ConsumeIntInRange(0, 1) == 1

    def ConsumeProbability(self) -> float:
        return self.ConsumeIntInRange(0, 2**32 - 1) / (2**32 - 1)

    def ConsumeRegularFloat(self) -> float:
        import math
        import struct

        value: float = struct.unpack("<d", self.ConsumeBytes(8).ljust(8, b"\0"))[0]
        return value if math.isfinite(value) else 0.0

    def ConsumeUnicode(self, count: int) -> str:
        top = (0x7F, 0xFFFF, 0x10FFFF)[self.ConsumeIntInRange(0, 2)]
        return "".join(chr(self.ConsumeIntInRange(0, top)) for _ in range(count))

    ConsumeString = ConsumeUnicode

    def ConsumeUnicodeNoSurrogates(self, count: int) -> str:
        return "".join(
            c if not 0xD800 <= ord(c) <= 0xDFFF else "?" for c in self.ConsumeUnicode(count)
        )

    def PickValueInList(self, values: list[Any]) -> Any:
        return values[self.ConsumeIntInRange(0, len(values) - 1)]


def provider(data: bytes) -> Any:
    """atheris' data provider under libFuzzer, BytesProvider elsewhere."""
    return _atheris().FuzzedDataProvider(data) if UNDER_LIBFUZZER else BytesProvider(data)


def _instrumented_imports() -> Any:
    """Python coverage of cyjwt and PyJWT for libFuzzer, when under it."""
    import contextlib

    if UNDER_LIBFUZZER:
        return _atheris().instrument_imports(include=["cyjwt", "jwt"])
    return contextlib.nullcontext()


class Mismatch(AssertionError):
    """cyjwt and the reference disagree on one input."""


def comparable(value: Any) -> Any:
    t = type(value)
    if t is dict:
        return ("dict", [(comparable(k), comparable(v)) for k, v in value.items()])
    if t is list or t is tuple:
        return (t.__name__, [comparable(v) for v in value])
    if t is float:
        return ("float", repr(value))
    return (t.__name__, value)


def described(err: BaseException, full: bool) -> tuple[Any, ...]:
    if not full:
        return ("error", type(err).__name__, str(err))
    cause, context = err.__cause__, err.__context__
    return (
        "error",
        [cls.__name__ for cls in type(err).__mro__],
        str(err),
        None if cause is None else (type(cause).__name__, str(cause)),
        err.__suppress_context__,
        None if context is None else (type(context).__name__, str(context)),
    )


def outcome(
    func: Callable[..., Any], *args: Any, full: bool = False, **kwargs: Any
) -> tuple[Any, ...]:
    try:
        return ("ok", comparable(func(*args, **kwargs)))
    except Exception as err:  # every exception is an answer to compare
        return described(err, full)


def observed(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """outcome() with the chained exceptions and the warnings raised."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = outcome(func, *args, full=True, **kwargs)
    return result + (tuple((w.category.__name__, str(w.message)) for w in caught),)


def _recursion(result: tuple[Any, ...]) -> bool:
    return result[0] == "error" and "recursion" in repr(result).lower()


def same(what: str, data: Any, **outcomes: tuple[Any, ...]) -> None:
    """Raise Mismatch unless every outcome is the same."""
    values = list(outcomes.values())
    if all(v == values[0] for v in values[1:]):
        return
    if not STRICT_RECURSION and any(_recursion(v) for v in values):
        _SKIPPED[0] += 1
        if _SKIPPED[0] & (_SKIPPED[0] - 1) == 0:  # 1, 2, 4, 8, ...: say so in the log
            print(f"[fuzz] recursion-limit difference not reported (#{_SKIPPED[0]})", flush=True)
        return
    lines = [f"{what}: outcomes differ on {data!r}"]
    lines += [f"  {name}: {value!r}" for name, value in outcomes.items()]
    raise Mismatch("\n".join(lines))


def b64url_target() -> Callable[[bytes], None]:
    from jwt.api_jws import PyJWS

    from cyjwt import _core_c, _core_py
    from cyjwt.exceptions import DecodeError

    # The test suite's restatement of the rules, on base64.urlsafe_b64decode.
    sys.path.insert(0, str(ROOT / "tests"))
    test_core = importlib.import_module("test_core")
    reference_segment_decode: Callable[[bytes], Optional[bytes]] = (
        test_core.reference_segment_decode
    )

    def reference(segment: bytes, name: str) -> bytes:
        decoded = reference_segment_decode(segment)
        if decoded is None:
            raise DecodeError(f"Invalid {name} padding")
        return decoded

    def one(data: bytes) -> None:
        name = ("header", "payload", "crypto")[len(data) % 3]
        same(
            "b64url_decode_segment",
            data,
            compiled=outcome(_core_c.b64url_decode_segment, data, name),
            pure=outcome(_core_py.b64url_decode_segment, data, name),
            pyjwt=outcome(PyJWS._decode_base64url_segment, data, name),
            reference=outcome(reference, data, name),
        )

    return one


def split_target() -> Callable[[bytes], None]:
    from cyjwt import _core_c, _core_py
    from cyjwt.exceptions import DecodeError

    def reference(token: bytes) -> tuple[bytes, bytes, bytes, bytes]:
        try:  # as PyJWS._load splits
            signing_input, crypto = token.rsplit(b".", 1)
            header, payload = signing_input.split(b".", 1)
        except ValueError as err:
            raise DecodeError("Not enough segments") from err
        return signing_input, header, payload, crypto

    def one(data: bytes) -> None:
        same(
            "split_token",
            data,
            compiled=outcome(_core_c.split_token, data, full=True),
            pure=outcome(_core_py.split_token, data, full=True),
            reference=outcome(reference, data, full=True),
        )

    return one


def json_loads_target() -> Callable[[bytes], None]:
    from cyjwt import _core_c, _core_py

    def one(data: bytes) -> None:
        same(
            "json_loads",
            data,
            compiled=outcome(_core_c.json_loads, data),
            pure=outcome(_core_py.json_loads, data),
            reference=outcome(json.loads, data),
        )

    return one


class _Int(int):
    pass


class _Float(float):
    pass


class _Str(str):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _List(list):  # type: ignore[type-arg]
    pass


_FLOATS = [0.0, -0.0, 1.5, 1e16, 1e-7, 1e308, 5e-324, float("inf"), float("-inf"), float("nan")]


def build_object(fdp: Any, depth: int = 0) -> Any:
    """A JSON-ish object from the fuzz data: what tokens carry, and the edges
    (subclasses, non-str keys, huge ints, NaN, surrogates, cycles, junk)."""
    kind = fdp.ConsumeIntInRange(0, 19 if depth < 8 else 9)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeIntInRange(-(2**63), 2**63)
    if kind == 3:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(0, 2000))
    if kind == 4:
        return fdp.ConsumeRegularFloat() if fdp.ConsumeBool() else fdp.PickValueInList(_FLOATS)
    if kind == 5:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))
    if kind == 6:
        return fdp.ConsumeString(fdp.ConsumeIntInRange(0, 40))
    if kind == 7:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))
    if kind == 8:
        return fdp.PickValueInList(
            ["", "exp", "é", "\u2028", "\ud800", "\x00", "\x7f", "\U0001f600"]
        )
    if kind == 9:
        value = fdp.PickValueInList([_Int(3), _Float(1.5), _Str("s"), b"x", {1, 2}, object, 1j])
        return value
    if kind in (10, 11):
        return [build_object(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 6))]
    if kind == 12:
        return tuple(build_object(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4)))
    if kind in (13, 14, 15):
        return {
            fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 12)): build_object(fdp, depth + 1)
            for _ in range(fdp.ConsumeIntInRange(0, 6))
        }
    if kind == 16:
        keys = [
            1,
            -(2**70),
            1.5,
            float("nan"),
            True,
            False,
            None,
            "k",
            (1,),
            b"k",
            _Str("sk"),
            _Int(7),
        ]
        return {
            fdp.PickValueInList(keys): build_object(fdp, depth + 1)
            for _ in range(fdp.ConsumeIntInRange(0, 4))
        }
    if kind == 17:
        return _Dict(a=build_object(fdp, depth + 1))
    if kind == 18:
        return _List([build_object(fdp, depth + 1)])
    cyclic: list[Any] = [build_object(fdp, depth + 1)]
    if fdp.ConsumeBool():
        cyclic.append(cyclic)
    return {"c": cyclic}


def json_dumps_target() -> Callable[[bytes], None]:
    from cyjwt import _core_c, _core_py

    def reference(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    def one(data: bytes) -> None:
        obj = build_object(provider(data))
        same(
            "json_dumps",
            data,
            compiled=outcome(_core_c.json_dumps, obj),
            pure=outcome(_core_py.json_dumps, obj),
            reference=outcome(reference, obj),
        )

    return one


# The token generator shared by the decode and header targets.

KEY = b"cyjwt fuzzing key, long enough for HS512: 0123456789abcdef0123456789abcdef"
HMACS = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}
# Offsets from now and leeways keep every time check at least 30 s from its
# boundary, so the two libraries cannot disagree because the clock moved.
OFFSETS = [-(10**9), -3600, -60, 60, 3600, 10**9]


def b64(data: bytes) -> bytes:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=")


def signed(header: bytes, payload: bytes, alg: str, key: bytes = KEY) -> bytes:
    import hashlib
    import hmac

    signing_input = b64(header) + b"." + b64(payload)
    digest = hmac.new(key, signing_input, getattr(hashlib, HMACS[alg])).digest()
    return signing_input + b"." + b64(digest)


def _time_value(fdp: Any, now: int) -> Any:
    at = now + fdp.PickValueInList(OFFSETS)
    return fdp.PickValueInList(
        [
            at,
            at,
            float(at) + 0.5,
            str(at),
            True,
            None,
            "soon",
            [at],
            10**30,
            -(10**30),
            float("inf"),
            float("nan"),
            {"n": at},
        ]
    )


def _claims(fdp: Any, now: int) -> dict[str, Any]:
    makers: dict[str, Callable[[], Any]] = {
        "exp": lambda: _time_value(fdp, now),
        "nbf": lambda: _time_value(fdp, now),
        "iat": lambda: _time_value(fdp, now),
        "iss": lambda: fdp.PickValueInList(
            ["https://issuer", "https://issuer/x", "", 5, None, ["https://issuer"]]
        ),
        "aud": lambda: fdp.PickValueInList(
            ["api", "web", "", None, 5, [], ["api"], ["web", "api"], ["api", 5], {"a": 1}]
        ),
        "sub": lambda: fdp.PickValueInList(["42", 42, None, ""]),
        "jti": lambda: fdp.PickValueInList(["id", 7, None]),
        "x": lambda: fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 20)),
    }
    names = list(makers)
    claims: dict[str, Any] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 9)):
        name = fdp.PickValueInList(names)
        claims[name] = makers[name]()
    return claims


def _header(fdp: Any) -> dict[str, Any]:
    header: dict[str, Any] = {}
    fields: dict[str, list[Any]] = {
        "alg": ["HS256", "HS384", "HS512", "HS256", "none", "RS256", "hs256", "", 5, None],
        "typ": ["JWT", "at+jwt", "", 5],
        "kid": ["k1", "", 7, None],
        "b64": [False, True, "false"],
        "crit": [["b64"], ["x"], "b64", []],
        "x5u": ["https://example.invalid/"],
    }
    for _ in range(fdp.ConsumeIntInRange(0, 4)):
        name = fdp.PickValueInList(list(fields))
        header[name] = fdp.PickValueInList(fields[name])
    return header


def make_token(fdp: Any) -> Any:
    """A token from the fuzz data: raw bytes, re-signed segments, or a
    generated header and claims set, mostly with a valid signature."""
    import time as _time

    mode = fdp.ConsumeIntInRange(0, 3)
    if mode == 0:
        raw = fdp.ConsumeBytes(fdp.remaining_bytes())
        return raw.decode("latin-1") if raw[:1] == b"s" else raw
    if mode == 1:
        header = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 300))
        payload = fdp.ConsumeBytes(fdp.remaining_bytes())
        alg: str = "HS256"
        try:
            parsed = json.loads(header)
            if isinstance(parsed, dict) and parsed.get("alg") in HMACS:
                alg = parsed["alg"]
        except (ValueError, RecursionError):
            pass
        return signed(header, payload, alg)
    now = int(_time.time())
    header_obj = _header(fdp)
    compact = fdp.ConsumeBool()
    header_json = json.dumps(header_obj, separators=(",", ":") if compact else None).encode()
    payload_json = json.dumps(
        _claims(fdp, now), separators=(",", ":") if compact else None
    ).encode()
    header_alg = header_obj.get("alg")
    sign_alg = header_alg if isinstance(header_alg, str) and header_alg in HMACS else "HS256"
    key = KEY if fdp.ConsumeProbability() < 0.9 else b"another key" * 7
    token = signed(header_json, payload_json, sign_alg, key)
    if mode == 3:  # damage it somewhere
        at = fdp.ConsumeIntInRange(0, len(token) - 1)
        token = token[:at] + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 3)) + token[at + 1 :]
    return token.decode("latin-1") if fdp.ConsumeBool() else token


def decode_arguments(fdp: Any) -> dict[str, Any]:
    from datetime import timedelta

    options: Optional[dict[str, Any]] = None
    if fdp.ConsumeBool():
        options = {}
        for name in (
            "verify_signature",
            "verify_exp",
            "verify_nbf",
            "verify_iat",
            "verify_aud",
            "verify_iss",
            "verify_sub",
            "verify_jti",
            "strict_aud",
        ):
            if fdp.ConsumeProbability() < 0.25:
                options[name] = fdp.ConsumeProbability() < 0.7
        if fdp.ConsumeBool():
            options["require"] = fdp.PickValueInList(
                [[], ["exp"], ["exp", "iat", "nbf"], ["aud", "iss", "sub", "jti"]]
            )
    return {
        "key": fdp.PickValueInList([KEY, KEY, KEY.decode(), b"another key" * 7]),
        "algorithms": fdp.PickValueInList(
            [
                ["HS256"],
                ["HS256", "HS384", "HS512"],
                ["HS512"],
                ["HS256", "none"],
                ["RS256", "HS256"],
                [],
                None,
            ]
        ),
        "options": options,
        "audience": fdp.PickValueInList([None, None, "api", ["api", "web"], ("web",), "", []]),
        "issuer": fdp.PickValueInList(
            [None, None, "https://issuer", ["https://issuer", "x"], ("x",), ""]
        ),
        "subject": fdp.PickValueInList([None, None, "42", "x"]),
        "leeway": fdp.PickValueInList([0, 0, 30, 29.5, timedelta(seconds=30), -30]),
    }


def decode_target() -> Callable[[bytes], None]:
    with _instrumented_imports():
        import jwt as pyjwt

        import cyjwt

    def one(data: bytes) -> None:
        fdp = provider(data)
        complete = fdp.ConsumeBool()
        kwargs = decode_arguments(fdp)
        token = make_token(fdp)
        name = "decode_complete" if complete else "decode"
        same(
            f"{name}(token, **{kwargs!r})",
            token,
            cyjwt=observed(getattr(cyjwt, name), token, **kwargs),
            pyjwt=observed(getattr(pyjwt, name), token, **kwargs),
        )

    return one


def header_target() -> Callable[[bytes], None]:
    with _instrumented_imports():
        import jwt as pyjwt

        import cyjwt

    def one(data: bytes) -> None:
        token = make_token(provider(data))
        same(
            "get_unverified_header",
            token,
            cyjwt=observed(cyjwt.get_unverified_header, token),
            pyjwt=observed(pyjwt.get_unverified_header, token),
        )

    return one


RSA_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]


def rsa_signature_target() -> Callable[[bytes], None]:
    """RS*/PS* tokens whose signature comes from the input (raw bytes, or a
    valid one damaged, cut, lengthened or moved to another algorithm), for
    the compiled core's libcrypto verify (_rsa_verify) against PyJWT's."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    with _instrumented_imports():
        import jwt as pyjwt

        import cyjwt

    private = rsa.generate_private_key(65537, 2048)
    public = private.public_key()
    payload = b64(b'{"sub":"fuzz","n":1}')
    # A valid signature per (header alg, signing alg): made once, by PyJWT.
    valid: dict[tuple[str, str], bytes] = {}

    def signature(header_alg: str, sign_alg: str) -> bytes:
        found = valid.get((header_alg, sign_alg))
        if found is None:
            algorithm = pyjwt.get_algorithm_by_name(sign_alg)
            message = b64(b'{"alg":"' + header_alg.encode() + b'"}') + b"." + payload
            found = valid[(header_alg, sign_alg)] = algorithm.sign(message, private)
        return found

    def one(data: bytes) -> None:
        fdp = provider(data)
        alg = fdp.PickValueInList(RSA_ALGS)
        mode = fdp.ConsumeIntInRange(0, 3)
        if mode == 0:
            sig = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 600))
        else:
            sig = signature(alg, alg if mode != 3 else fdp.PickValueInList(RSA_ALGS))
            if mode == 1:
                at = fdp.ConsumeIntInRange(0, len(sig) - 1)
                sig = sig[:at] + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 3)) + sig[at + 1 :]
            elif mode == 2:
                sig = (
                    fdp.PickValueInList([b"", b"\x00", b"\x00\x00" + sig])
                    + sig[: fdp.ConsumeIntInRange(0, len(sig))]
                )
        header = b64(b'{"alg":"' + alg.encode() + b'"}')
        token = (header + b"." + payload + b"." + b64(sig)).decode()
        same(
            f"decode(token, <RSA public key>, algorithms=[{alg!r}])",
            token,
            cyjwt=observed(cyjwt.decode, token, public, algorithms=[alg]),
            pyjwt=observed(pyjwt.decode, token, public, algorithms=[alg]),
        )

    return one


TARGETS: dict[str, Callable[[], Callable[[bytes], None]]] = {
    "b64url": b64url_target,
    "split": split_target,
    "json_loads": json_loads_target,
    "json_dumps": json_dumps_target,
    "decode": decode_target,
    "header": header_target,
    "rsa_signature": rsa_signature_target,
}


def worker(argv: list[str]) -> NoReturn:
    global UNDER_LIBFUZZER
    UNDER_LIBFUZZER = True
    atheris = _atheris()
    target = argv[argv.index("--worker") + 1]
    libfuzzer = argv[argv.index("--") + 1 :]
    one = TARGETS[target]()
    import cyjwt

    # The decode targets go through the core cyjwt chose: it must be the
    # instrumented compiled one.
    assert cyjwt.IMPLEMENTATION == "cython", cyjwt.IMPLEMENTATION
    atheris.Setup([argv[0], *libfuzzer], one)
    atheris.Fuzz()
    raise SystemExit(0)  # not reached: libFuzzer exits the process


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker(sys.argv)
    sys.exit(driver(sys.argv[1:]))
