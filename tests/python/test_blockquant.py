"""qarch_dse.blockquant against the golden sample (tests/data/block-formats) and against
`qarch quantize`, value by value (%.17g, signed zeros and NaN included).

Run with:  PYTHONPATH=scripts /usr/bin/python3 -m unittest discover -s tests/python
"""

import csv
import math
import os
import random
import struct
import subprocess
import unittest

import qarch_dse

try:
    import torch
    from qarch_dse.blockquant import block_quantize, BlockFormat
    MISSING = None
except ImportError as error:  # pragma: no cover - depends on the machine
    MISSING = f"blockquant needs torch ({error}); run with /usr/bin/python3"

try:
    QARCH, NO_QARCH = qarch_dse.find_qarch(), None
except qarch_dse.QarchError as error:
    QARCH, NO_QARCH = None, str(error)

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "block-formats")
MX = ("mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8")


def rows(name):
    with open(os.path.join(DATA, name), newline="") as f:
        return list(csv.DictReader(f))


def floats(hex_words):
    return [struct.unpack("<f", struct.pack("<I", int(h, 16)))[0] for h in hex_words.split()]


def text(v):
    return "nan" if math.isnan(v) else "%.17g" % v


@unittest.skipIf(MISSING, MISSING or "")
class GoldenTest(unittest.TestCase):
    def test_mx(self):
        for name in MX:
            inputs = {r["block"]: floats(r["inputs_f32hex"]) for r in rows(name + "_inputs.csv")}
            for g in rows(name + "_golden.csv"):
                rule = g["rule"].lower()
                rounding = "nearest_even" if g["rounding"] == "rne" else "nearest_away"
                got = block_quantize(torch.tensor(inputs[g["block"]]), name, rule, rounding)
                want = [float(w) for w in g["decoded"].split()]
                self.assertEqual([text(v) for v in got.tolist()], [text(v) for v in want],
                                 f"{name} block {g['block']} {rule} {rounding}")

    def test_group(self):
        inputs = {(r["bits"], r["G"], r["group"]): floats(r["inputs_f32hex"]) for r in rows("group_int_inputs.csv")}
        for g in rows("group_int_golden.csv"):
            name = f"int{g['bits']}_g{g['G']}" + ("_fp16" if g["scale_dtype"] == "fp16" else "")
            got = block_quantize(torch.tensor(inputs[(g["bits"], g["G"], g["group"])]), name)
            want = [float(w) for w in g["decoded"].split()]
            self.assertEqual([text(v) for v in got.tolist()], [text(v) for v in want], f"{name} group {g['group']}")


@unittest.skipIf(MISSING, MISSING or "")
@unittest.skipIf(NO_QARCH, NO_QARCH or "")
class AgainstQarchTest(unittest.TestCase):
    def test_random_vectors(self):
        rnd = random.Random(11)
        formats = list(MX) + ["mxfp4_e2m1_b16", "nvfp4", "int4_g32", "int4_g128_fp16", "int8_g128"]
        for name in formats:
            for rule in (("floor", "ceil", "rceil") if name.startswith("mx") else ("floor",)):
                for rounding in (("nearest_even", "nearest_away") if name.startswith("mx") else ("nearest_even",)):
                    values = []
                    for b in range(24):
                        octave = rnd.randint(-30, 30)
                        values += [math.ldexp(rnd.gauss(0, 1), octave + rnd.randint(0, 4)) for _ in range(rnd.randint(1, 40))]
                    values += [0.0, -0.0, 3.0, -2.5, 0.75]  # a short, tie-heavy last block
                    values = [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]
                    args = [QARCH, "quantize", "--format", name, "--rounding", rounding]
                    if name.startswith("mx"):
                        args += ["--scale-rule", rule]
                    out = subprocess.run(args + ["%.9g" % v for v in values], capture_output=True, text=True, check=True).stdout
                    got = [text(v) for v in block_quantize(torch.tensor(values), name, rule, rounding).tolist()]
                    self.assertEqual(got, out.split(), f"{name} {rule} {rounding}")

    def test_bad_names(self):
        for bad in ("mxfp4_e4m3", "int9_g32", "nvfp8", "mxfp4_b0"):
            with self.assertRaises(ValueError):
                BlockFormat.parse(bad)


if __name__ == "__main__":
    unittest.main()
