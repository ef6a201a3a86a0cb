"""Tests of qarch_dse.runner, the one place that runs the qarch executable.

Run with:  PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
(ctest sets both; QARCH_EXE defaults to build/src/cli/qarch).
"""

import json
import math
import os
import shutil
import stat
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import qarch_dse
from qarch_dse import QarchError, runner

REPO = Path(__file__).resolve().parents[2]


def setUpModule():
    qarch_dse.find_qarch()  # a missing executable fails every test here, with the reason


class Scratch(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="qarch-runner-test-"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def script(self, name, body):
        """An executable shell script in the scratch directory."""
        path = self.dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path


class FindQarchTest(Scratch):
    def test_missing_executable_is_a_clear_error(self):
        missing = self.dir / "no" / "qarch"
        with self.assertRaises(QarchError) as cm:
            qarch_dse.find_qarch(missing)
        message = str(cm.exception)
        self.assertIn(f"no qarch executable at {missing}", message)
        self.assertIn("scripts/setup.sh", message)
        self.assertIn("QARCH_EXE", message)
        self.assertIsNone(cm.exception.returncode)
        with self.assertRaises(QarchError):  # every entry point checks first
            qarch_dse.run("configs/int8.yaml", "workloads/lenet5.yaml", qarch=missing)
        with self.assertRaises(QarchError):
            qarch_dse.sweep("configs/sweeps/array_dataflow.yaml", out=str(self.dir / "s"), qarch=missing)

    def test_qarch_exe_is_honoured_and_says_so_when_wrong(self):
        fake = self.script("fake-qarch", 'echo "fake $*"\n')
        with mock.patch.dict(os.environ, {"QARCH_EXE": str(fake)}):
            self.assertEqual(qarch_dse.find_qarch(), str(fake))
            self.assertEqual(qarch_dse.call(["--version"]).stdout, "fake --version\n")
        with mock.patch.dict(os.environ, {"QARCH_EXE": str(self.dir / "gone")}):
            with self.assertRaises(QarchError) as cm:
                qarch_dse.call(["--version"])
            self.assertIn("from $QARCH_EXE", str(cm.exception))

    def test_argument_wins_over_the_environment(self):
        fake = self.script("fake-qarch", "echo argument\n")
        with mock.patch.dict(os.environ, {"QARCH_EXE": str(self.dir / "gone")}):
            self.assertEqual(qarch_dse.call([], qarch=fake).stdout, "argument\n")

    def test_a_directory_or_a_plain_file_is_not_an_executable(self):
        plain = self.dir / "plain"
        plain.write_text("#!/bin/sh\n")
        for path in (self.dir, plain):
            with self.assertRaises(QarchError):
                qarch_dse.find_qarch(path)

    def test_relative_path_becomes_absolute(self):
        fake = self.script("fake-qarch", "pwd\n")
        cwd = os.getcwd()
        try:
            os.chdir(self.dir)
            self.assertEqual(qarch_dse.find_qarch("./fake-qarch"), str(fake))
            # run elsewhere, it is still the same executable
            self.assertEqual(qarch_dse.call([], "./fake-qarch", cwd=REPO).stdout.strip(), str(REPO))
        finally:
            os.chdir(cwd)


class CallTest(Scratch):
    def test_failure_carries_status_stderr_and_errors(self):
        fake = self.script("fails", 'echo "note: something" >&2\necho "error: x.yaml:1:2: bad key" >&2\nexit 2\n')
        with self.assertRaises(QarchError) as cm:
            qarch_dse.call(["run", "--arch", "x.yaml"], qarch=fake)
        e = cm.exception
        self.assertEqual(e.returncode, 2)
        self.assertEqual(e.errors, ["x.yaml:1:2: bad key"])
        self.assertIn("note: something", e.stderr)
        self.assertEqual(e.command, [str(fake), "run", "--arch", "x.yaml"])
        self.assertIn(f"{fake} run --arch x.yaml exited with status 2", str(e))
        self.assertIn("bad key", str(e))
        unchecked = qarch_dse.call([], qarch=fake, check=False)
        self.assertEqual(unchecked.returncode, 2)

    def test_timeout(self):
        fake = self.script("hangs", "sleep 30\n")
        with self.assertRaises(QarchError) as cm:
            qarch_dse.call([], qarch=fake, timeout=0.5)
        self.assertIn("no answer within 0.5 s", str(cm.exception))
        self.assertIsNone(cm.exception.returncode)

    def test_input_goes_to_stdin(self):
        out = qarch_dse.call(["quantize", "--format", "int4", "--overflow", "saturate", "--scale", "0.5"],
                             input="0.3\n100\n").stdout
        self.assertEqual(out.split(), ["0.5", "3.5"])

    def test_set_options(self):
        self.assertEqual(runner.set_options({"pe_array.rows": 16, "memory.ideal": True, "x": [1, 2]}),
                         ["--set", "pe_array.rows=16", "--set", "memory.ideal=true", "--set", "x=[1, 2]"])
        self.assertEqual(runner.set_options(["a=1", "b=2"]), ["--set", "a=1", "--set", "b=2"])
        self.assertEqual(runner.set_options("a=1"), ["--set", "a=1"])
        self.assertEqual(runner.set_options(None), [])

    def test_run_args(self):
        self.assertEqual(runner.run_args("A", "W", ["k=v"], functional=True, limit=7, dataset="D"),
                         ["run", "--arch", "A", "--workload", "W", "--set", "k=v", "--functional",
                          "--dataset", "D", "--limit", "7"])
        self.assertEqual(runner.run_args("A", "W", limit=7), ["run", "--arch", "A", "--workload", "W"])


class RunReportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lenet = qarch_dse.run_reports("configs/int8.yaml", "workloads/lenet5.yaml", cwd=REPO)

    def test_matches_qarchs_json_on_stdout(self):
        direct = qarch_dse.call(["run", "--arch", "configs/int8.yaml", "--workload", "workloads/lenet5.yaml",
                                 "--format", "json"], cwd=REPO)
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
        self.assertEqual(self.lenet["command"],
                         "qarch run --arch configs/int8.yaml --workload workloads/lenet5.yaml --out OUT")

    def test_functional_run_reports_top1(self):
        r = qarch_dse.run_reports("configs/int8.yaml", "workloads/fashion/mlp.yaml", functional=True, limit=20,
                                  cwd=REPO)
        self.assertEqual(r["summary"]["images"], 20)
        self.assertGreater(r["summary"]["top1"], 0.5)
        self.assertIsInstance(r["layers"][0]["overflowed_accumulations"], int)
        self.assertIn("--functional --dataset /usr/share/datasets/fashion-mnist --limit 20", r["command"])

    def test_overrides_as_a_dict_or_as_strings(self):
        a = qarch_dse.run("configs/tpu-like.yaml", "workloads/lenet5.yaml", {"pe_array.rows": 16}, cwd=REPO)
        b = qarch_dse.run("configs/tpu-like.yaml", "workloads/lenet5.yaml", ["pe_array.rows=16"], cwd=REPO)
        self.assertEqual(a["arch"]["pe_rows"], 16)
        self.assertEqual(a["total_cycles"], b["total_cycles"])

    def test_out_dir_is_kept_relative_to_this_process(self):
        with tempfile.TemporaryDirectory() as d:
            cwd = os.getcwd()
            try:
                os.chdir(d)
                qarch_dse.run(REPO / "configs" / "int8.yaml", REPO / "workloads" / "lenet5.yaml",
                              out_dir="kept", cwd=REPO)
                self.assertTrue(Path(d, "kept", "layers.csv").is_file())
            finally:
                os.chdir(cwd)

    def test_a_failing_point_raises_with_qarchs_message(self):
        with tempfile.TemporaryDirectory() as d:
            bad = Path(d) / "bad.yaml"
            bad.write_text((REPO / "configs" / "int8.yaml").read_text().replace("rows: 32", "rowz: 32"))
            with self.assertRaises(QarchError) as cm:
                qarch_dse.run_reports(bad, "workloads/lenet5.yaml", cwd=REPO)
        e = cm.exception
        self.assertEqual(e.returncode, 2)
        self.assertIn("rowz", str(e))
        self.assertIn(str(bad), str(e))  # the command
        self.assertIn("exited with status 2", str(e))
        self.assertTrue(any("rowz" in line for line in e.errors))


if __name__ == "__main__":
    unittest.main()
