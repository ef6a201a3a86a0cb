"""Tests of qarch_dse.studies.common, workloads/cifar10_full.yaml and study 003's --quick run.

Run with:  PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
(ctest sets both; QARCH_EXE defaults to build/src/cli/qarch). About 30 s, most of it study 003 --quick.
"""

import contextlib
import io
import math
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

import qarch_dse
from qarch_dse.studies import common

REPO = Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3"
CIFAR_MACS = 12_298_240  # the hand count in workloads/cifar10_full.yaml


def setUpModule():
    qarch_dse.find_qarch()  # a missing executable fails every test here, with the reason


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
        a = common.parse_common_args("t", [])
        self.assertEqual((a.limit, a.quick, a.jobs, a.out), (10000, False, 2, None))
        self.assertEqual(a.qarch, qarch_dse.find_qarch())
        self.assertEqual(common.parse_common_args("t", ["--quick"]).limit, common.QUICK_LIMIT)
        self.assertEqual(common.parse_common_args("t", ["--quick", "--limit", "7"]).limit, 7)
        a = common.parse_common_args("t", ["--plot"], extra=[("--plot", {"action": "store_true"})])
        self.assertTrue(a.plot)
        a = common.parse_common_args("t", ["--n", "3"], extra=lambda p: p.add_argument("--n", type=int))
        self.assertEqual(a.n, 3)

    def test_a_missing_qarch_stops_the_study_before_its_work(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as cm:
            common.parse_common_args("t", ["--qarch", "/nonexistent/qarch"])
        self.assertEqual(cm.exception.code, 2)
        self.assertIn("no qarch executable at /nonexistent/qarch", err.getvalue())


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
        run = qarch_dse.run_reports("configs/int8.yaml", path, cwd=REPO)
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
            r = subprocess.run([PY, "-m", "qarch_dse.studies.approx_multipliers", "--quick", "--out", str(page)],
                               capture_output=True, text=True, cwd=REPO, timeout=300)
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
