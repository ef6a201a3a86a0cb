"""qarch_dse.fakequant against `qarch quantize`, code by code.

For every format below, every code's value, every tie between neighbouring values (posits: also
the (n+1)-bit posit between them, the bit-string tie), both doubles next to each tie, values
beyond the range and between 0 and the smallest positive value, +-0, NaN and +-inf go through
ONE `qarch quantize --format F --overflow saturate` process; Python's quantize (float64) must
print the same %.17g on every line. Formats wider than 16 bits get 20 000 random and boundary
probes. Both of fakequant's posit paths (per-binade tables, the default; a search of the sorted
tie points) are checked.

Run with:  PYTHONPATH=scripts /usr/bin/python3 -m unittest discover -s tests/python
QARCH_EXE names the qarch executable (default: build/src/cli/qarch in the repository).
Needs Debian's python3-numpy and python3-torch; skips if they are missing.
"""

import math
import sys
import unittest

import qarch_dse

try:
    import numpy as np
    import torch
    from qarch_dse import fakequant as fq
    MISSING = None
except ImportError as error:  # pragma: no cover - depends on the machine
    MISSING = f"fakequant needs numpy and torch ({error}); run with /usr/bin/python3"

try:
    QARCH, NO_QARCH = qarch_dse.find_qarch(), None
except qarch_dse.QarchError as error:
    QARCH, NO_QARCH = None, str(error)

EXHAUSTIVE = (
    [f"int{n}" for n in range(1, 9)] + ["int16"]
    + [f"uint{n}" for n in range(1, 9)]
    + ["fixed4_2", "fixed8_4", "fixed8_0", "fixed8_8", "fixed16_8", "fixed1_1"]
    + ["fp<2,1>", "fp<3,2>", "fp<4,3>", "fp<5,2>", "fp<4,1>", "fp<2,3>", "fp8_e4m3", "fp8_e5m2",
       "fp16", "bf16"]
    + [f"pow2_{b}" for b in range(2, 9)]
    + ["binary", "ternary"]
    + ["posit<2,0>", "posit<3,1>", "posit<4,0>", "posit<5,3>", "posit<6,1>", "posit<8,0>",
       "posit<8,1>", "posit8_2", "posit<8,4>", "posit<10,1>", "posit<12,3>", "posit<16,1>"]
)
WIDE = ["fp32", "int32", "uint32", "fixed32_16", "int24", "fp<2,29>", "fp<8,15>", "posit<32,2>",
        "posit<32,0>", "posit<24,1>", "posit<20,4>", "posit<17,2>"]
SCALED = ["int8", "uint4", "fixed8_4", "fp8_e4m3", "fp<4,3>", "bf16", "pow2_4", "ternary",
          "binary", "posit<8,1>", "posit<6,1>"]
SCALES = [0.0123, 2.0 ** -5, 3.0]
DBL_MAX = sys.float_info.max


def fmt17(values):
    # C's and Python's %.17g agree, including "-0" for negative zero, "inf", "-inf"; qarch
    # prints "nan" for every NaN, as Python does.
    return ["%.17g" % v for v in values]


def run_qarch(fmt, probes, scale=None):
    args = ["quantize", "--format", fmt, "--overflow", "saturate"]
    if scale is not None:
        args += ["--scale", "%.17g" % scale]
    text = "\n".join(fmt17(probes.tolist())) + "\n"
    out = qarch_dse.call(args, QARCH, input=text, timeout=120)
    lines = out.stdout.split("\n")
    assert lines[-1] == "", "qarch's output should end with a newline"
    lines = lines[:-1]
    assert len(lines) == len(probes), (len(lines), len(probes))
    return lines


def unique_doubles(a):
    """Unique by bit pattern (keeps -0.0 and +0.0 apart), in the order of first appearance."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    _, idx = np.unique(a.view(np.int64), return_index=True)
    return a[np.sort(idx)]


def around(points):
    """points and the doubles next to them on both sides."""
    return np.concatenate([points, np.nextafter(points, -np.inf), np.nextafter(points, np.inf)])


def special_probes(f):
    mx, mn = f.max_value(), f.min_positive()
    p = [0.0, -0.0, mn, mn / 2, mn / 4, mn * 0.75, mx, mx * 1.5, mx * 1.0000001, 1e30, DBL_MAX,
         1e-300, 5e-324, math.nan, math.inf, 0.5, 1.0, 1.5, 2.5]
    return np.array(p + [-x for x in p], dtype=np.float64)


def exhaustive_probes(f):
    v = f.values()
    mids = (v[:-1] + v[1:]) / 2
    ties = [mids]
    # Just above the largest and below the lowest value: the tie with the next step outward.
    step_hi = v[-1] - v[-2] if len(v) > 1 else 1.0
    step_lo = v[1] - v[0] if len(v) > 1 else 1.0
    ties.append(np.array([v[-1] + step_hi / 2, v[0] - step_lo / 2]))
    if f.kind == "posit":  # the bit-string ties: the (n+1)-bit posits between neighbours
        odd = np.arange(1, 1 << (f.bits + 1), 2, dtype=np.int64)
        t = fq._decode_posit(f.bits + 1, f.es, odd)
        ties.append(t[np.isfinite(t)])
    ties = np.concatenate(ties)
    p = np.concatenate([v, around(ties), special_probes(f)])
    return unique_doubles(np.concatenate([p, -p]))


def wide_probes(f, count=20000, seed=1):
    """Random neighbouring codes (their values, ties and the doubles beside the ties), random
    log-uniform magnitudes, boundary values."""
    rng = np.random.default_rng(seed)
    n = f.bits
    half = 1 << (n - 1)
    c = rng.integers(0, half - 1, size=count // 10, dtype=np.int64)
    c = np.concatenate([c, np.arange(0, 40, dtype=np.int64), half - 2 - np.arange(0, 40)])
    if f.kind == "float":  # near the subnormal / normal boundary too
        c = np.concatenate([c, (1 << f.mantissa_bits) + np.arange(-20, 20)])
    v0, v1 = f.decode(c), f.decode(c + 1)
    ok = np.isfinite(v0) & np.isfinite(v1) & (v1 > v0)
    v0, v1, c = v0[ok], v1[ok], c[ok]
    ties = [(v0 + v1) / 2]
    if f.kind == "posit":
        ties.append(fq._decode_posit(n + 1, f.es, 2 * c + 1))
    ties = np.concatenate(ties)
    lo = math.log2(f.min_positive()) - 3
    hi = math.log2(f.max_value()) + 3
    logs = np.exp2(rng.uniform(lo, hi, size=count // 5))
    p = np.concatenate([v0, v1, around(ties), logs, special_probes(f)])
    if f.kind in ("int", "uint", "fixed"):
        p = np.concatenate([p, np.round(rng.uniform(-f.max_value(), f.max_value(), count // 10))
                            * 2.0 ** -f.fraction_bits + 2.0 ** (-f.fraction_bits - 1)])
    if f.spelling == "fp32":  # float32 bit patterns
        bits = rng.integers(0, 1 << 32, size=count // 10, dtype=np.uint64).astype(np.uint32)
        with np.errstate(invalid="ignore"):  # NaN patterns
            p = np.concatenate([p, bits.view(np.float32).astype(np.float64)])
    signs = np.where(rng.random(len(p)) < 0.5, -1.0, 1.0)
    return unique_doubles(np.concatenate([p, p * signs]))


def same(a, b):
    """Equal tensors, -0.0 and +0.0 told apart, NaN equal to NaN."""
    a, b = a.double(), b.double()
    nan = torch.isnan(a)
    return bool(torch.equal(nan, torch.isnan(b)) and torch.equal(a[~nan], b[~nan])
                and torch.equal(torch.signbit(a[~nan]), torch.signbit(b[~nan])))


def expected_count(f):
    """Distinct finite values of a format: 2^bits codes minus NaN/inf codes and -0."""
    if f.kind in ("int", "uint", "fixed"):
        return 1 << f.bits
    if f.kind in ("pow2", "ternary"):
        return (1 << f.bits) - 1
    if f.kind == "binary":
        return 2
    if f.kind == "posit":
        return (1 << f.bits) - 1
    if f.ocp_e4m3:
        return 256 - 1 - 2
    return (1 << f.bits) - 1 - 2 - 2 * ((1 << f.mantissa_bits) - 1)


@unittest.skipIf(MISSING, MISSING or "")
class FormatTest(unittest.TestCase):
    def test_spellings(self):
        self.assertEqual(fq.Format.parse("fp16"), fq.Format.parse("fp<5,10>"))
        self.assertEqual(fq.Format.parse("posit8_1"), fq.Format.parse("posit<8,1>"))
        self.assertEqual(fq.Format.parse("fp8_e5m2"), fq.Format.parse("fp<5,2>"))
        self.assertNotEqual(fq.Format.parse("fp8_e4m3"), fq.Format.parse("fp<4,3>"))
        self.assertEqual(fq.Format.parse("ternary").values().tolist(),
                         fq.Format.parse("pow2_2").values().tolist())
        f = fq.Format.parse("posit8_1")
        self.assertEqual((f.spelling, f.bits, f.kind, f.es), ("posit8_1", 8, "posit", 1))
        for s, kind, bits in [("int4", "int", 4), ("uint4", "uint", 4), ("fixed8_4", "fixed", 8),
                              ("fp<4,3>", "float", 8), ("bf16", "float", 16), ("fp32", "float", 32),
                              ("pow2_4", "pow2", 4), ("binary", "binary", 1),
                              ("ternary", "ternary", 2)]:
            f = fq.Format.parse(s)
            self.assertEqual((f.spelling, f.kind, f.bits), (s, kind, bits))
        for bad in ["int0", "int33", "int08", "uint", "fixed8_9", "fp<1,2>", "fp<8,24>", "fp<9,2>",
                    "posit<8,5>", "posit<1,0>", "posit<33,2>", "pow2_1", "pow2_9", "quire<8,1>",
                    "fp 16", "Int8", ""]:
            with self.assertRaises(ValueError, msg=bad):
                fq.Format.parse(bad)

    def test_max_values(self):
        for s, mx in [("int8", 127), ("int1", 0), ("uint8", 255), ("fixed8_4", 127 / 16),
                      ("pow2_4", 64), ("binary", 1), ("ternary", 1), ("fp8_e4m3", 448),
                      ("fp8_e5m2", 57344), ("fp16", 65504), ("bf16", 3.3895313892515355e38),
                      ("fp32", 3.4028234663852886e38), ("posit<8,1>", 4096),
                      ("posit<32,2>", 2.0 ** 120)]:
            self.assertEqual(fq.Format.parse(s).max_value(), mx, s)

    def test_values(self):
        for s in EXHAUSTIVE:
            f = fq.Format.parse(s)
            v = f.values()
            self.assertEqual(len(v), expected_count(f), s)
            self.assertTrue(np.all(np.diff(v) > 0), s)
            self.assertFalse(np.any(np.signbit(v) & (v == 0)), s)
            self.assertEqual(v[-1], f.max_value(), s)
            self.assertEqual(v[0], f.lowest_value(), s)
            back = fq.quantize(torch.from_numpy(v), f).numpy()
            self.assertTrue(np.array_equal(back, v), s)
        with self.assertRaises(ValueError):
            fq.Format.parse("fp32").values()

    def test_ptq_scale(self):
        w = torch.tensor([[1.0, -2.0], [0.5, 0.25], [0.0, 0.0]])
        self.assertEqual(fq.ptq_scale("int8", w), 2.0 / 127)
        self.assertEqual(fq.ptq_scale("uint8", w), 2.0 / 255)
        self.assertEqual(fq.ptq_scale("pow2_4", w), 2.0 / 64)
        self.assertEqual(fq.ptq_scale("ternary", w), 2.0)
        self.assertEqual(fq.ptq_scale("binary", w), 3.75 / 6)
        for s in ["fixed8_4", "fp16", "bf16", "fp32", "fp8_e4m3", "posit<8,1>"]:
            self.assertEqual(fq.ptq_scale(s, w), 1.0)
        self.assertEqual(fq.ptq_scale("int8", torch.zeros(5)), 1.0)
        self.assertEqual(fq.ptq_scale("binary", torch.zeros(5)), 1.0)
        pc = fq.ptq_scale("int8", w, per_channel_dim=0)
        self.assertEqual(tuple(pc.shape), (3, 1))
        self.assertEqual(pc.flatten().tolist(), [2.0 / 127, 0.5 / 127, 1.0])
        pc = fq.ptq_scale("binary", w, per_channel_dim=1)
        self.assertEqual(tuple(pc.shape), (1, 2))
        self.assertEqual(pc.flatten().tolist(), [1.5 / 3, 2.25 / 3])
        self.assertEqual(fq.ptq_scale("fp16", w, per_channel_dim=0).flatten().tolist(), [1.0] * 3)
        # A per-channel scale broadcasts in quantize.
        q = fq.quantize(w, "int8", fq.ptq_scale("int8", w, per_channel_dim=0))
        s0, s1 = 2.0 / 127, 0.5 / 127  # 1 / s0 = 63.5: the tie goes to 64
        ref = torch.tensor([[s0 * 64, s0 * -127], [s1 * 127, s1 * 64], [0.0, 0.0]],
                           dtype=torch.float64).float()
        self.assertEqual(q.dtype, torch.float32)
        self.assertTrue(torch.equal(q, ref))

    def test_fake_quant_gradient(self):
        x = torch.tensor([-3.0, -2.8, -1.0, 0.0, 0.5, 2.8, 2.81, 40.0], requires_grad=True)
        y = fq.fake_quant(x, "int4", 0.4)  # clip 7 * 0.4 = 2.8
        self.assertEqual(y.dtype, torch.float32)
        self.assertTrue(torch.equal(y.detach(), fq.quantize(x.detach(), "int4", 0.4)))
        y.backward(torch.arange(1.0, 9.0))
        self.assertEqual(x.grad.tolist(), [0, 2, 3, 4, 5, 6, 0, 0])
        x = torch.tensor([-1.5, -1.0, -0.3, 0.0, 0.7, 1.0, 1.2], dtype=torch.float64,
                         requires_grad=True)
        y = fq.fake_quant(x, "binary", 1.0)  # BinaryNet: sign forward, hardtanh STE backward
        self.assertEqual(y.detach().tolist(), [-1, -1, -1, 1, 1, 1, 1])
        y.sum().backward()
        self.assertEqual(x.grad.tolist(), [0, 1, 1, 1, 1, 1, 0])
        w = torch.tensor([[0.1, -5.0], [2.0, 0.3]], requires_grad=True)
        s = fq.ptq_scale("pow2_4", torch.tensor([[1.0, 1.0], [64.0, 64.0]]), per_channel_dim=0)
        fq.fake_quant(w, "pow2_4", s).sum().backward()  # clips 1 and 64
        self.assertEqual(w.grad.tolist(), [[1, 0], [1, 1]])

    def test_float32_in_float32_out(self):
        rng = np.random.default_rng(5)
        x64 = rng.standard_normal(5000) * np.exp2(rng.integers(-30, 30, 5000))
        x32 = torch.from_numpy(x64.astype(np.float32))
        for s in ["int8", "fixed8_4", "fp<4,3>", "fp8_e4m3", "fp16", "bf16", "fp32", "pow2_4",
                  "binary", "ternary", "posit<8,1>", "posit<32,2>"]:
            for scale in [1.0, 0.0123]:
                y = fq.quantize(x32, s, scale)
                self.assertEqual(y.dtype, torch.float32, s)
                ref = fq.quantize(x32.double(), s, scale).float()
                self.assertTrue(same(y, ref), (s, scale))
        self.assertTrue(torch.equal(fq.quantize(x32, "fp32"), x32))
        # Other shapes, a per-channel scale, float64 in float64 out.
        w = torch.from_numpy(x64[:4000].reshape(10, 20, 4, 5))
        sc = fq.ptq_scale("int4", w, per_channel_dim=0)
        q = fq.quantize(w, "int4", sc)
        self.assertEqual((q.dtype, q.shape), (torch.float64, w.shape))
        for c in range(10):
            self.assertTrue(same(q[c], fq.quantize(w[c].reshape(-1), "int4", float(sc[c])).view(20, 4, 5)))


@unittest.skipIf(MISSING, MISSING or "")
@unittest.skipIf(NO_QARCH, NO_QARCH or "")
class AgainstQarchTest(unittest.TestCase):
    def compare(self, fmt, probes, scale=None, path=None):
        expected = run_qarch(fmt, probes, scale)
        x = torch.from_numpy(probes)
        f = fq.Format.parse(fmt)
        if path is None:
            got = fq.quantize(x, f, 1.0 if scale is None else scale)
        else:
            got = path(x, f)
        got = fmt17(got.numpy().tolist())
        bad = [i for i, (e, g) in enumerate(zip(expected, got)) if e != g]
        if bad:
            shown = "\n".join(f"  x = {probes[i]!r}: qarch {expected[i]}, fakequant {got[i]}"
                              for i in bad[:12])
            self.fail(f"{fmt} (scale {scale}): {len(bad)} of {len(probes)} probes differ\n{shown}")
        return expected

    def test_signed_zero_printing(self):
        # qarch prints %.17g of -0.0 as "-0", as Python does; sign-magnitude formats keep the
        # sign of a value that rounds to zero, two's complement formats and posits have one 0.
        probes = np.array([-0.0, -1e-9, 0.0], dtype=np.float64)
        for s, want in [("fp<4,3>", ["-0", "-0", "0"]), ("pow2_4", ["-0", "-0", "0"]),
                        ("ternary", ["-0", "-0", "0"]), ("int8", ["0", "0", "0"]),
                        ("fixed8_4", ["0", "0", "0"]), ("uint4", ["0", "0", "0"]),
                        ("posit<8,1>", ["0", "-0.000244140625", "0"]),
                        ("binary", ["1", "-1", "1"])]:
            self.assertEqual(run_qarch(s, probes), want, s)
            self.assertEqual(fmt17(fq.quantize(torch.from_numpy(probes), s).tolist()), want, s)

    def test_exhaustive(self):
        total = 0
        for s in EXHAUSTIVE:
            with self.subTest(format=s):
                f = fq.Format.parse(s)
                probes = exhaustive_probes(f)
                total += len(probes)
                lines = self.compare(s, probes)
                out = np.array([float(t) for t in lines])
                finite = out[np.isfinite(out)]
                self.assertEqual(finite.max(), f.max_value())
                self.assertEqual(finite.min(), f.lowest_value())
                self.assertTrue(np.array_equal(np.unique(finite + 0.0), f.values()))
                if f.kind == "posit":  # the sorted-tie-table search, on the same probes
                    self.compare(s, probes, path=fq._q_posit_search)
        print(f"\n  {len(EXHAUSTIVE)} formats, {total} probes", file=sys.stderr)

    def test_scaled(self):
        for s in SCALED:
            f = fq.Format.parse(s)
            base = exhaustive_probes(f)
            for scale in SCALES:
                with self.subTest(format=s, scale=scale):
                    with np.errstate(over="ignore"):  # DBL_MAX * 3 is inf, a probe too
                        probes = base * scale
                    self.compare(s, probes, scale=scale)

    def test_float32_casts(self):
        # float32 input with scale 1 takes PyTorch's own conversions for fp32, bf16 and fp16.
        rng = np.random.default_rng(3)
        bits = rng.integers(0, 1 << 32, size=100000, dtype=np.uint64).astype(np.uint32)
        random32 = bits.view(np.float32)
        for s in ["fp16", "bf16", "fp32"]:
            with self.subTest(format=s):
                f = fq.Format.parse(s)
                with np.errstate(over="ignore"):  # DBL_MAX -> inf
                    parts = [random32, special_probes(f).astype(np.float32)]
                if f.bits <= 16:
                    v = f.values()
                    mids = ((v[:-1] + v[1:]) / 2).astype(np.float32)  # exact in float32
                    parts += [v.astype(np.float32), mids, np.nextafter(mids, np.float32(np.inf)),
                              np.nextafter(mids, np.float32(-np.inf))]
                x32 = np.concatenate(parts)
                got = fq.quantize(torch.from_numpy(x32), f)
                self.assertEqual(got.dtype, torch.float32)
                with np.errstate(invalid="ignore"):
                    expected = run_qarch(s, x32.astype(np.float64))
                got = fmt17(got.double().numpy().tolist())
                bad = [i for i, (e, g) in enumerate(zip(expected, got)) if e != g]
                self.assertFalse(bad, [(float(x32[i]), expected[i], got[i]) for i in bad[:10]])

    def test_wide(self):
        total = 0
        for s in WIDE:
            with self.subTest(format=s):
                f = fq.Format.parse(s)
                probes = wide_probes(f)
                total += len(probes)
                lines = self.compare(s, probes)
                out = np.array([float(t) for t in lines])
                self.assertEqual(out[np.isfinite(out)].max(), f.max_value())
        print(f"\n  {len(WIDE)} wide formats, {total} probes", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
