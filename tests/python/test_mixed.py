"""Tests of qarch_dse.mixed, the mixed-precision search: on the MLP with a few test images, the
winner holds the floor and is no worse than the best uniform assignment, and its overlay,
run by qarch on its own, gives the figures the search recorded.

Run with:  PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import yaml

import qarch_dse
from qarch_dse import mixed

REPO = Path(__file__).resolve().parents[2]
ARCH = str(REPO / "configs" / "int8.yaml")
MLP = str(REPO / "workloads" / "fashion" / "mlp.yaml")
LIMIT = 150


def setUpModule():
    qarch_dse.find_qarch()


class MixedSearch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="qarch-mixed-test-")
        cls.ev = mixed.Evaluator(ARCH, MLP, limit=LIMIT)
        cls.outcome = mixed.search(cls.ev, ["int8", "int4", "int2"], ["int8", "int4"], max_drop=0.02,
                                   final_limit=LIMIT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_the_winner_holds_the_floor_and_beats_every_feasible_uniform_assignment(self):
        o = self.outcome
        self.assertAlmostEqual(o["floor"], o["reference"]["top1"] - 0.02)
        win = o["winner_result"]
        self.assertGreaterEqual(win["top1"], o["floor"])
        feasible = [r for r in o["uniform"].values() if r["top1"] >= o["floor"]]
        self.assertTrue(feasible)
        self.assertLessEqual(win["energy_pj"], min(r["energy_pj"] for r in feasible))
        self.assertEqual(len(o["uniform"]), 6)  # every pair
        self.assertEqual(sorted(o["winner"]), ["fc1", "fc2", "fc3"])  # the layers with MACs

    def test_sensitivity_is_each_layer_alone(self):
        o = self.outcome
        ref = o["reference"]["top1"]
        for (name, pair), s in o["sensitivity"].items():
            r = s["result"]
            self.assertAlmostEqual(s["drop"], ref - r["top1"])
            self.assertIsNotNone(s["sqnr_db"], f"{name} {pair}: functional runs report SQNR")
        # int2 weights in fc1 alone lose more than int4 weights there.
        self.assertGreaterEqual(o["sensitivity"][("fc1", ("int2", "int8"))]["drop"],
                                o["sensitivity"][("fc1", ("int4", "int8"))]["drop"])

    def test_the_overlay_run_by_qarch_gives_the_recorded_figures(self):
        o = self.outcome
        text = mixed.overlay_yaml(o, self.ev)
        overlay = yaml.safe_load(text)
        self.assertEqual({n: (v["weight_format"], v["activation_format"]) for n, v in overlay["layers"].items()},
                         o["winner"])
        args = [qarch_dse.find_qarch(), "run", "--arch", ARCH, "--workload", MLP, "--functional", "--limit",
                str(LIMIT), "--quiet", "--format", "json"]
        for key, value in overlay["set"].items():
            args += ["--set", f"{key}={value}"]
        r = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = json.loads(r.stdout)
        self.assertEqual(summary["top1"], o["final"]["top1"])
        self.assertEqual(summary["energy_per_inference_pj"], o["final"]["energy_pj"])
        self.assertEqual(overlay["top1"], o["final"]["top1"])

    def test_the_command_writes_its_files_and_refuses_an_unreachable_floor(self):
        out = os.path.join(self.dir, "cli")
        env = dict(os.environ, PYTHONPATH=str(REPO / "scripts"))
        base = [sys.executable, "-m", "qarch_dse.mixed", "--arch", ARCH, "--workload", MLP, "--weight-formats",
                "int8,int4", "--activation-formats", "int8", "--limit", "60", "--final-limit", "60", "--quiet",
                "--out", out]
        r = subprocess.run(base, capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("assignment.yaml", "evaluations.csv", "pareto.png"):
            self.assertTrue(os.path.getsize(os.path.join(out, name)) > 0, name)
        self.assertIn("mixed:", r.stdout)
        bad = subprocess.run(base + ["--min-top1", "1.01"], capture_output=True, text=True, env=env)
        self.assertEqual(bad.returncode, 2)
        self.assertTrue(bad.stderr.startswith("error: the reference"), bad.stderr)
        wrong = subprocess.run(base[:-2] + ["--out", out, "--set", "pe_array.rows"], capture_output=True, text=True,
                               env=env)
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("expected KEY=VALUE", wrong.stderr)


if __name__ == "__main__":
    unittest.main()
