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


@unittest.skipIf(MISSING, MISSING or "")
@unittest.skipIf(NO_QARCH, NO_QARCH or "")
class FakequantTest(unittest.TestCase):
    """qarch_dse.fakequant with every block format `qarch formats` lists, value by value against
    `qarch quantize` (a batch row by row: each row is one qarch call), NVFP4 per sample, and the
    straight-through gradient."""

    def qarch(self, name, values, rule="floor", rounding="nearest_even"):
        args = [QARCH, "quantize", "--format", name, "--rounding", rounding]
        if name.startswith("mx"):
            args += ["--scale-rule", rule]
        return subprocess.run(args + ["%.9g" % v for v in values], capture_output=True, text=True, check=True).stdout.split()

    def test_every_listed_block_format(self):
        from qarch_dse import fakequant as fq
        listing = subprocess.run([QARCH, "formats"], capture_output=True, text=True, check=True).stdout
        section = listing.split("block-scaled formats")[1].split("\n\n")[0]
        names = [line.split(":")[0] for line in section.splitlines()[1:]]
        self.assertEqual(len(names), 12, listing)
        rnd = random.Random(5)
        for name in names + ["mxfp6_e3m2_b8", "int2_g4"]:
            batch = torch.tensor([[math.ldexp(rnd.gauss(0, 1), rnd.randint(-8, 8)) for _ in range(70)] for _ in range(3)],
                                 dtype=torch.float32)
            self.assertEqual(fq.ptq_scale(name, batch), 1.0)
            for rule in (("floor", "ceil", "rceil") if name.startswith("mx") else ("floor",)):
                got = fq.quantize(batch, name, 1.0, rule, "nearest_away" if rule == "ceil" else "nearest_even",
                                  per_sample=True)
                self.assertEqual(got.dtype, torch.float64)
                for row in range(3):
                    want = self.qarch(name, batch[row].tolist(), rule, "nearest_away" if rule == "ceil" else "nearest_even")
                    self.assertEqual([text(v) for v in got[row].double().tolist()], want, f"{name} {rule} row {row}")
            with self.assertRaises(ValueError):
                fq.quantize(batch, name, 0.5)

    def test_nvfp4_tensor_scale_per_sample_or_whole(self):
        from qarch_dse import fakequant as fq
        batch = torch.tensor([[2688.0, 1.0, -3.0], [1.0, 0.25, 6.0]], dtype=torch.float32)
        per_sample = fq.quantize(batch, "nvfp4", per_sample=True)
        whole = fq.quantize(batch, "nvfp4")
        self.assertEqual([text(v) for v in per_sample[1].tolist()], self.qarch("nvfp4", [1.0, 0.25, 6.0]))
        # The whole tensor: each row its own blocks, one tensor scale; qarch sees the rows padded to a block.
        padded = self.qarch("nvfp4", [2688.0, 1.0, -3.0] + [0.0] * 13 + [1.0, 0.25, 6.0])
        self.assertEqual([text(v) for v in whole.reshape(-1).tolist()], padded[:3] + padded[16:])
        self.assertNotEqual(per_sample[1].tolist(), whole[1].tolist())  # 2688 sets the whole tensor's scale

    def test_straight_through_gradient(self):
        from qarch_dse import fakequant as fq
        x = torch.tensor([[0.3, -1.7, 5.0, 0.01]], requires_grad=True)
        y = fq.fake_quant(x, "mxfp4", 1.0)
        self.assertEqual(y.dtype, torch.float32)
        self.assertEqual([text(v) for v in y.detach().double().reshape(-1).tolist()], self.qarch("mxfp4", x.detach().reshape(-1).tolist()))
        (y * torch.tensor([[1.0, 2.0, 3.0, 4.0]])).sum().backward()
        self.assertEqual(x.grad.tolist(), [[1.0, 2.0, 3.0, 4.0]])


if __name__ == "__main__":
    unittest.main()
