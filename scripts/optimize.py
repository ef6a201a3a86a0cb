#!/usr/bin/python3
"""Multi-objective search of a sweep spec's design space with Optuna (NSGA-II), and how far it
gets with how many evaluations compared with the full sweep.

  scripts/optimize.py --spec configs/sweeps/array_dataflow.yaml --trials 8 \\
      --minimize latency_s --minimize weight_bytes

Each evaluation is one design point of the spec, run as its own qarch process into the
search's own directory (default out/optimize/<spec name>). The comparison runs (or resumes)
the full sweep into out/sweeps/<spec name> -- or reads --full results.csv -- takes its Pareto
front over the same objectives, and reports after each evaluation how many points of that true
front the search has found. Objectives that the first evaluated point leaves empty (not
computed by any model yet) are dropped with a note. Defaults: minimize energy_pj and latency_s,
maximize top1. Needs Debian's python3-optuna and python3-pandas.
"""

import argparse
import csv
import io
import math
import os
import sys

import qarch_dse
from qarch_dse import QarchError, pareto_indices


def search_space(plan):
    """One categorical choice per group of axes that advance together; returns the groups as
    (name, [keys], [tuples]) and a map from the full value tuple to the point."""
    groups = []
    for keys in plan["groups"]:
        tuples = []
        for p in plan["points"]:
            t = tuple(p["values"][k] for k in keys)
            if t not in tuples:
                tuples.append(t)
        groups.append(("|".join(keys), keys, tuples))
    by_values = {tuple(p["values"][k] for k in plan["axes"]): p for p in plan["points"]}
    return groups, by_values


def objective_values(metrics, objectives):
    values = []
    for column, _ in objectives:
        v = metrics.get(column)
        values.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan)
    return values


def true_front(results, objectives):
    """Ids on the Pareto front of a full sweep's DataFrame."""
    cols = [c for c, _ in objectives]
    ok = results[(results["status"] == "ok") & results[cols].notna().all(axis=1)]
    values = [tuple(float(v) for v in row) for row in ok[cols].itertuples(index=False)]
    ids = ok["id"].tolist()
    return {ids[i] for i in pareto_indices(values, [up for _, up in objectives])}, len(ok)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--trials", type=int, default=20, help="evaluations (default 20)")
    parser.add_argument("--minimize", action="append", default=[], metavar="COLUMN")
    parser.add_argument("--maximize", action="append", default=[], metavar="COLUMN")
    parser.add_argument("--out", help="directory of the search's evaluations")
    parser.add_argument("--full", help="results.csv of the full sweep (default: run it)")
    parser.add_argument("--jobs", type=int, help="jobs for the full sweep")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--qarch", help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
    parser.add_argument("--report", help="also write the per-evaluation table as CSV here")
    args = parser.parse_args(argv)

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objectives = [(c, False) for c in args.minimize] + [(c, True) for c in args.maximize]
    if not objectives:
        objectives = [("energy_pj", False), ("latency_s", False), ("top1", True)]
    spec = os.path.abspath(args.spec)
    name = os.path.splitext(os.path.basename(spec))[0]
    out = os.path.abspath(args.out or os.path.join("out", "optimize", name))
    try:
        plan = qarch_dse.plan(spec, out, args.qarch)
        groups, by_values = search_space(plan)
        cache = {}

        def evaluate(point):
            if point["id"] not in cache:
                status = qarch_dse.run_points(spec, out, [point["id"]], args.qarch)[point["id"]]
                cache[point["id"]] = status
            return cache[point["id"]]

        # Drop the objectives no model fills yet, judged on the first point.
        probe = evaluate(plan["points"][0])
        if probe["status"] == "ok":
            empty = [c for c, _ in objectives if probe["metrics"].get(c) is None]
            for c in empty:
                print(f"note: {c} is empty (not computed by any model yet); dropped from the "
                      "objectives", file=sys.stderr)
            objectives = [o for o in objectives if o[0] not in empty]
        if not objectives:
            print("error: no objective has a value; choose others with --minimize/--maximize",
                  file=sys.stderr)
            return 2
        print("objectives: " + ", ".join(f"{'max' if up else 'min'} {c}" for c, up in objectives),
              file=sys.stderr)

        if args.full:
            full = qarch_dse.load_results(args.full)
        else:
            full = qarch_dse.sweep(spec, out=os.path.join("out", "sweeps", plan["name"]),
                                   jobs=args.jobs, qarch=args.qarch)
        front, candidates = true_front(full, objectives)

        sampler = optuna.samplers.NSGAIISampler(
            seed=args.seed, population_size=max(4, min(50, len(plan["points"]) // 4)))
        study = optuna.create_study(directions=["maximize" if up else "minimize" for _, up in objectives],
                                    sampler=sampler)
        rows = []
        evaluated = {}

        def trial_body(trial):
            values = {}
            for group_name, keys, tuples in groups:
                choice = trial.suggest_categorical(group_name, ["|".join(t) for t in tuples])
                values.update(zip(keys, choice.split("|")))
            point = by_values[tuple(values[k] for k in plan["axes"])]
            status = evaluate(point)
            result = objective_values(status["metrics"], objectives) if status["status"] == "ok" \
                else [math.nan] * len(objectives)
            if not any(math.isnan(v) for v in result):
                evaluated[point["id"]] = tuple(result)
            ids = list(evaluated)
            found_front = {ids[i] for i in pareto_indices([evaluated[i] for i in ids],
                                                          [up for _, up in objectives])}
            rows.append({"trial": trial.number + 1, "id": point["id"],
                         "distinct_points": len(cache), "front_found": len(found_front & front),
                         "front_size": len(front)})
            return result

        study.optimize(trial_body, n_trials=args.trials)
    except QarchError as e:
        print(e.stderr.rstrip() if e.stderr else f"error: {e}", file=sys.stderr)
        return 2

    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=list(rows[0]) if rows else ["trial"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if args.report:
        tmp = args.report + ".tmp"
        with open(tmp, "w") as f:
            f.write(table.getvalue())
        os.replace(tmp, args.report)
    print(f"full sweep: {len(plan['points'])} points, {candidates} with every objective, "
          f"{len(front)} on the Pareto front")
    print("trial  distinct points run  true-front points found")
    for r in rows:
        print(f"{r['trial']:5}  {r['distinct_points']:19}  {r['front_found']:3} of {r['front_size']}")
    if rows:
        last = rows[-1]
        print(f"after {last['trial']} trials ({last['distinct_points']} distinct points, "
              f"{100 * last['distinct_points'] / len(plan['points']):.0f}% of the sweep) the search "
              f"found {last['front_found']} of the {last['front_size']} Pareto-optimal points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
