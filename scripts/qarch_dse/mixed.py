"""Mixed-precision search: per-layer weight and activation formats that minimize energy (or EDP)
per inference under a top-1 floor, every figure from qarch itself (functional mode for top-1,
the cost model for energy; docs/dse.md, "Mixed precision").

    PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.mixed --arch configs/int8.yaml \\
        --workload workloads/fashion/lenet5.yaml --weight-formats int8,int6,int4,int3,int2 \\
        --activation-formats int8,int6,int4 --max-drop 0.01 --out out/mixed/lenet5

1. Reference: every layer with MACs at the first (widest) weight and activation formats.
2. Uniform: every layer at each (weight, activation) pair of the lists.
3. Sensitivity: each layer alone at each pair, the others at the reference: its top-1 drop, its
   output SQNR and its energy.
4. Search: greedy descents from the reference and from the cheapest uniform assignment that
   holds the floor. A move lowers one layer's weight or activation format one step; the next
   tried is the one saving the most energy (the layers' energies add up) per top-1 the layers'
   sensitivities predict it to lose (they are assumed to add up too). Every move is verified by
   a functional run and kept only if the top-1 holds the floor, so the result is never worse
   than the best uniform assignment.
5. The winner is run once more on --final-limit images (default: all of them).

The layers are named by `--set workload.layers.NAME.weight_format=...` (docs/workloads.md), so
the architecture's PE array stays what the file says. Writes to --out: assignment.yaml (the
winner as `set:` entries a sweep spec or `qarch run --set` takes, its per-layer formats, top-1,
energy), evaluations.csv (every assignment run) and pareto.png (mixed against uniform).
"""

import argparse
import csv
import io
import os
import sys

from . import runner
from .paths import DATASET, ROOT
from .runner import QarchError

OBJECTIVES = ("energy", "edp")


class SearchError(Exception):
    """The search cannot go on (bad arguments, no layer with MACs, the reference misses the floor)."""


class Evaluator:
    """Runs assignments (dicts layer name -> (weight format, activation format)) through qarch,
    once each."""

    def __init__(self, arch, workload, limit=None, dataset=DATASET, qarch=None, extra_sets=(), cwd=None,
                 log=None):
        self.arch, self.workload, self.limit, self.dataset = arch, workload, limit, dataset
        self.qarch, self.extra_sets, self.cwd, self.log = qarch, list(extra_sets), cwd, log
        self.cache = {}
        self.order = []  # (kind, key) in the order they were first run

    @staticmethod
    def settings(assignment):
        sets = []
        for name in sorted(assignment):
            w, a = assignment[name]
            sets += [f"workload.layers.{name}.weight_format={w}", f"workload.layers.{name}.activation_format={a}"]
        return sets

    def run(self, assignment, kind, limit="search"):
        limit = self.limit if limit == "search" else limit
        key = (tuple(sorted(assignment.items())), limit)
        if key not in self.cache:
            r = runner.run_reports(self.arch, self.workload, self.extra_sets + self.settings(assignment),
                                   functional=True, limit=limit, dataset=self.dataset, qarch=self.qarch,
                                   cwd=self.cwd)
            s = r["summary"]
            energy = float(s["energy_per_inference_pj"])
            latency = float(s["latency_s"]) / max(1, int(s.get("batch", 1) or 1))
            self.cache[key] = {
                "top1": float(s["top1"]),
                "energy_pj": energy,
                "edp": energy * latency,
                "sqnr_db": {row["name"]: row.get("sqnr_db") for row in r["layers"]},
                "layer_energy_pj": {row["name"]: row.get("energy_pj") or 0.0 for row in r["layers"]},
                "macs_layers": [row["name"] for row in r["layers"] if row.get("macs")],
                "images": s.get("images"),
            }
            self.order.append((kind, key))
            if self.log:
                self.log(f"{kind:<11} top-1 {100 * self.cache[key]['top1']:6.2f} %  "
                         f"{energy / 1e6:9.4f} uJ  {describe(assignment)}")
        return self.cache[key]


def describe(assignment):
    return " ".join(f"{n}={w}/{a}" for n, (w, a) in sorted(assignment.items())) or "(reference)"


def cost_of(result, objective):
    return result["energy_pj"] if objective == "energy" else result["edp"]


def search(evaluator, weight_formats, activation_formats, floor=None, max_drop=0.01, objective="energy",
           final_limit=None):
    """The search of this module's docstring. Returns a dict with the reference, uniform,
    sensitivity and verified assignments and the winner (assignment, its search-limit result and
    its final result)."""
    if objective not in OBJECTIVES:
        raise SearchError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if not weight_formats or not activation_formats:
        raise SearchError("give at least one weight format and one activation format")
    top = (weight_formats[0], activation_formats[0])
    probe = evaluator.run({}, "probe")
    layers = probe["macs_layers"]
    if not layers:
        raise SearchError(f"{evaluator.workload} has no layer with MACs")
    reference = {name: top for name in layers}
    ref = evaluator.run(reference, "reference")
    floor = ref["top1"] - max_drop if floor is None else floor
    if ref["top1"] < floor:
        raise SearchError(f"the reference ({top[0]} weights, {top[1]} activations) reaches top-1 "
                          f"{ref['top1']:.4f}, below the floor {floor:.4f}")
    pairs = [(w, a) for w in weight_formats for a in activation_formats]
    uniform = {pair: evaluator.run({name: pair for name in layers}, "uniform") for pair in pairs}
    sensitivity = {}
    for name in layers:
        for pair in pairs:
            if pair == top:
                continue
            r = evaluator.run(dict(reference, **{name: pair}), "sensitivity")
            sensitivity[(name, pair)] = {"drop": ref["top1"] - r["top1"], "sqnr_db": r["sqnr_db"].get(name),
                                         "layer_cost": r["layer_energy_pj"].get(name, 0.0), "result": r}
    ref_layer_cost = ref["layer_energy_pj"]

    def predicted_drop(assignment):
        return sum(sensitivity[(n, p)]["drop"] for n, p in assignment.items() if p != top)

    def layer_cost(name, pair):
        return ref_layer_cost.get(name, 0.0) if pair == top else sensitivity[(name, pair)]["layer_cost"]

    def descend(start):
        current, result = dict(start), evaluator.run(start, "verified")
        rejected = set()
        while True:
            moves = []
            for name in layers:
                w, a = current[name]
                wi, ai = weight_formats.index(w), activation_formats.index(a)
                for step in (("w", wi + 1, ai), ("a", wi, ai + 1)):
                    _, nw, na = step
                    if nw >= len(weight_formats) or na >= len(activation_formats):
                        continue
                    pair = (weight_formats[nw], activation_formats[na])
                    if (name, current[name], pair) in rejected:
                        continue
                    saving = layer_cost(name, current[name]) - layer_cost(name, pair)
                    candidate = dict(current, **{name: pair})
                    loss = max(predicted_drop(candidate) - predicted_drop(current), 1e-4)
                    moves.append((-saving / loss, name, pair))
            if not moves:
                return current, result
            moves.sort()
            _, name, pair = moves[0]
            candidate = dict(current, **{name: pair})
            r = evaluator.run(candidate, "verified")
            if r["top1"] >= floor and cost_of(r, objective) < cost_of(result, objective):
                current, result = candidate, r
            else:
                rejected.add((name, current[name], pair))

    feasible = [pair for pair in pairs if uniform[pair]["top1"] >= floor]
    best_uniform = min(feasible, key=lambda p: cost_of(uniform[p], objective))
    starts = [reference, {name: best_uniform for name in layers}]
    finals = [descend(start) for start in starts]
    winner, winner_result = min(finals, key=lambda f: cost_of(f[1], objective))
    final = evaluator.run(winner, "final", limit=final_limit)
    return {"layers": layers, "floor": floor, "objective": objective, "reference": ref, "top": top,
            "uniform": uniform, "best_uniform": best_uniform, "sensitivity": sensitivity,
            "winner": winner, "winner_result": winner_result, "final": final}


def overlay_yaml(outcome, evaluator):
    """assignment.yaml: the winner as a workload overlay."""
    import yaml

    final, best = outcome["final"], outcome["uniform"][outcome["best_uniform"]]
    data = {
        "workload": str(evaluator.workload),
        "arch": str(evaluator.arch),
        "objective": outcome["objective"],
        "floor_top1": round(outcome["floor"], 6),
        "top1": final["top1"],
        "images": final["images"],
        "energy_per_inference_pj": final["energy_pj"],
        "best_uniform": {"weight_format": outcome["best_uniform"][0], "activation_format": outcome["best_uniform"][1],
                         "top1": best["top1"], "energy_per_inference_pj": best["energy_pj"]},
        "set": {s.split("=", 1)[0]: s.split("=", 1)[1] for s in Evaluator.settings(outcome["winner"])},
        "layers": {n: {"weight_format": w, "activation_format": a} for n, (w, a) in sorted(outcome["winner"].items())},
    }
    return ("# qarch_dse.mixed: per-layer formats; `set:` goes into a sweep spec's set: or, as KEY=VALUE,\n"
            "# to qarch run --set. Top-1 and energy are qarch's for these settings.\n"
            + yaml.safe_dump(data, sort_keys=False))


def evaluations_csv(evaluator):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["kind", "images", "top1", "energy_per_inference_pj", "edp", "assignment"])
    for kind, key in evaluator.order:
        r = evaluator.cache[key]
        w.writerow([kind, r["images"], r["top1"], r["energy_pj"], r["edp"], describe(dict(key[0]))])
    return out.getvalue()


def plot(outcome, evaluator, path, title):
    """Top-1 against energy per inference: uniform assignments, every verified mixed one, the
    winner, the floor."""
    from .plots import pyplot, save_png

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    uniform = outcome["uniform"]
    ax.scatter([uniform[p]["energy_pj"] / 1e6 for p in uniform], [100 * uniform[p]["top1"] for p in uniform],
               marker="s", color="tab:blue", label="uniform (weights/activations)")
    for p, r in uniform.items():
        ax.annotate(f"{p[0]}/{p[1]}", (r["energy_pj"] / 1e6, 100 * r["top1"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    mixed = [evaluator.cache[key] for kind, key in evaluator.order if kind == "verified"]
    ax.scatter([r["energy_pj"] / 1e6 for r in mixed], [100 * r["top1"] for r in mixed], marker=".",
               color="tab:orange", alpha=0.6, label="mixed (verified during the search)")
    win = outcome["winner_result"]
    ax.scatter([win["energy_pj"] / 1e6], [100 * win["top1"]], marker="*", s=160, color="tab:red",
               label="chosen mixed assignment", zorder=3)
    ax.axhline(100 * outcome["floor"], color="gray", linestyle="--", linewidth=1,
               label=f"top-1 floor {100 * outcome['floor']:.2f} %")
    energies = [uniform[p]["energy_pj"] for p in uniform] + [r["energy_pj"] for r in mixed]
    spans_decades = max(energies) > 10 * min(energies)
    if spans_decades:
        ax.set_xscale("log")
    ax.set_xlabel("energy per inference (µJ" + (", log scale)" if spans_decades else ")"))
    ax.set_ylabel("top-1 (%)")
    # Down to 8 points below the floor: assignments far below it (int2 everywhere) would squash
    # the interesting part; they are in evaluations.csv.
    tops = [100 * uniform[p]["top1"] for p in uniform] + [100 * r["top1"] for r in mixed]
    ax.set_ylim(max(0, 100 * outcome["floor"] - 8), max(tops) + 1)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    save_png(fig, path)


def _formats(text):
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list of formats, widest first")
    return items


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m qarch_dse.mixed", description=__doc__.splitlines()[0])
    p.add_argument("--arch", required=True, help="design point YAML")
    p.add_argument("--workload", required=True, help="qarch YAML network with weights")
    p.add_argument("--weight-formats", type=_formats, required=True, help="candidates, widest (the reference) first")
    p.add_argument("--activation-formats", type=_formats, required=True, help="candidates, widest first")
    floor = p.add_mutually_exclusive_group()
    floor.add_argument("--max-drop", type=float, default=0.01, help="top-1 floor: the reference's minus this (default 0.01)")
    floor.add_argument("--min-top1", type=float, default=None, help="top-1 floor as a fraction")
    p.add_argument("--objective", choices=OBJECTIVES, default="energy", help="energy per inference, or energy x latency")
    p.add_argument("--limit", type=int, default=None, help="test images per search run (default: all)")
    p.add_argument("--final-limit", type=int, default=None, help="test images of the final run (default: all)")
    p.add_argument("--set", action="append", default=[], help="an architecture setting for every run (KEY=VALUE)")
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--qarch", default=None, help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
    p.add_argument("--out", required=True, help="directory for assignment.yaml, evaluations.csv, pareto.png")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    for s in args.set:
        if "=" not in s:
            p.error(f"--set {s}: expected KEY=VALUE")
    log = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    ev = Evaluator(args.arch, args.workload, args.limit, args.dataset, args.qarch, args.set, log=log)
    try:
        outcome = search(ev, args.weight_formats, args.activation_formats, floor=args.min_top1,
                         max_drop=args.max_drop, objective=args.objective, final_limit=args.final_limit)
        os.makedirs(args.out, exist_ok=True)
        from .studies.common import write_text_atomic

        write_text_atomic(os.path.join(args.out, "assignment.yaml"), overlay_yaml(outcome, ev))
        write_text_atomic(os.path.join(args.out, "evaluations.csv"), evaluations_csv(ev))
        plot(outcome, ev, os.path.join(args.out, "pareto.png"), f"{os.path.basename(args.workload)}: mixed vs uniform")
    except (SearchError, QarchError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    final, best = outcome["final"], outcome["uniform"][outcome["best_uniform"]]
    print(f"mixed:   top-1 {100 * final['top1']:.2f} % on {final['images']} images, "
          f"{final['energy_pj'] / 1e6:.4f} uJ per inference: {describe(outcome['winner'])}")
    print(f"uniform: top-1 {100 * best['top1']:.2f} %, {best['energy_pj'] / 1e6:.4f} uJ per inference "
          f"({outcome['best_uniform'][0]} weights, {outcome['best_uniform'][1]} activations)")
    print(f"wrote {args.out}/assignment.yaml, evaluations.csv and pareto.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
