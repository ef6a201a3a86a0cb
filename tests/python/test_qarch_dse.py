"""Tests of qarch_dse's sweeps, Pareto fronts and plots, the plot scripts, sweep_dask.py and optimize.py.

Run with:  PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
Needs Debian's python3-pandas, python3-matplotlib, python3-distributed, python3-optuna,
python3-yaml. Metrics that no model computes yet (energy, accuracy) are not relied on: the
tests use macs, weight_bytes and latency_s, or synthetic results.csv files.
"""

import json
import os
import random
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import qarch_dse
from qarch_dse import pareto_indices
from qarch_dse.plots import PlotError, energy_bars, pareto_scatter

REPO = Path(__file__).resolve().parents[2]

PY = "/usr/bin/python3"
LENET = str(REPO / "workloads" / "lenet5.yaml")
TPU = str(REPO / "configs" / "tpu-like.yaml")


def write_spec(directory, axes, extra=""):
    path = Path(directory) / "spec.yaml"
    path.write_text(f"arch: {TPU}\nworkload: {LENET}\naxes:\n{axes}{extra}")
    return str(path)


class Scratch(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="qarch-dse-test-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class ParetoTest(unittest.TestCase):
    def brute(self, values, maximize):
        return [i for i, a in enumerate(values)
                if not any(qarch_dse.dominates(b, a, maximize) for b in values)]

    def test_matches_brute_force(self):
        rng = random.Random(7)
        for trial in range(300):
            k = 1 + trial % 3
            values = [tuple(rng.randint(0, 4 if trial % 2 else 100) for _ in range(k))
                      for _ in range(rng.randint(0, 40))]
            maximize = [rng.random() < 0.5 for _ in range(k)]
            self.assertEqual(pareto_indices(values, maximize), self.brute(values, maximize))

    def test_nan_rows_are_never_on_the_front(self):
        nan = float("nan")
        values = [(1.0, nan), (2.0, 2.0), (3.0, 1.0), (nan, 0.5)]
        self.assertEqual(pareto_indices(values, [False, False]), [1, 2])

    def test_mask_skips_failed_and_missing(self):
        import pandas as pd

        df = pd.DataFrame({"status": ["ok", "ok", "failed", "ok"],
                           "e": [1.0, 2.0, 0.5, float("nan")], "acc": [0.5, 0.9, 1.0, 1.0]})
        self.assertEqual(qarch_dse.pareto_mask(df, ["e"], ["acc"]).tolist(),
                         [True, True, False, False])


class RunAndSweepTest(Scratch):
    def test_run_returns_the_summary(self):
        summary = qarch_dse.run(TPU, LENET, {"pe_array.rows": 16, "memory.ideal": True})
        self.assertEqual(summary["macs"], 416520)
        self.assertEqual(summary["arch"]["pe_rows"], 16)

    def test_run_raises_with_the_error(self):
        with self.assertRaises(qarch_dse.QarchError) as caught:
            qarch_dse.run(TPU, LENET, {"pe_array.rows": 0})
        self.assertIn("pe_array.rows", str(caught.exception))

    def test_sweep_returns_results_as_a_dataframe(self):
        spec = write_spec(self.dir, "  pe_array.rows: [8, 16, 0]\n  pe_array.dataflow: [ws, os]\n")
        df = qarch_dse.sweep(spec, out=os.path.join(self.dir, "out"), jobs=2)
        self.assertEqual(len(df), 6)
        self.assertEqual(df["pe_array.rows"].tolist(), ["8", "8", "16", "16", "0", "0"])
        self.assertEqual(df["status"].tolist(), ["ok"] * 4 + ["failed"] * 2)
        self.assertTrue((df.loc[df.status == "ok", "macs"] == 416520).all())
        self.assertIn("pe_array.rows", df["error"].iloc[4])
        ok = df.status == "ok"
        self.assertTrue(df.loc[ok, "energy_pj"].notna().all())  # the cost model prices every ok point
        self.assertTrue(df.loc[~ok, "energy_pj"].isna().all())
        plan = qarch_dse.plan(spec, os.path.join(self.dir, "out"))
        self.assertEqual([p["status"] for p in plan["points"]], df["status"].tolist())

    def test_sweep_from_a_dict(self):
        df = qarch_dse.sweep({"name": "d", "arch": TPU, "workload": LENET,
                              "axes": {"pe_array.cols": {"from": 8, "to": 32, "factor": 2}}},
                             out=os.path.join(self.dir, "out"))
        self.assertEqual(df["pe_array.cols"].tolist(), ["8", "16", "32"])

    def test_bad_spec_raises_with_file_and_line(self):
        spec = write_spec(self.dir, "  pe_array.rows: [8]\n", "modes: zip\n")
        with self.assertRaises(qarch_dse.QarchError) as caught:
            qarch_dse.sweep(spec, out=os.path.join(self.dir, "out"))
        self.assertIn(f"{spec}:5:1: modes: unknown key (did you mean 'mode'?)", str(caught.exception))


SYNTHETIC = """point,id,pe_array.rows,status,macs,energy_pj,latency_s,energy_breakdown_pj.dram,energy_breakdown_pj.mac,error
0,a,8,ok,10,30,4,20,10,
1,b,16,ok,10,20,5,15,5,
2,c,32,ok,10,25,6,20,5,
3,d,64,failed,,,,,,"bad, value"
"""


class PlotTest(Scratch):
    def results(self, text=SYNTHETIC):
        path = Path(self.dir) / "results.csv"
        path.write_text(text)
        return str(path)

    def assert_figures(self, paths):
        self.assertEqual([p.suffix for p in paths], [".png", ".svg"])
        self.assertEqual(paths[0].read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn(b"<svg", paths[1].read_bytes()[:2000])

    def test_energy_bars_and_pareto_scatter(self):
        df = qarch_dse.load_results(self.results())
        self.assertEqual(df["pe_array.rows"].tolist(), ["8", "16", "32", "64"])
        self.assertEqual(df["error"].iloc[3], "bad, value")
        self.assert_figures(energy_bars(df, Path(self.dir) / "energy"))
        self.assert_figures(pareto_scatter(df, "energy_pj", "latency_s", Path(self.dir) / "p"))

    def test_scripts_write_png_and_svg_or_say_what_is_missing(self):
        results = self.results()
        for script, extra in (("plot_energy.py", []), ("plot_pareto.py", ["--x", "energy_pj"]),
                              ("plot_accuracy_energy.py", ["--accuracy", "latency_s"])):
            out = os.path.join(self.dir, script)
            proc = subprocess.run([PY, str(REPO / "scripts" / script), results, "--out", out] + extra,
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertTrue(os.path.getsize(out + ".png") > 1000)
            self.assertTrue(os.path.getsize(out + ".svg") > 1000)
        proc = subprocess.run([PY, str(REPO / "scripts" / "plot_accuracy_energy.py"), results,
                               "--out", os.path.join(self.dir, "acc")],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("error: ", proc.stderr)
        self.assertIn("top1", proc.stderr)

    def test_layers_plot_from_a_real_point(self):
        out = os.path.join(self.dir, "point")
        qarch_dse.run(TPU, LENET, {}, out_dir=out)
        proc = subprocess.run([PY, str(REPO / "scripts" / "plot_layers.py"),
                               os.path.join(out, "layers.csv"), "--out", os.path.join(self.dir, "l")],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "l.svg")))

    def test_empty_metric_is_a_plot_error(self):
        df = qarch_dse.load_results(self.results(SYNTHETIC.replace(",30,4,", ",,4,")
                                                 .replace(",20,5,", ",,5,").replace(",25,6,", ",,6,")))
        with self.assertRaises(PlotError):
            pareto_scatter(df, "energy_pj", "latency_s", Path(self.dir) / "x")
        # The empty column is the one named, whichever axis it is on (issue 22).
        df = qarch_dse.load_results(self.results(SYNTHETIC.replace(",30,4,", ",30,,")
                                                 .replace(",20,5,", ",20,,").replace(",25,6,", ",25,,")))
        with self.assertRaisesRegex(PlotError, "needs column 'latency_s'"):
            pareto_scatter(df, "energy_pj", "latency_s", Path(self.dir) / "x")


class DaskTest(Scratch):
    def test_local_cluster_of_two_workers_gives_the_same_results_and_resumes(self):
        from distributed import Client, LocalCluster

        from qarch_dse.dask_sweep import run_on_dask

        spec = write_spec(self.dir, "  pe_array.rows: [8, 16, 0]\n  pe_array.cols: [8, 32]\n")
        local = os.path.join(self.dir, "local")
        qarch_dse.sweep(spec, out=local, jobs=2)
        dask_out = os.path.join(self.dir, "dask")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        try:
            with Client(cluster, timeout=60) as client:
                self.assertEqual(len(client.scheduler_info()["workers"]), 2)
                first = run_on_dask(client, spec, dask_out, log=lambda line: None)
                self.assertEqual((first["ran"], first["ok"], first["failed"]), (6, 4, 2))
                self.assertEqual(Path(dask_out, "results.csv").read_bytes(),
                                 Path(local, "results.csv").read_bytes())
                again = run_on_dask(client, spec, dask_out, log=lambda line: None)
                self.assertEqual(again["ran"], 0)
                retried = run_on_dask(client, spec, dask_out, retry_failed=True, log=lambda line: None)
                self.assertEqual(retried["ran"], 2)
        finally:
            cluster.close(timeout=30)
        self.assertEqual(Path(dask_out, "results.csv").read_bytes(),
                         Path(local, "results.csv").read_bytes())


class OptimizeTest(Scratch):
    def test_search_reports_front_coverage_against_the_full_sweep(self):
        spec = write_spec(self.dir, "  pe_array.rows: [8, 16, 32]\n  pe_array.weight_format: [int8, int4]\n"
                                    "  pe_array.activation_format: [int8, int4]\n",
                          "zip: [[pe_array.weight_format, pe_array.activation_format]]\n"
                          f"name: opt\n")
        full = qarch_dse.sweep(spec, out=os.path.join(self.dir, "full"))
        report = os.path.join(self.dir, "report.csv")
        proc = subprocess.run([PY, str(REPO / "scripts" / "optimize.py"), "--spec", spec,
                               "--trials", "5", "--minimize", "latency_s", "--minimize", "weight_bytes",
                               "--full", os.path.join(self.dir, "full", "results.csv"),
                               "--out", os.path.join(self.dir, "search"), "--report", report],
                              capture_output=True, text=True, timeout=300, cwd=self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("full sweep: 6 points", proc.stdout)
        import pandas as pd

        rows = pd.read_csv(report)
        self.assertEqual(rows["trial"].tolist(), [1, 2, 3, 4, 5])
        front = qarch_dse.pareto_mask(full, ["latency_s", "weight_bytes"])
        self.assertTrue((rows["front_size"] == int(front.sum())).all())
        self.assertTrue(rows["front_found"].is_monotonic_increasing)
        # Every point the search ran is stored like a sweep's point.
        ran = [p for p in Path(self.dir, "search", "points").iterdir() if (p / "status.json").exists()]
        self.assertEqual(len(ran), rows["distinct_points"].iloc[-1])
        status = json.loads((ran[0] / "status.json").read_text())
        self.assertEqual(status["metrics"]["macs"], 416520)


if __name__ == "__main__":
    unittest.main()
