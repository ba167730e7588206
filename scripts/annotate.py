#!/usr/bin/env python3
"""Cython's annotated HTML of the compiled core (``cython -a``).

Writes ``build/annotate/src/cyjwt/_core_c.html`` (git-ignored; the source
tree is left alone): every line of the core, shaded by how much Python
C-API it turns into; click a line for its C.  A
yellow line in a hot loop is a Python object operation to look at.  The
Cython directives are read from setup.py, so the annotation matches the
build.  Usage: ``python scripts/annotate.py`` (or ``make annotate``).
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORE = "src/cyjwt/_core_c.pyx"
OUT = "build/annotate"


def build_directives() -> dict[str, Any]:
    """setup.py's CYTHON_DIRECTIVES, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "CYTHON_DIRECTIVES"
        ):
            directives: dict[str, Any] = ast.literal_eval(node.value)
            return directives
    raise SystemExit("setup.py has no CYTHON_DIRECTIVES")


def main() -> int:
    try:
        # Cython has no type information: a module object typed Any.
        cython_build: Any = importlib.import_module("Cython.Build")
    except ImportError:
        print("Cython is missing: pip install --group profile (or make annotate)")
        return 1
    os.chdir(ROOT)  # relative paths: the output mirrors the source tree
    cython_build.cythonize(
        [CORE],
        compiler_directives=build_directives(),
        annotate=True,
        force=True,
        quiet=True,
        build_dir=OUT,
    )
    for html in sorted(Path(OUT).rglob("*.html")):
        print(f"wrote {html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
