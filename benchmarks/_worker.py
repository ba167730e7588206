"""Subprocess entry points of the comparison runner.

    python -m benchmarks._worker pure   --rounds R --target T --seed S [--ops a,b]
    python -m benchmarks._worker memory --lib cyjwt|cyjwt-pure|pyjwt --n N

``pure`` must run with ``CYJWT_NO_EXTENSIONS=1``: it times cyjwt's pure-Python
core and PyJWT interleaved in this one process.  Both modes print one JSON
object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import warnings
from typing import Any

from ._adapters import ADAPTER_BY_KEY, Adapter
from ._fixtures import OPS, OPS_BY_NAME, make_fixtures
from ._harness import build_cells, calibrate, memory_soak, run_rounds


def run_pure(rounds: int, target: float, seed: int, op_names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"libs": {}, "status": {}, "samples": {}}
    adapters: list[Adapter] = []
    for key in ("cyjwt-pure", "pyjwt"):
        a = ADAPTER_BY_KEY[key]()
        ok = a.load()
        out["libs"][key] = {"available": ok, "version": a.version, "note": a.note}
        if ok:
            adapters.append(a)
    if "cyjwt-pure" not in [a.key for a in adapters]:
        return out
    out["implementation"] = adapters[0].mod.IMPLEMENTATION
    fx = make_fixtures()
    ops = [OPS_BY_NAME[n] for n in op_names] if op_names else OPS
    cells, status = build_cells(adapters, ops, fx)
    out["status"] = status
    for c in cells:
        calibrate(c, target)
    run_rounds(cells, rounds, random.Random(seed))
    for c in cells:
        out["samples"].setdefault(c.op, {})[c.lib] = c.samples
    return out


def run_memory(lib: str, n: int) -> dict[str, Any]:
    a = ADAPTER_BY_KEY[lib]()
    if not a.load():
        return {"lib": lib, "available": False, "note": a.note}
    fx = make_fixtures()
    op = OPS_BY_NAME["HS256 decode"]
    fn = a.build(op, fx)
    # every --lib choice decodes HS256; build returns None only for n/a ops
    assert fn is not None, f"{lib} cannot do {op.name}"
    ts = fx.tokenset(op)
    res = memory_soak(fn, ts.valid, list(ts.bad.values()), n)
    res.update(
        {
            "lib": lib,
            "available": True,
            "version": a.version,
            "implementation": getattr(a.mod, "IMPLEMENTATION", None),
        }
    )
    return res


def main(argv: list[str] | None = None) -> int:
    warnings.simplefilter("ignore")
    p = argparse.ArgumentParser(prog="python -m benchmarks._worker")
    sub = p.add_subparsers(dest="mode", required=True)
    pp = sub.add_parser("pure")
    pp.add_argument("--rounds", type=int, required=True)
    pp.add_argument("--target", type=float, required=True)
    pp.add_argument("--seed", type=int, default=0)
    pp.add_argument("--ops", default="")
    pm = sub.add_parser("memory")
    pm.add_argument("--lib", required=True, choices=["cyjwt", "cyjwt-pure", "pyjwt"])
    pm.add_argument("--n", type=int, required=True)
    args = p.parse_args(argv)
    if args.mode == "pure":
        ops = [o for o in args.ops.split("|") if o]
        result = run_pure(args.rounds, args.target, args.seed, ops)
    else:
        result = run_memory(args.lib, args.n)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
