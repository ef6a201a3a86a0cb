"""scripts/golden.py fails on a changed number and on a missing copy, passes on the kept ones."""

import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "golden.py"
CASE = "structural/int8/lenet5"


def run(golden_dir, *args):
    env = dict(os.environ, QARCH_GOLDEN_DIR=str(golden_dir))
    return subprocess.run(["/usr/bin/python3", str(SCRIPT), "--only", CASE, *args],
                          env=env, capture_output=True, text=True)


class GoldenChecker(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        shutil.copytree(ROOT / "tests" / "golden" / "int8" / "lenet5", self.dir / "int8" / "lenet5")
        self.csv = self.dir / "int8" / "lenet5" / "layers.csv"

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_kept_copy_passes(self):
        r = run(self.dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 files differ", r.stdout)

    def test_changed_number_fails_with_its_diff(self):
        lines = self.csv.read_text().splitlines(keepends=True)
        fields = lines[1].split(",")
        fields[3] = str(int(fields[3]) + 1)  # total_cycles of the first layer
        lines[1] = ",".join(fields)
        self.csv.write_text("".join(lines))
        r = run(self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"golden/{CASE}/layers.csv", r.stdout)
        self.assertIn("-" + lines[1], r.stdout)
        self.assertIn("1 files differ", r.stdout)

    def test_missing_copy_fails_and_update_writes_it(self):
        (self.dir / "int8" / "lenet5" / "summary.json").unlink()
        r = run(self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("1 missing", r.stdout)
        self.assertEqual(run(self.dir, "--update").returncode, 0)
        self.assertEqual(run(self.dir).returncode, 0)


if __name__ == "__main__":
    unittest.main()
