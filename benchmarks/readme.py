"""The README's speed tables, made from a results.json report.

    python -m benchmarks.readme                    # benchmarks/results/results.json -> README.md
    python -m benchmarks.readme RESULTS README     # other files
    python -m benchmarks.readme --print            # print the block instead

Only the text between the two ``speed-table`` marker comments in README.md's
"## Speed" section is replaced; everything else stays as written.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

from ._adapters import LABELS
from ._chart import speedup
from .gateway.report import speedup_over

BEGIN = "<!-- speed-table: made by `python -m benchmarks.readme` from benchmarks/results; do not edit -->"
END = "<!-- /speed-table -->"
REPO_ROOT = Path(__file__).resolve().parent.parent

README_OPS = [
    "HS256 encode",
    "HS256 decode",
    "HS512 decode",
    "HS256 decode Keycloak",
    "HS256 decode Auth0",
    "HS256 decode Cognito",
    "HS256 decode Entra ID",
    "HS256 decode 64KiB",
    "RS256 encode PEM",
    "RS256 decode PEM",
    "RS256 decode keyobj",
    "RS256 decode Keycloak keyobj",
    "ES256 encode keyobj",
    "ES256 decode PEM",
    "EdDSA decode PEM",
    "get_unverified_header",
]
# columns that show the time per call as well as the speed-up
TIMED = ("cyjwt", "pyjwt", "native")
COLUMN = {
    "cyjwt": "cyjwt",
    "cyjwt-pure": "cyjwt, pure Python",
    "pyjwt": "PyJWT",
    "floor": "Python by hand",
    "native": "native floor (C)",
}

Report = Dict[str, Any]


def fmt_time(s: Optional[float]) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_speedup(x: Optional[float]) -> str:
    if x is None:
        return "-"
    return f"{x:.0f}x" if x >= 10 else f"{x:.1f}x" if x >= 1 else f"{x:.2f}x"


def _cell(report: Report, op: str, lib: str) -> str:
    c = report["results"][op].get(lib)
    if not c:
        return "-"
    st = str(c.get("status"))
    if st != "ok":
        return "wrong" if st.startswith("WRONG") else "error" if st.startswith("error") else "-"
    if lib == "pyjwt":
        return fmt_time(c.get("median_s"))
    sp = fmt_speedup(speedup(c))
    if lib in TIMED:
        return f"{fmt_time(c.get('median_s'))} ({sp})"
    return sp


def _libs(report: Report) -> List[str]:
    return [k for k in report["library_order"] if report["libraries"].get(k, {}).get("available")]


def ops_table(report: Report) -> str:
    libs = _libs(report)
    ops = [o for o in README_OPS if o in report["results"]]
    head = ["operation"] + [COLUMN.get(k, LABELS.get(k, k)) for k in libs]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * len(libs)]
    for op in ops:
        lines.append("| " + " | ".join([op] + [_cell(report, op, k) for k in libs]) + " |")
    return "\n".join(lines)


def gateway_table(report: Report) -> str:
    gw = report.get("gateway") or {}
    if not gw.get("configs"):
        return ""
    lines = [
        "| gateway configuration | requests/s | vs PyJWT | p50 | p99 | time in verify |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in gw["configs"]:
        name = f"{c['alg']}, {c['label']}"
        if c.get("status") != "ok":
            lines.append(f"| {name} | {c['status']} | | | | |")
            continue
        vs = speedup_over(gw["configs"], c, "pyjwt")
        share = (
            "-"
            if c["mode"] == "none" or c.get("verify_share") is None
            else f"{c['verify_share']:.0%}"
        )
        lines.append(
            f"| {name} | {c['rps']:,.0f} | {'-' if vs is None else f'{vs:.2f}x'} | "
            f"{c['p50_ms']:.3g} ms | {c['p99_ms']:.3g} ms | {share} |"
        )
    return "\n".join(lines)


def _bytes(report: Report, ops: List[str]) -> str:
    sizes = [report.get("token_bytes", {}).get(o) for o in ops]
    known = sorted(n for n in sizes if n)
    if not known:
        return ""
    if len(known) == 1:
        return f" ({known[0]:,} bytes)"
    return f" ({known[0]:,} to {known[-1]:,} bytes)"


def _speedup_of(report: Report, op: str, lib: str) -> Optional[float]:
    return speedup(report.get("results", {}).get(op, {}).get(lib))


def speed_block(report: Report) -> str:
    """The Markdown between the markers: tables, charts and how they were made."""
    m = report["machine"]
    pyjwt = report["libraries"].get("pyjwt", {}).get("version")
    parts = [
        f"How many times faster than PyJWT {pyjwt} each library is (the median over "
        "rounds of PyJWT's time divided by the library's, both timed in the same round), "
        "and for cyjwt, PyJWT and the native floor the median time per call. From the run "
        "committed in `benchmarks/results/`:",
        "",
        ops_table(report),
        "",
        "Decode checks `exp`, `nbf`, `iat`, `aud` and `iss` and is called as the "
        'documentation writes it (`algorithms=["HS256"]` in the call, `audience=` and '
        '`issuer=` by keyword). "HS256 decode" is a token of ten claims'
        + _bytes(report, ["HS256 decode"])
        + "; the Keycloak, Auth0, Cognito and Entra ID "
        "rows are access or ID tokens shaped like theirs"
        + _bytes(
            report,
            [
                o
                for o in report.get("token_bytes", {})
                if o.startswith("HS256 decode ") and not o.endswith("KiB")
            ],
        )
        + ": nested role objects, lists of audiences, names outside ASCII, a `kid` header. The **native floor** is the same work done in C in the same "
        "run (base64url, HMAC-SHA-2 from libcrypto, orjson's reader), without any claim "
        "check; for the asymmetric rows it is the bare `cryptography` call with the key "
        "loaded once (cyjwt's compiled core checks RS* signatures with a libcrypto "
        "context kept per key, which is why its RS256 decode can be below that floor: "
        "`cryptography` sets up a new context on every call). **Python by hand** is `hmac.digest`, `base64` and `json.loads` written "
        'in Python: a reference, not a floor. "PEM" rows pass the key as PEM text on every '
        'call; "wrong" marks a library that accepted a token it must refuse (it is then '
        "not timed).",
    ]
    facts = []
    pure = _speedup_of(report, "HS256 decode", "cyjwt-pure")
    if pure:
        facts.append(f"The pure-Python twin is {pure:.1f}x faster than PyJWT at HS256 decode.")
    mem = (report.get("memory") or {}).get("results", {})
    grown = {k: v.get("rss_growth_bytes") for k, v in mem.items() if v.get("available")}
    if grown and mem:
        n = (report.get("memory") or {}).get("decodes", 0)
        facts.append(
            f"Over {n:,} HS256 decodes alternating valid and rejected tokens, RSS "
            "grew by "
            + ", ".join(
                f"{v:,} bytes for {LABELS.get(k, k)}" for k, v in grown.items() if v is not None
            )
            + "."
        )
    skipped = [
        f"{v['label']} ({v['note']})"
        for k, v in report["libraries"].items()
        if not v.get("available") and k != "cyjwt-pure"
    ]
    if skipped:
        facts.append("Not shown: " + "; ".join(skipped) + ".")
    if facts:
        parts += ["", " ".join(facts)]
    parts += ["", "![speed-up over PyJWT per operation](benchmarks/results/chart.png)"]
    gw_table = gateway_table(report)
    if gw_table:
        gw = report["gateway"]
        mix = gw["mix"]
        parts += [
            "",
            "End to end, as a gateway runs it: a minimal ASGI app checks the Bearer token "
            f"of every request (200 or 401) under {gw['server']}, loaded by "
            f"{gw['load_generator']} with {gw['connections']} connections on 127.0.0.1, "
            f"{gw['reps']} x {gw['duration_s']} s per configuration, interleaved. Each request "
            f"carries a {gw['token']} ("
            + ", ".join(f"{a} {n:,} bytes" for a, n in gw.get("token_bytes", {}).items())
            + f"): one of {mix['sessions']} sessions' (each reusing its token) most of the "
            f"time, a fresh one {mix['fresh_share']:.0%} of the time and a bad one "
            f"{mix['bad_share']:.0%} of the time. RS256 "
            "keys come from a local JWKS endpoint through `PyJWKClient` "
            "(`get_signing_key_from_jwt(token).key` per request, as PyJWT documents). "
            '"Time in verify" is the share of the server\'s time spent inside the token check.',
            "",
            gw_table,
            "",
            "![gateway requests per second](benchmarks/results/gateway.png)",
        ]
    parts += [
        "",
        f"Made with `{report.get('command', 'python -m benchmarks')}` on "
        f"{m.get('cpu_model')} ({m.get('cpus_usable')} CPUs), Python {m.get('python')}, "
        f"{m.get('cryptography_openssl') or m.get('python_openssl')}. Every library runs in "
        "the same process, interleaved and shuffled round by round; the pure-Python twin runs "
        "in a subprocess with `CYJWT_NO_EXTENSIONS=1`, against PyJWT timed there. Each "
        "library's answer is checked before it is timed. See "
        "[docs/benchmarks.md](docs/benchmarks.md).",
    ]
    return "\n".join(_wrap(p) for p in parts)


def _wrap(paragraph: str) -> str:
    """Prose wrapped at 78 columns like the rest of the README; tables and images as they are."""
    if not paragraph or paragraph.startswith(("|", "![")):
        return paragraph
    return textwrap.fill(paragraph, width=78, break_long_words=False, break_on_hyphens=False)


def update_readme(readme: str, report: Report) -> str:
    """``readme`` with the block between the markers replaced."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError("README has no speed-table markers")
    return readme[: start + len(BEGIN)] + "\n" + speed_block(report) + "\n" + readme[end:]


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.readme")
    p.add_argument(
        "results", nargs="?", default=str(REPO_ROOT / "benchmarks" / "results" / "results.json")
    )
    p.add_argument("readme", nargs="?", default=str(REPO_ROOT / "README.md"))
    p.add_argument("--print", action="store_true", help="print the block, change nothing")
    args = p.parse_args(argv)
    report = json.loads(Path(args.results).read_text(encoding="utf-8"))
    if args.print:
        print(speed_block(report))
        return 0
    path = Path(args.readme)
    path.write_text(update_readme(path.read_text(encoding="utf-8"), report), encoding="utf-8")
    print(f"updated the speed tables in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
