"""The gateway run's table, as the runner prints it (from results.json's "gateway")."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


def _ms(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:.3g} ms"


def _pct(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:.0%}"


def speedup_over(configs: List[Dict[str, Any]], row: Dict[str, Any], mode: str) -> Optional[float]:
    """This configuration's requests/s over those of ``mode`` for the same algorithm."""
    ref = next(
        (
            c
            for c in configs
            if c["alg"] == row["alg"] and c["mode"] == mode and c.get("status") == "ok"
        ),
        None,
    )
    if ref is None or row.get("status") != "ok" or not ref.get("rps"):
        return None
    return float(row["rps"]) / float(ref["rps"])


def render_gateway(gw: Optional[Dict[str, Any]]) -> str:
    if not gw:
        return ""
    if gw.get("skipped"):
        return f"gateway: skipped, {gw['skipped']}"
    mix = gw["mix"]
    lines = [
        f"gateway: {gw['server']}; load from {gw['load_generator']}, {gw['connections']} "
        f"connections, {gw['reps']} x {gw['duration_s']} s per configuration, interleaved",
        f"  {gw['token']} ({', '.join(f'{a} {n} B' for a, n in gw['token_bytes'].items())}); "
        f"{mix['sessions']} sessions reusing their token, {mix['fresh_share']:.0%} fresh "
        f"tokens, {mix['bad_share']:.0%} bad ones (401); verifier cache "
        f"{mix['verifier_cache_size']}",
    ]
    head = (
        f"  {'configuration':<40} {'req/s':>8} {'vs PyJWT':>9} {'p50':>9} {'p99':>9} "
        f"{'verify/req':>11} {'verify share':>13}"
    )
    lines += [head, "  " + "-" * (len(head) - 2)]
    for c in gw["configs"]:
        name = f"{c['alg']} {c['label']}"
        if c.get("status") != "ok":
            lines.append(f"  {name:<40} {c['status']}")
            continue
        vs = speedup_over(gw["configs"], c, "pyjwt")
        verify = c.get("verify_us_per_request")
        lines.append(
            f"  {name:<40} {c['rps']:>8,.0f} {('-' if vs is None else f'{vs:.2f}x'):>9} "
            f"{_ms(c['p50_ms']):>9} {_ms(c['p99_ms']):>9} "
            f"{('-' if c['mode'] == 'none' or verify is None else f'{verify:.1f} µs'):>11} "
            f"{('-' if c['mode'] == 'none' else _pct(c.get('verify_share'))):>13}"
        )
    lines.append("  verify share: time inside the verify call / server wall time while loaded")
    return "\n".join(lines)
