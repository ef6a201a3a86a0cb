"""Smoke-and-sense tests of studies 000, 001, 002, 004, 005 and 006 (qarch_dse.studies.*) in --quick mode.

Each study runs end to end on tiny settings into a scratch directory; the tests then check its
results.json for what must hold whatever the training noise: qarch's functional top-1 equals the
training script's float64 evaluation of the same exported network (integer formats), energy and
memory follow the bit widths, QAT beats post-training quantization where PTQ cannot work.
(study 003 is tested in tests/python/test_studies_common.py.)
Runs with: PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/studies
"""

import json
import math
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from qarch_dse import DATASET

REPO = Path(__file__).resolve().parents[2]

try:
    import numpy as np
    import torch  # noqa: F401
    import yaml  # noqa: F401
    import matplotlib  # noqa: F401
    HAVE = os.path.isdir(DATASET)
except ImportError:  # pragma: no cover
    HAVE = False


def run_study(study, directory):
    work, page = os.path.join(directory, "work"), os.path.join(directory, "page.md")
    r = subprocess.run(["/usr/bin/python3", "-m", f"qarch_dse.studies.{study}", "--quick", "--work", work,
                        "--out", page, "--jobs", "2"], capture_output=True, text=True, cwd=REPO)
    if r.returncode != 0:
        raise AssertionError(f"{study} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    with open(os.path.join(work, "results.json")) as f:
        results = json.load(f)
    with open(page) as f:
        return results, f.read()


@unittest.skipUnless(HAVE, "needs python3-torch, python3-yaml, python3-matplotlib and dataset-fashion-mnist")
class Studies(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="qarch-study-test-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_000_fp_weights(self):
        results, page = run_study("fp_weights", self.dir)
        self.assertIn("<!-- study-000:end -->", page)
        for model, r in results["models"].items():
            weights = [np.load(p) for p in (REPO / "workloads" / "fashion" / "weights").glob(f"{model}_*_weight.npy")]
            top = max(math.floor(math.log2(float(np.abs(w).max()))) for w in weights)
            self.assertEqual(r["top_binade"], top)

            def covers(e):  # normal binades of fp<e,m> at scale 1 reach max|w| and 2^(top - 8)
                bias = 2 ** (e - 1) - 1
                return 1 - bias <= top - 8 and bias >= top

            self.assertTrue(covers(r["e_star"]))
            self.assertFalse(covers(r["e_star"] - 1))
            grid = {(g["e"], g["m"]): g for g in r["grid"]}
            for (e, m), g in grid.items():  # weights cost 1 + e + m bits each
                bits = 1 + e + m
                self.assertEqual(g["weight_bytes"], sum(math.ceil(w.size * bits / 8) for w in weights))
            e = r["e_star"]
            self.assertLess(grid[(e, 2)]["energy_pj"], grid[(e, 4)]["energy_pj"])
            self.assertLess(grid[(e, 4)]["energy_pj"], r["fp32"]["energy_pj"])

    def test_001_precision(self):
        results, page = run_study("precision", self.dir)
        self.assertIn("CIFAR-10", page)
        nets = results["networks"]
        for model in ("lenet5", "mlp"):
            energy = [nets[f"{model}/{label}/ptq"]["energy_pj"] for label in ("FP32", "FP16", "Fixed8", "Fixed4", "Binary")]
            self.assertEqual(energy, sorted(energy, reverse=True), model)
            self.assertEqual(nets[f"{model}/FP32/ptq"]["weight_bytes"], 4 * nets[f"{model}/Fixed8/ptq"]["weight_bytes"])
            # qarch runs exactly what the training script evaluated (integer arithmetic is exact)
            for label in ("Fixed8", "Fixed4", "Pow2", "Binary"):
                for kind in ("ptq", "qat"):
                    n = nets[f"{model}/{label}/{kind}"]
                    self.assertEqual(n["top1"], n["reference_top1_qat_script"], f"{model} {label} {kind}")
            self.assertGreater(nets[f"{model}/Binary/qat"]["top1"], nets[f"{model}/Binary/ptq"]["top1"] + 0.2)
            self.assertIn(f"{model}/Binary/cyclic", nets)
        cifar = results["cifar10_full"]
        self.assertLess(cifar["Binary"]["energy_pj"], cifar["Fixed8"]["energy_pj"])
        self.assertLess(cifar["Fixed8"]["energy_pj"], cifar["FP32"]["energy_pj"])

    def test_002_pow2(self):
        results, page = run_study("pow2", self.dir)
        self.assertIn("int8 / this (datapath)", page)
        cost = results["cost"]
        for w in ("lenet5", "mlp", "cifar10_full", "resnet50"):
            area = [cost[f"{w}/{k}"]["mac_area_mm2"] for k in ("int8", "int4", "pow2_4", "pow2_3")]
            self.assertEqual(area, sorted(area, reverse=True), w)
            self.assertLess(cost[f"{w}/pow2_4"]["datapath_pj"], cost[f"{w}/int4"]["datapath_pj"])
            self.assertEqual(cost[f"{w}/pow2_4"]["macs"], cost[f"{w}/int8"]["macs"])
        for key, n in results["accuracy"].items():
            self.assertEqual(n["top1"], n["reference_top1_qat_script"], key)

    def test_004_min_energy(self):
        results, page = run_study("min_energy", self.dir)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "images", "004_energy_accuracy.png")))
        nets, widths = results["networks"], results["widths"]
        for label in ("binary", "int2", "int4", "int8", "fp16"):
            energy = [nets[f"{label}/w{w:g}"]["energy_pj"] for w in widths]
            self.assertEqual(energy, sorted(energy), label)  # wider costs more
        for w in widths:
            energy = [nets[f"{label}/w{w:g}"]["energy_pj"] for label in ("binary", "int4", "int8", "fp16")]
            self.assertEqual(energy, sorted(energy), f"width {w}")
            for label in ("binary", "int2", "int4", "int8"):
                n = nets[f"{label}/w{w:g}"]
                self.assertEqual(n["top1"], n["reference_top1_qat_script"], f"{label} width {w}")

    def test_005_block_formats(self):
        results, page = run_study("block_formats", self.dir)
        self.assertIn("Iso-accuracy", page)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "images", "005_block_formats.png")))
        runs = results["runs"]
        for model in ("lenet5", "mlp"):
            # Storage follows bits per element with the scales (4.25 < 4.5 < 5 < 6.25 < 8 < 8.25).
            order = ["MXFP4", "NVFP4", "int4_g32", "MXFP6", "int8", "MXFP8"]
            weights = [runs[f"{model}/{label}"]["weight_bytes"] for label in order]
            self.assertEqual(weights, sorted(weights), model)
            self.assertEqual(runs[f"{model}/MXFP8"]["weight_bytes"], runs[f"{model}/MXINT8"]["weight_bytes"])
            for label in ("int8", "MXFP8", "MXINT8", "MXFP6", "NVFP4", "int4_g32"):
                run = runs[f"{model}/{label}"]
                self.assertGreater(run["top1"], run["reference_top1"] - 0.05, f"{model} {label}")
                self.assertEqual(run["macs"], runs[f"{model}/int8"]["macs"])

    def test_006_mixed_precision(self):
        results, page = run_study("mixed_precision", self.dir)
        self.assertIn("<!-- study-006:end -->", page)
        for key, case in results["cases"].items():
            with self.subTest(key):
                self.assertTrue(os.path.exists(os.path.join(self.dir, "images", case["plot"])))
                mixed, uniform = case["mixed"], case["uniform"]
                # On the search images: the floor held, no dearer than the best uniform assignment.
                self.assertGreaterEqual(mixed["search_top1"], case["floor"])
                self.assertGreaterEqual(uniform["search_top1"], case["floor"])
                self.assertLessEqual(mixed["search_energy_pj"], uniform["search_energy_pj"])
                self.assertEqual(sorted(mixed["layers"]), ["conv1", "conv2", "fc1", "fc2", "fc3"])
        # BitFusion bricks: only whole-brick formats.
        for name, (w, a) in results["cases"]["lenet5/BitFusion"]["mixed"]["layers"].items():
            self.assertIn(w, ("int8", "int4", "int2"), name)
            self.assertIn(a, ("int8", "int4"), name)


if __name__ == "__main__":
    unittest.main()
