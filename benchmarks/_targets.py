"""The speed targets of the project (issue 11), checked against one run's report.

Every figure is a ratio from the same interleaved run: "N x PyJWT" is the
median over rounds of PyJWT's time / cyjwt's time; "N x oxyjwt" likewise
against oxyjwt; "of the raw call" is cyjwt's time / the bare
``cryptography`` call's (the floor of the asymmetric rows).  The runner
prints the table and stores it in results.json under "targets"; nothing
fails on a missed target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Target:
    op: str
    lib: str  # "cyjwt" or "cyjwt-pure"
    against: str  # "pyjwt", "oxyjwt" or "raw" (the bare cryptography call)
    bound: float  # at least this speed-up; for "raw": at most this time ratio

    @property
    def text(self) -> str:
        who = "cyjwt pure" if self.lib == "cyjwt-pure" else "cyjwt"
        if self.against == "raw":
            return f"{self.op}, {who}: at most {self.bound:g}x the raw cryptography call"
        name = "PyJWT" if self.against == "pyjwt" else self.against
        return f"{self.op}, {who}: at least {self.bound:g}x faster than {name}"


TARGETS = [
    Target("HS256 decode", "cyjwt", "pyjwt", 25),
    Target("HS256 decode", "cyjwt", "oxyjwt", 2),
    Target("HS256 decode Auth0", "cyjwt", "pyjwt", 20),  # the ~900-byte token
    Target("HS256 decode Auth0", "cyjwt", "oxyjwt", 2),
    Target("HS256 encode", "cyjwt", "pyjwt", 20),
    Target("HS256 encode", "cyjwt", "oxyjwt", 2),
    Target("ES256 encode keyobj", "cyjwt", "raw", 1.1),
    Target("ES256 decode PEM", "cyjwt", "raw", 1.1),
    Target("EdDSA decode PEM", "cyjwt", "raw", 1.1),
    Target("RS256 decode PEM", "cyjwt", "raw", 1.1),
    Target("HS256 decode", "cyjwt-pure", "pyjwt", 3),
]


def measure(report: Dict[str, Any], t: Target) -> Optional[float]:
    cell = report.get("results", {}).get(t.op, {}).get(t.lib, {})
    if cell.get("status") != "ok":
        return None
    if t.against == "pyjwt":
        r = cell.get("ratio_to_pyjwt")
        return 1 / r if r else None
    ratios = cell.get("ratio_to", {})
    if t.against == "raw":
        value = ratios.get("native") or ratios.get("floor")
        return float(value) if value else None
    r = ratios.get(t.against)
    return 1 / r if r else None


def evaluate(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    for t in TARGETS:
        if t.op not in report.get("results", {}):
            continue
        value = measure(report, t)
        met = (
            None
            if value is None
            else (value <= t.bound if t.against == "raw" else value >= t.bound)
        )
        out.append(
            {
                "target": t.text,
                "op": t.op,
                "lib": t.lib,
                "against": t.against,
                "bound": t.bound,
                "measured": value,
                "met": met,
            }
        )
    return out


def render_targets(rows: List[Dict[str, Any]]) -> str:
    if not rows:
        return ""
    w = max(len(r["target"]) for r in rows) + 2
    lines = [
        f"speed targets (ratios from this run){'':<{max(0, w - 36)}} {'measured':>9}  met",
        "-" * (w + 16),
    ]
    for r in rows:
        v = r["measured"]
        verdict = {True: "yes", False: "NO", None: "n/a"}[r["met"]]
        lines.append(f"{r['target']:<{w}} {('-' if v is None else f'{v:.2f}x'):>9}  {verdict}")
    return "\n".join(lines)
