"""Compile and load the native floor (benchmarks/_native_floor.c) at bench time.

The module is built once per source text, interpreter and OpenSSL setting
into a cache directory (``$CYJWT_BENCH_CACHE``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, under ``cyjwt-bench/``), in a subprocess so that compiler output
and failures stay out of the run.  It links against the system libcrypto, or
the one under ``$CYJWT_OPENSSL_DIR`` (as setup.py does).  When anything is
missing (a C compiler, OpenSSL's headers, orjson) the loader returns a note
instead and the runner shows the native floor as skipped.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType
from typing import Optional, Tuple

SOURCE = Path(__file__).resolve().parent / "_native_floor.c"
MODULE = "_cyjwt_native_floor"

_BUILD_SCRIPT = r"""
import os, sys
from setuptools import Distribution, Extension
src, out, tmp = sys.argv[1:4]
prefix = os.environ.get("CYJWT_OPENSSL_DIR")
inc = [os.path.join(prefix, "include")] if prefix else []
libdirs = [os.path.join(prefix, d) for d in ("lib", "lib64")
           if prefix and os.path.isdir(os.path.join(prefix, d))]
ext = Extension("@MODULE@", [src], libraries=["crypto"], include_dirs=inc,
                library_dirs=libdirs, runtime_library_dirs=libdirs,
                define_macros=[("OPENSSL_API_COMPAT", "0x10101000L")],
                extra_compile_args=["-O2", "-Wno-deprecated-declarations"])
dist = Distribution({"name": "native-floor", "ext_modules": [ext]})
cmd = dist.get_command_obj("build_ext")
cmd.build_lib, cmd.build_temp = out, tmp
cmd.ensure_finalized()
cmd.run()
""".replace("@MODULE@", MODULE)


def cache_root() -> Path:
    explicit = os.environ.get("CYJWT_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cyjwt-bench"


def _build_key() -> str:
    h = hashlib.sha256(SOURCE.read_bytes())
    for part in (
        sys.version,
        sys.platform,
        str(sysconfig.get_config_var("EXT_SUFFIX")),
        os.environ.get("CYJWT_OPENSSL_DIR", ""),
        _BUILD_SCRIPT,
    ):
        h.update(part.encode())
    return h.hexdigest()[:16]


def _built_file(out: Path) -> Optional[Path]:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = out / (MODULE + suffix)
        if path.exists():
            return path
    return None


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(out: Path, timeout: float = 180.0) -> Tuple[Optional[Path], str]:
    """Compile into ``out``; returns (path of the module, "") or (None, why not).

    The module is built in a directory of its own and moved into place in one
    step, so that two runs building at once never load a half-written file.
    """
    cc = os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        return None, f"no C compiler ({cc} not found)"
    staging = out.with_name(f"{out.name}.tmp{os.getpid()}")
    try:
        staging.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-c",
            _BUILD_SCRIPT,
            str(SOURCE),
            str(staging),
            str(staging / "build"),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        shutil.rmtree(staging / "build", ignore_errors=True)
        if proc.returncode != 0 or _built_file(staging) is None:
            lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            errors = [ln for ln in lines if "error" in ln.lower()]
            return None, f"the build failed: {(errors or lines or ['no output'])[0].strip()}"
        try:
            staging.rename(out)
        except OSError:
            if _built_file(out) is None:  # not another run that got there first
                raise
    except subprocess.TimeoutExpired:
        return None, f"the build took longer than {timeout:.0f} s"
    except OSError as exc:
        return None, f"cannot build in {out.parent} ({exc})"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _built_file(out), ""


def load_native_floor() -> Tuple[Optional[ModuleType], str]:
    """The compiled native floor with orjson as its JSON, or (None, why it is skipped)."""
    try:
        import orjson
    except ImportError:
        return None, "orjson is not installed (it is the native floor's JSON reader)"
    out = cache_root() / f"native-floor-{_build_key()}"
    path = _built_file(out)
    if path is None:
        path, why = build(out)
        if path is None:
            return None, why
    try:
        mod = _import(path)
    except ImportError as exc:
        return None, f"the built module does not load ({exc})"
    mod.set_json(orjson.loads, orjson.dumps)
    return mod, ""
