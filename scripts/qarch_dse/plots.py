"""Matplotlib figures: of sweep results, each saved as PNG and SVG (save), and of the study
pages, saved as a reproducible PNG (save_png). Columns that no model has computed yet are empty
in results.csv (NaN here): a figure that needs them raises PlotError saying which column is
empty, rather than drawing nothing. arg_parser and cli are the command-line plumbing of the
scripts/plot_*.py scripts."""

import argparse
import json
import os
import sys
from pathlib import Path

BREAKDOWN = "energy_breakdown_pj."


class PlotError(ValueError):
    pass


def pyplot():
    """matplotlib.pyplot drawing off screen (the Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, prefix):
    """Writes PREFIX.png and PREFIX.svg; returns both paths."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        path = prefix.with_name(prefix.name + "." + ext)
        tmp = path.with_name(path.name + ".tmp")
        fig.savefig(tmp, format=ext, dpi=150, bbox_inches="tight")
        tmp.replace(path)  # written under a temporary name and renamed
        paths.append(path)
    pyplot().close(fig)
    return paths


def save_png(fig, path):
    """Writes `fig` to the PNG `path` under a temporary name and renames it, so no half-written
    image is left; without the Software tag, so a rerun gives the same bytes. Closes `fig`."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.tight_layout()
    fig.savefig(path + ".tmp.png", dpi=110, metadata={"Software": None})
    pyplot().close(fig)
    os.replace(path + ".tmp.png", path)


def axis_columns(df):
    columns = list(df.columns)
    return columns[2:columns.index("status")]


def point_labels(df, axes=None):
    axes = axes or axis_columns(df)
    short = lambda key: key.split(".")[-1]
    return [", ".join(f"{short(a)}={row[a]}" for a in axes) for _, row in df.iterrows()]


def _need(df, columns, what):
    for c in columns:
        if c not in df.columns or df[c].isna().all():
            raise PlotError(f"{what} needs column '{c}', which is empty in every ok point "
                            "(not computed by any model yet?)")


def _batch(results_dir, point_id):
    try:
        summary = json.loads((Path(results_dir) / "points" / point_id / "summary.json").read_text())
        return int(summary.get("workload", {}).get("batch", 1)) or 1
    except (OSError, ValueError):
        return 1


def energy_bars(df, prefix, results_dir=None, title="Energy per inference by component"):
    """Stacked bars: one per ok point, split by energy_breakdown_pj.<component>, divided by the
    workload's batch (read from the point's summary.json when `results_dir` is given)."""
    ok = df[df["status"] == "ok"]
    components = [c for c in df.columns if c.startswith(BREAKDOWN) and ok[c].notna().any()]
    if not components:
        raise PlotError("energy bars need energy_breakdown_pj.* columns, and no ok point has any "
                        "(the cost model has not filled them yet?)")
    batch = [(_batch(results_dir, i) if results_dir else 1) for i in ok["id"]]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(ok) + 2), 4.5))
    labels = point_labels(ok)
    bottom = [0.0] * len(ok)
    for c in components:
        values = [(0.0 if v != v else v) / b / 1e6 for v, b in zip(ok[c].tolist(), batch)]
        ax.bar(range(len(ok)), values, bottom=bottom, label=c[len(BREAKDOWN):])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_xticks(range(len(ok)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("energy per inference (µJ)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save(fig, prefix)


def layer_bars(layers_csv, prefix, metric=None, title=None):
    """Per-layer breakdown of one point (its layers.csv): energy_pj per layer when computed,
    else compute and stall cycles stacked."""
    import pandas as pd

    layers = pd.read_csv(layers_csv)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6, 0.3 * len(layers) + 2), 4.5))
    x = range(len(layers))
    if metric is None:
        metric = "energy_pj" if layers["energy_pj"].notna().any() else "cycles"
    if metric == "cycles":
        _need(layers, ["compute_cycles", "stall_cycles"], "the cycles breakdown")
        compute = layers["compute_cycles"].fillna(0)
        ax.bar(x, compute, label="compute")
        ax.bar(x, layers["stall_cycles"].fillna(0), bottom=compute, label="stall (memory)")
        ax.set_ylabel("cycles")
        ax.legend(fontsize=8)
    else:
        _need(layers, [metric], "the per-layer plot")
        ax.bar(x, layers[metric].fillna(0))
        ax.set_ylabel(metric)
    ax.set_xticks(list(x))
    ax.set_xticklabels(layers["name"], rotation=90, fontsize=6)
    ax.set_title(title or f"Per-layer {metric}: {layers_csv}")
    return save(fig, prefix)


def pareto_scatter(df, x, y, prefix, maximize_x=False, maximize_y=False, color=None, title=None):
    """Every ok point as a dot, the Pareto front of (x, y) highlighted and joined."""
    from .pareto import pareto_mask

    ok = df[df["status"] == "ok"]
    _need(ok, [x, y], "the Pareto scatter")  # names the empty column, not the other one
    ok = ok[ok[x].notna() & ok[y].notna()]
    if ok.empty:
        raise PlotError(f"the Pareto scatter needs ok points with both '{x}' and '{y}'; none has both")
    mins = [c for c, up in ((x, maximize_x), (y, maximize_y)) if not up]
    maxs = [c for c, up in ((x, maximize_x), (y, maximize_y)) if up]
    front = pareto_mask(ok, mins, maxs)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    if color and color in ok.columns:
        for value, group in ok.groupby(color, sort=False):
            ax.scatter(group[x], group[y], s=18, alpha=0.7, label=f"{color.split('.')[-1]}={value}")
        ax.legend(fontsize=7)
    else:
        ax.scatter(ok[x], ok[y], s=18, alpha=0.6, color="tab:gray", label="design points")
    f = ok[front].sort_values(x)
    ax.plot(f[x], f[y], "-o", color="tab:red", mfc="none", ms=9, label="Pareto front")
    ax.set_xlabel(x + (" (higher is better)" if maximize_x else ""))
    ax.set_ylabel(y + (" (higher is better)" if maximize_y else ""))
    ax.set_title(title or f"Pareto front: {len(f)} of {len(ok)} points")
    if not color:
        ax.legend(fontsize=8)
    return save(fig, prefix)


def accuracy_energy(df, prefix, accuracy="top1", energy="energy_pj", color=None):
    """Accuracy against energy per inference, front highlighted (low energy, high accuracy)."""
    return pareto_scatter(df, energy, accuracy, prefix, maximize_y=True, color=color,
                          title=f"{accuracy} vs {energy}")


def arg_parser(description, results=True):
    """The options every plot script takes: RESULTS (a sweep's results.csv) and --out PREFIX."""
    p = argparse.ArgumentParser(description=description)
    if results:
        p.add_argument("results", help="results.csv of a sweep")
    p.add_argument("--out", required=True, help="output prefix: writes PREFIX.png and PREFIX.svg")
    return p


def cli(body):
    """Runs body() and prints the paths it returns; PlotError and missing files or columns
    become an `error:` line. Returns the exit status (0, or 2 on such an error)."""
    try:
        for path in body():
            print(path)
        return 0
    except (PlotError, FileNotFoundError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
