"""qarch's DRAM model against DRAMsim3 on the reference traces (docs/validation.md, "DRAM").

Every figure of tests/data/dram/dramsim3-figures.csv: bandwidth within 10% (patterns with
traffic) and idle read latency within 10% (g_idle_read). The traces come from the reference's
own generator.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "dram"
QARCH = os.environ.get("QARCH_EXE", str(REPO / "build" / "src" / "cli" / "qarch"))
# The trace generator's directory for each qarch device.
STANDARD = {"ddr4-3200": "ddr4", "hbm2": "hbm2", "lpddr4-2400": "lpddr4_4x16"}
ARCH = """name: dram-only
clock_ghz: 1
pe_array: {{rows: 1, cols: 1, dataflow: ws, weight_format: int8, activation_format: int8}}
buffers:
  weight: {{size_kib: 1}}
  input: {{size_kib: 1}}
  output: {{size_kib: 1}}
memory:
  dram: {{type: {device}}}
"""


class DramAgreement(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        subprocess.run([sys.executable, str(DATA / "gen_traces.py"), cls.tmp.name], check=True,
                       stdout=subprocess.DEVNULL)
        with open(DATA / "dramsim3-figures.csv") as f:
            cls.figures = list(csv.DictReader(f))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def replay(self, device, pattern):
        arch = Path(self.tmp.name) / f"{device}.yaml"
        arch.write_text(ARCH.format(device=device))
        trace = Path(self.tmp.name) / STANDARD[device] / f"{pattern}.trace"
        out = subprocess.run([QARCH, "dram", "--arch", str(arch), "--trace", str(trace), "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    def test_every_figure_within_ten_percent(self):
        self.assertGreaterEqual(len(self.figures), 10)
        for row in self.figures:
            with self.subTest(device=row["device"], pattern=row["pattern"]):
                got = self.replay(row["device"], row["pattern"])
                if row["pattern"] == "g_idle_read":
                    want = float(row["avg_read_latency_ns"])
                    self.assertAlmostEqual(got["avg_read_latency_ns"] / want, 1.0, delta=0.10,
                                           msg=f"latency {got['avg_read_latency_ns']} ns vs {want}")
                else:
                    want = float(row["gb_per_s"])
                    self.assertAlmostEqual(got["gb_per_s"] / want, 1.0, delta=0.10,
                                           msg=f"{got['gb_per_s']} GB/s vs {want}")

    def test_rejects_a_malformed_trace_with_its_line(self):
        bad = Path(self.tmp.name) / "bad.trace"
        bad.write_text("# header\n0 R 0x40\n5 X 0x80\n")
        arch = Path(self.tmp.name) / "ddr4-3200.yaml"
        arch.write_text(ARCH.format(device="ddr4-3200"))
        r = subprocess.run([QARCH, "dram", "--arch", str(arch), "--trace", str(bad)], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("bad.trace:3", r.stderr)
        self.assertIn("expected '<arrival_ns> <R|W> <address>'", r.stderr)


if __name__ == "__main__":
    unittest.main()
