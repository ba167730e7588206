"""The charts of the comparison runner, drawn from a results.json report.

* ``chart.png``: how many times faster than PyJWT each library is, per
  operation (one bar per library, log scale), in three panels: the HMAC
  operations, the asymmetric ones, and reading the header only;
* ``gateway.png``: the end-to-end gateway run, requests per second per
  configuration, with p50 / p99 latency and the share of server time spent
  verifying tokens written next to each bar.

Both functions return a note ("" on success); without matplotlib they draw
nothing and say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ._adapters import LABELS


def _formatter(fn: Any) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(fn)


# fixed colours so that charts from different runs read the same way
COLORS = {
    "cyjwt": "#d62728",
    "cyjwt-pure": "#ff9896",
    "pyjwt": "#1f77b4",
    "oxyjwt": "#ff7f0e",
    "pyjwt-rs": "#bcbd22",
    "joserfc": "#2ca02c",
    "authlib": "#9467bd",
    "python-jose": "#8c564b",
    "jwcrypto": "#e377c2",
    "floor": "#c8c8c8",
    "native": "#404040",
}
FLOORS = ("floor", "native")
BASELINE = "pyjwt"

Report = Dict[str, Any]


def _pyplot() -> Tuple[Any, str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as exc:
        return None, f"chart skipped: matplotlib is not available ({type(exc).__name__})"
    return plt, ""


def op_family(op_name: str) -> str:
    """ "hmac" (HS*), "asym" (RS/PS/ES/EdDSA) or "header" (header only)."""
    if op_name == "get_unverified_header":
        return "header"
    return "hmac" if op_name.startswith("HS") else "asym"


FAMILIES = [
    ("hmac", "HMAC: HS256 / HS384 / HS512"),
    ("asym", "Asymmetric: RS256, PS256, ES256, EdDSA"),
    ("header", "Header only"),
]


def speedup(cell: Optional[Dict[str, Any]]) -> Optional[float]:
    """PyJWT's time / this library's time (pairwise median ratio, inverted)."""
    if not cell or cell.get("status") != "ok":
        return None
    ratio = cell.get("ratio_to_pyjwt")
    return 1.0 / ratio if ratio else None


def _libs(report: Report) -> List[str]:
    return [
        k
        for k in report["library_order"]
        if k in report["libraries"] and report["libraries"][k]["available"] and k != BASELINE
    ]


def _bars(ax: Any, report: Report, ops: List[str], libs: List[str]) -> None:
    width = 0.84 / max(1, len(libs))
    for j, k in enumerate(libs):
        xs, ys = [], []
        for i, o in enumerate(ops):
            s = speedup(report["results"][o].get(k))
            if s is not None:
                xs.append(i - 0.42 + width * (j + 0.5))
                ys.append(s)
        if xs:
            ax.bar(
                xs,
                ys,
                width,
                color=COLORS.get(k, "#17becf"),
                label=LABELS.get(k, k),
                hatch="//" if k in FLOORS else None,
                edgecolor="black" if k in FLOORS else None,
                linewidth=0.3,
            )
        if k == "cyjwt":
            for x, y in zip(xs, ys):
                ax.annotate(
                    f"{y:.3g}x",
                    (x, y),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=COLORS[k],
                    rotation=90,
                )
    ax.axhline(1.0, color="#1f77b4", linewidth=1.2, linestyle="--")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_formatter(lambda v, _pos: f"{v:g}x"))
    ax.yaxis.set_minor_formatter(_formatter(lambda v, _pos: ""))
    low, high = ax.get_ylim()
    ax.set_ylim(low, high * 1.6)
    ax.set_xticks(range(len(ops)))
    ax.set_xticklabels(ops, rotation=25, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(ops) - 0.4)
    ax.grid(axis="y", which="both", alpha=0.3)


def write_chart(report: Report, path: Path) -> str:
    """Speedup over PyJWT per operation and library, log scale, by family."""
    plt, why = _pyplot()
    if plt is None:
        return why
    ops_by_family = {
        f: [o for o in report.get("ops", []) if op_family(o) == f] for f, _ in FAMILIES
    }
    families = [(f, t) for f, t in FAMILIES if ops_by_family[f]]
    if not families:
        return "chart skipped: no operations"
    libs = _libs(report)
    big = [f for f, _ in families if f != "header"]
    fig = plt.figure(
        figsize=(
            17,
            5.0 * len(big) + (3.6 if "header" in ops_by_family and ops_by_family["header"] else 0),
        )
    )
    rows = len(big) + (1 if ops_by_family["header"] else 0)
    grid = fig.add_gridspec(rows, 5)
    legend_ax = None
    for r, (fam, title) in enumerate(families):
        if fam == "header":
            ax = fig.add_subplot(grid[r, 0])
            legend_ax = fig.add_subplot(grid[r, 1:])
            legend_ax.axis("off")
        else:
            ax = fig.add_subplot(grid[r, :])
        _bars(ax, report, ops_by_family[fam], libs)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel("times faster than PyJWT\n(log; dashed line = PyJWT)", fontsize=8)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    for ax in fig.axes[1:]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if legend_ax is not None:
        legend_ax.legend(handles, labels, ncol=3, fontsize=9, loc="center left", frameon=False)
    else:
        fig.axes[0].legend(handles, labels, ncol=min(6, len(labels)), fontsize=8, loc="upper right")
    m = report["machine"]
    fig.suptitle(
        f"Speed-up over PyJWT {report['libraries'].get(BASELINE, {}).get('version')} "
        f"({report['config']['mode']} run): {m.get('cpu_model')}, "
        f"{m.get('cpus_usable')} CPUs, Python {m.get('python')}",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return ""


GATEWAY_COLORS = {"none": "#b0b0b0", "pyjwt": "#1f77b4", "cyjwt": "#ff9896", "verifier": "#d62728"}


def write_gateway_chart(report: Report, path: Path) -> str:
    """Requests per second per gateway configuration, one panel per algorithm."""
    gw = report.get("gateway") or {}
    configs = [c for c in gw.get("configs", []) if c.get("status") == "ok"]
    if not configs:
        return "gateway chart skipped: no gateway results"
    plt, why = _pyplot()
    if plt is None:
        return why.replace("chart", "gateway chart", 1)
    algs = [a for a in ("HS256", "RS256") if any(c["alg"] == a for c in configs)]
    fig, axes = plt.subplots(1, len(algs), figsize=(8 * len(algs), 4.2), squeeze=False)
    top = max(c["rps"] for c in configs)
    for ax, alg in zip(axes[0], algs):
        rows = [c for c in gw["configs"] if c["alg"] == alg]
        ys = list(range(len(rows)))[::-1]
        for y, c in zip(ys, rows):
            if c.get("status") != "ok":
                ax.text(top * 0.01, y, c["status"], va="center", fontsize=8)
                continue
            ax.barh(y, c["rps"], color=GATEWAY_COLORS.get(c["mode"], "#17becf"))
            share = c.get("verify_share")
            note = f"  {c['rps']:,.0f}/s  p50 {c['p50_ms']:.2g} ms  p99 {c['p99_ms']:.2g} ms"
            if c["mode"] != "none" and share is not None:
                note += f"  verify {share:.0%}"
            ax.text(c["rps"], y, note, va="center", fontsize=8)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_yticks(ys)
        ax.set_yticklabels([c["label"] for c in rows], fontsize=9)
        ax.set_xlim(0, top * 1.75)
        ax.set_xlabel("requests per second (median of runs)")
        ax.set_title(
            f"{alg}" + (" (key from a local JWKS endpoint)" if alg == "RS256" else ""), fontsize=10
        )
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Gateway: {gw.get('server')}; load: {gw.get('load_generator')}, "
        f"{gw.get('connections')} connections\n{gw.get('token')}; verify = share "
        f"of server time inside the token check",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.90))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return ""
