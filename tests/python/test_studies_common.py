"""Tests of scripts/studies/common.py, workloads/cifar10_full.yaml and study 003's --quick run.

Run with:  QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
(QARCH_EXE defaults to build/src/cli/qarch). About 30 s, most of it study 003 --quick.
"""

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "studies"))

import common  # noqa: E402

QARCH = os.environ.get("QARCH_EXE") or str(REPO / "build" / "src" / "cli" / "qarch")
PY = "/usr/bin/python3"
CIFAR_MACS = 12_298_240  # the hand count in workloads/cifar10_full.yaml


def setUpModule():
    if not os.access(QARCH, os.X_OK):
        raise unittest.SkipTest(f"no qarch executable at {QARCH} (set QARCH_EXE)")
    common.use_qarch(QARCH)


class QarchRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lenet = common.qarch_run("configs/int8.yaml", "workloads/lenet5.yaml")

    def test_matches_a_direct_qarch_run(self):
        direct = subprocess.run([QARCH, "run", "--arch", "configs/int8.yaml", "--workload",
                                 "workloads/lenet5.yaml", "--format", "json"],
                                capture_output=True, text=True, cwd=REPO, check=True)
        expected = json.loads(direct.stdout)
        s = self.lenet["summary"]
        for key in ("macs", "energy_pj", "total_cycles", "area_um2", "weight_bytes"):
            self.assertEqual(s[key], expected[key], key)
        self.assertEqual([r["name"] for r in self.lenet["layers"]], [r["name"] for r in expected["layers"]])
        for row, ref in zip(self.lenet["layers"], expected["layers"]):
            self.assertEqual(row["macs"], ref["macs"])
            self.assertEqual(row["energy_pj"], ref["energy_pj"])  # CSV keeps the shortest exact form

    def test_layers_add_up_to_the_summary(self):
        layers, s = self.lenet["layers"], self.lenet["summary"]
        self.assertTrue(math.isclose(sum(r["energy_pj"] for r in layers), s["energy_pj"], rel_tol=1e-12))
        self.assertEqual(sum(r["macs"] for r in layers), s["macs"])
        for r in layers:  # the components add up to each layer's energy (docs/reports.md)
            parts = sum(v for k, v in r.items() if k.startswith("energy_") and k != "energy_pj")
            self.assertTrue(math.isclose(parts, r["energy_pj"], rel_tol=1e-9), r["name"])

    def test_lenet5_macs_equal_the_closed_form(self):
        conv1 = 28 * 28 * 6 * (1 * 5 * 5)
        conv2 = 10 * 10 * 16 * (6 * 5 * 5)
        fc = 16 * 5 * 5 * 120 + 120 * 84 + 84 * 10
        self.assertEqual(self.lenet["summary"]["macs"], conv1 + conv2 + fc)
        self.assertEqual(conv1 + conv2 + fc, 416_520)

    def test_cells_are_typed(self):
        conv1, relu1 = self.lenet["layers"][0], self.lenet["layers"][1]
        self.assertIsInstance(conv1["macs"], int)
        self.assertIsInstance(conv1["energy_pj"], float)
        self.assertEqual(conv1["output_shape"], "6x28x28")
        self.assertEqual(conv1["weight_format"], "int8")
        self.assertIsNone(relu1["pj_per_mac"])  # empty cell: no MACs
        self.assertIn("--out OUT", self.lenet["command"])

    def test_functional_run_reports_top1(self):
        r = common.qarch_run("configs/int8.yaml", "workloads/fashion/mlp.yaml", functional=True, limit=20)
        self.assertEqual(r["summary"]["images"], 20)
        self.assertGreater(r["summary"]["top1"], 0.5)
        self.assertIsInstance(r["layers"][0]["overflowed_accumulations"], int)


class ErrorTest(unittest.TestCase):
    def test_study_error_carries_stderr(self):
        with tempfile.TemporaryDirectory() as d:
            bad = Path(d) / "bad.yaml"
            bad.write_text((REPO / "configs" / "int8.yaml").read_text().replace("rows: 32", "rowz: 32"))
            with self.assertRaises(common.StudyError) as cm:
                common.qarch_run(bad, "workloads/lenet5.yaml")
            direct = subprocess.run([QARCH, "validate", "--arch", str(bad)], capture_output=True, text=True)
        message = str(cm.exception)
        self.assertIn("rowz", message)
        self.assertIn(str(bad), message)  # the command
        self.assertIn("exited with status", message)
        self.assertNotEqual(direct.returncode, 0)

    def test_missing_executable(self):
        saved = common.QARCH
        try:
            common.use_qarch("/nonexistent/qarch")
            with self.assertRaises(common.StudyError):
                common.run_qarch(["--version"])
        finally:
            common.use_qarch(saved)


class TextTest(unittest.TestCase):
    def test_md_table(self):
        self.assertEqual(common.md_table(["a", "b"], [[1, None], ["x|y", 2.5]]),
                         "| a | b |\n|---|---|\n| 1 | – |\n| x\\|y | 2.5 |\n")
        with self.assertRaises(ValueError):
            common.md_table(["a", "b"], [[1]])

    def test_write_between_markers(self):
        with tempfile.TemporaryDirectory() as d:
            page = Path(d) / "p.md"
            page.write_text("intro\n<!-- x:begin -->\nold\nlines\n<!-- x:end -->\noutro\n")
            common.write_between_markers(page, "<!-- x:begin -->", "<!-- x:end -->", "new")
            self.assertEqual(page.read_text(), "intro\n<!-- x:begin -->\nnew\n<!-- x:end -->\noutro\n")
            common.write_between_markers(page, "<!-- x:begin -->", "<!-- x:end -->", "a\nb\n")
            self.assertEqual(page.read_text(), "intro\n<!-- x:begin -->\na\nb\n<!-- x:end -->\noutro\n")
            before = page.read_text()
            for begin, end in (("<!-- y:begin -->", "<!-- x:end -->"), ("<!-- x:end -->", "<!-- x:begin -->")):
                with self.assertRaises(common.StudyError):
                    common.write_between_markers(page, begin, end, "z")
            page.write_text(before + "<!-- x:end -->\n")
            with self.assertRaises(common.StudyError):  # repeated marker
                common.write_between_markers(page, "<!-- x:begin -->", "<!-- x:end -->", "z")
            with self.assertRaises(common.StudyError):
                common.write_between_markers(Path(d) / "absent.md", "a", "b", "z")
            self.assertEqual(sorted(p.name for p in Path(d).iterdir()), ["p.md"])  # no temporaries

    def test_write_text_atomic_creates_parents(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "a" / "b.txt"
            common.write_text_atomic(path, "x")
            common.write_text_atomic(path, "y")
            self.assertEqual(path.read_text(), "y")
            self.assertEqual(os.listdir(path.parent), ["b.txt"])

    def test_parse_common_args(self):
        saved = common.QARCH
        try:
            a = common.parse_common_args("t", [])
            self.assertEqual((a.limit, a.quick, a.jobs, a.out), (10000, False, 2, None))
            self.assertEqual(common.parse_common_args("t", ["--quick"]).limit, common.QUICK_LIMIT)
            self.assertEqual(common.parse_common_args("t", ["--quick", "--limit", "7"]).limit, 7)
            a = common.parse_common_args("t", ["--plot", "--qarch", "/x/qarch"],
                                         extra=[("--plot", {"action": "store_true"})])
            self.assertTrue(a.plot)
            self.assertEqual(common.QARCH, "/x/qarch")
            a = common.parse_common_args("t", ["--n", "3"], extra=lambda p: p.add_argument("--n", type=int))
            self.assertEqual(a.n, 3)
        finally:
            common.use_qarch(saved)


def caffe_cifar10_full_macs():
    """Caffe's cifar10_full from its prototxt's numbers, pooling sizes rounded up as Caffe does."""
    def conv(h, k, pad):
        return h + 2 * pad - k + 1

    def pool(h, k, s):
        return math.ceil((h - k) / s) + 1

    macs, c, h = 0, 3, 32
    for filters, pool_kernel in ((32, 3), (32, 3), (64, 3)):
        h = conv(h, 5, 2)
        macs += h * h * filters * c * 5 * 5
        c, h = filters, pool(h, pool_kernel, 2)
    return macs + c * h * h * 10


def yaml_macs(path):
    """MACs of a qarch workload from its YAML, by docs/workloads.md's shape rules (floor mode)."""
    import yaml
    net = yaml.safe_load(Path(path).read_text())
    c, h, w = net["input"]["channels"], net["input"]["height"], net["input"]["width"]
    macs = []

    def pads(layer):  # (top, bottom, left, right)
        p = layer.get("padding", 0)
        if isinstance(p, int):
            return p, p, p, p
        return (p[0], p[0], p[1], p[1]) if len(p) == 2 else tuple(p)

    for layer in net["layers"]:
        t = layer["type"]
        if t in ("conv2d", "maxpool", "avgpool"):
            k, s = layer["kernel"], layer.get("stride", layer["kernel"] if t != "conv2d" else 1)
            top, bottom, left, right = pads(layer)
            oh, ow = (h + top + bottom - k) // s + 1, (w + left + right - k) // s + 1
            if t == "conv2d":
                macs.append((layer["name"], oh * ow * layer["filters"] * c * k * k))
                c = layer["filters"]
            h, w = oh, ow
        elif t == "fc":
            macs.append((layer["name"], c * h * w * layer["out_features"]))
            c, h, w = layer["out_features"], 1, 1
    return macs


class Cifar10FullTest(unittest.TestCase):
    def test_macs_equal_an_independent_count(self):
        path = REPO / "workloads" / "cifar10_full.yaml"
        expected = yaml_macs(path)
        self.assertEqual(sum(m for _, m in expected), CIFAR_MACS)
        self.assertEqual(caffe_cifar10_full_macs(), CIFAR_MACS)  # the padding reproduces ceil mode
        run = common.qarch_run("configs/int8.yaml", path)
        self.assertEqual(run["summary"]["macs"], CIFAR_MACS)
        self.assertEqual([(r["name"], r["macs"]) for r in run["layers"] if r["macs"]], expected)
        shapes = {r["name"]: r["output_shape"] for r in run["layers"]}
        self.assertEqual((shapes["pool1"], shapes["pool2"], shapes["pool3"]), ("32x16x16", "32x8x8", "64x4x4"))


def table_rows(page, marker):
    """The markdown table rows (lists of cells) between a study-003 marker pair."""
    section = page.split(f"<!-- study-003:{marker}:begin -->")[1].split(f"<!-- study-003:{marker}:end -->")[0]
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| ") and not line.startswith("|---")]


def number(cell):
    return float(re.sub(r"[^0-9.eE+-]", "", cell.replace("−", "-")))


class Study003QuickTest(unittest.TestCase):
    def test_quick_run_writes_the_page(self):
        with tempfile.TemporaryDirectory() as d:
            page = Path(d) / "003.md"
            env = dict(os.environ, QARCH_EXE=QARCH)
            r = subprocess.run([PY, str(REPO / "scripts" / "studies" / "study_003_approx_multipliers.py"),
                                "--quick", "--out", str(page)], capture_output=True, text=True, env=env,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            text = page.read_text()
        self.assertIn("--quick smoke run", text)
        mult = table_rows(text, "multiplier")
        header = mult[0]
        rows = [dict(zip(header, row)) for row in mult[1:] if row[0] == "`posit<8,1>`"]
        self.assertEqual(len(rows), 3)
        for row in rows:
            self.assertLess(number(row["PLAM µm²"]), number(row["exact µm²"]), row["unit"])
            self.assertLess(number(row["PLAM pJ"]), number(row["exact pJ"]), row["unit"])
        mac = table_rows(text, "mac")
        by_point = {row[0]: dict(zip(mac[0], row)) for row in mac[1:]}
        bf16 = number(by_point["bf16"]["MAC pJ"])
        for point in ("Mitch-w6 preset", "Mitch-w6 on bf16", "Mitch-w6 int8 (fair)"):
            self.assertLess(number(by_point[point]["MAC pJ"]), bf16, point)
        net = table_rows(text, "network")
        labels = [row[0] for row in net[1:]]
        self.assertIn("Mitch-w6 int8 (fair)", labels)
        self.assertIn("200 Fashion-MNIST test images", text)


if __name__ == "__main__":
    unittest.main()
