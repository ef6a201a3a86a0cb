"""qarch's number formats as a PyTorch fake-quantizer, for quantization-aware training (QAT).

Exactly the semantics of qarch's PE input stage (docs/numerics.md, docs/functional.md
"Post-training quantization"): value = scale * decode(encode(x / scale)), the division done in
float64, rounding to nearest with ties to even (posits: on the bit string, ties at the value of
the (n+1)-bit posit between the neighbours), out-of-range values saturated to +-max_value (floats
too: a finite input never becomes inf). tests/python/test_fakequant.py checks every code, every
tie and both sides of every tie against `qarch quantize --overflow saturate`.

    from qarch_dse.fakequant import Format, quantize, ptq_scale, fake_quant
    s = ptq_scale("int8", w)              # max|w| / 127
    wq = fake_quant(w, "int8", s)         # forward: quantize(w, "int8", s); backward: clipped STE

Special inputs follow `qarch quantize --overflow saturate` too: NaN gives NaN for floats and
posits (NaR), 0 for intN/uintN/fixedN_F and pow2/ternary, +1 for binary; +-inf gives +-inf for
IEEE floats (fp<e,m>, fp16, bf16, fp32, fp8_e5m2), +-max for fp8_e4m3, integers, pow2 and
ternary, NaN (NaR) for posits, +-1 for binary. Zeros: sign-magnitude formats (floats, pow2,
ternary) keep the sign of a value that rounds to zero (-0.0), two's complement formats and
posits give +0.0.

Block-scaled formats (mxfp8_e4m3, mxfp4, mxint8, nvfp4, int4_g32, ...; qarch_dse.blockquant)
work too, along the last axis (the reduction axis: put it last) with their own scales, so the
scale argument must be 1 and ptq_scale gives 1:

    aq = fake_quant(rows, "mxfp4", 1.0)   # forward: blocks of 32 along rows' last axis; STE

Needs numpy and torch (Debian's python3-torch: run with /usr/bin/python3).
"""

import ctypes
import functools
import math
import os
import re

import numpy as np
import torch

from .blockquant import block_quantize, is_block_format

__all__ = ["Format", "quantize", "ptq_scale", "fake_quant", "is_block_format"]

KINDS = ("int", "uint", "fixed", "float", "pow2", "binary", "ternary", "posit")
_NUM = r"(0|[1-9][0-9]{0,6})"  # qarch's take_number: no leading zeros, at most 7 digits


class Format:
    """A qarch storage format, parsed from its spelling (Format.parse("posit<8,1>")).

    Attributes: spelling (as given), bits, kind (one of KINDS); per kind fraction_bits (fixed),
    exponent_bits / mantissa_bits / bias / ocp_e4m3 (float), n / es (posit). Two spellings of the
    same format ("fp16", "fp<5,10>") compare equal.
    """

    __slots__ = ("spelling", "bits", "kind", "fraction_bits", "exponent_bits", "mantissa_bits",
                 "ocp_e4m3", "es")

    def __init__(self, spelling, kind, bits, fraction_bits=0, exponent_bits=0, mantissa_bits=0,
                 ocp_e4m3=False, es=0):
        self.spelling = spelling
        self.kind = kind
        self.bits = bits
        self.fraction_bits = fraction_bits
        self.exponent_bits = exponent_bits
        self.mantissa_bits = mantissa_bits
        self.ocp_e4m3 = ocp_e4m3
        self.es = es

    # -- parsing ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text):
        if isinstance(text, Format):
            return text
        if not isinstance(text, str):
            raise TypeError(f"a format spelling must be a string, got {type(text).__name__}")
        named = {"fp16": (5, 10), "bf16": (8, 7), "fp32": (8, 23), "fp8_e5m2": (5, 2)}
        if text in named:
            e, m = named[text]
            return cls(text, "float", 1 + e + m, exponent_bits=e, mantissa_bits=m)
        if text == "fp8_e4m3":
            return cls(text, "float", 8, exponent_bits=4, mantissa_bits=3, ocp_e4m3=True)
        if text == "binary":
            return cls(text, "binary", 1)
        if text == "ternary":
            return cls(text, "ternary", 2)
        mt = re.fullmatch(r"(u?int)" + _NUM, text)
        if mt:
            n = int(mt.group(2))
            _check(text, "the bit width", n, 1, 32)
            return cls(text, mt.group(1), n)
        mt = re.fullmatch(r"fixed" + _NUM + "_" + _NUM, text)
        if mt:
            n, f = int(mt.group(1)), int(mt.group(2))
            _check(text, "the bit width", n, 1, 32)
            _check(text, "the number of fractional bits", f, 0, n)
            return cls(text, "fixed", n, fraction_bits=f)
        mt = re.fullmatch(r"pow2_" + _NUM, text)
        if mt:
            b = int(mt.group(1))
            _check(text, "the bit width B", b, 2, 8)
            return cls(text, "pow2", b)
        mt = re.fullmatch(r"fp<" + _NUM + "," + _NUM + ">", text)
        if mt:
            e, m = int(mt.group(1)), int(mt.group(2))
            _check(text, "the number of exponent bits", e, 2, 8)
            _check(text, "the number of mantissa bits", m, 1, 31 - e)
            return cls(text, "float", 1 + e + m, exponent_bits=e, mantissa_bits=m)
        mt = (re.fullmatch(r"(posit|quire)<" + _NUM + "," + _NUM + ">", text)
              or re.fullmatch(r"(posit|quire)" + _NUM + "_" + _NUM, text))
        if mt:
            n, es = int(mt.group(2)), int(mt.group(3))
            _check(text, "the posit width n", n, 2, 32)
            _check(text, "the exponent size es", es, 0, 4)
            if mt.group(1) == "quire":
                raise ValueError(f"{text} is an accumulator format and has no codes; "
                                 f"quantize to posit<{n},{es}>")
            return cls(text, "posit", n, es=es)
        raise ValueError(f"invalid number format '{text}': expected intN or uintN (N = 1..32), "
                         "fixedN_F, fp16, bf16, fp32, fp<e,m>, fp8_e4m3, fp8_e5m2, posit<n,es> "
                         "or positN_ES, pow2_B (B = 2..8), binary or ternary")

    # -- identity --------------------------------------------------------------------------
    def _key(self):
        return (self.kind, self.bits, self.fraction_bits, self.exponent_bits, self.mantissa_bits,
                self.ocp_e4m3, self.es)

    def __eq__(self, other):
        return isinstance(other, Format) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"Format.parse({self.spelling!r})"

    def __str__(self):
        return self.spelling

    # -- properties ------------------------------------------------------------------------
    @property
    def bias(self):
        """Exponent bias of a float format (2^(e-1) - 1)."""
        return (1 << (self.exponent_bits - 1)) - 1 if self.kind == "float" else 0

    @property
    def n(self):
        """Posit width (= bits)."""
        return self.bits

    @property
    def has_infinity(self):
        return self.kind == "float" and not self.ocp_e4m3

    @property
    def signed_zero(self):
        """Sign-magnitude formats: a value rounding to zero keeps its sign (-0.0)."""
        return self.kind in ("float", "pow2", "ternary")

    def _float_emax(self):
        e = self.exponent_bits
        return (1 << e) - 1 - self.bias if self.ocp_e4m3 else (1 << e) - 2 - self.bias

    def max_value(self):
        """The largest finite value (int8: 127, pow2_4: 64, fp8_e4m3: 448, posit<8,1>: 4096)."""
        k = self.kind
        if k == "int":
            return float(2 ** (self.bits - 1) - 1)
        if k == "uint":
            return float(2 ** self.bits - 1)
        if k == "fixed":
            return math.ldexp(float(2 ** (self.bits - 1) - 1), -self.fraction_bits)
        if k == "float":
            m = self.mantissa_bits
            top = (1 << (m + 1)) - (2 if self.ocp_e4m3 else 1)  # 1.11..1 (e4m3: 1.11..10)
            return math.ldexp(float(top), self._float_emax() - m)
        if k == "posit":
            return math.ldexp(1.0, (self.bits - 2) << self.es)
        if k == "pow2":
            return math.ldexp(1.0, (1 << (self.bits - 1)) - 2)
        return 1.0  # binary, ternary

    def lowest_value(self):
        """The most negative finite value (int8: -128, uint8: 0)."""
        if self.kind == "int":
            return -float(2 ** (self.bits - 1))
        if self.kind == "uint":
            return 0.0
        if self.kind == "fixed":
            return math.ldexp(-float(2 ** (self.bits - 1)), -self.fraction_bits)
        return -self.max_value()

    def min_positive(self):
        """The smallest positive value (qarch formats' 'smallest positive')."""
        k = self.kind
        if k in ("int", "uint"):
            return 1.0
        if k == "fixed":
            return math.ldexp(1.0, -self.fraction_bits)
        if k == "float":
            return math.ldexp(1.0, 1 - self.bias - self.mantissa_bits)
        if k == "posit":
            return math.ldexp(1.0, -((self.bits - 2) << self.es))
        return 1.0

    def decode(self, codes):
        """Values of codes (array-like of ints in 0 .. 2^bits-1) as a float64 numpy array."""
        return _decode(self, np.asarray(codes, dtype=np.int64))

    def values(self):
        """Every code's value, sorted ascending, unique (-0/+0 merged to +0; NaN, inf left
        out); formats up to 16 bits."""
        if self.bits > 16:
            raise ValueError(f"{self.spelling} has 2^{self.bits} codes; values() lists formats "
                             "up to 16 bits")
        return _values(self).copy()


def _check(text, what, value, lo, hi):
    if not lo <= value <= hi:
        raise ValueError(f"invalid number format '{text}': {what} must be {lo}..{hi}, "
                         f"got {value}")


def _as_format(fmt):
    return fmt if isinstance(fmt, Format) else Format.parse(fmt)


# -- decoding (numpy, for tables and tests) ---------------------------------------------------

def _decode(f, codes):
    codes = codes & ((1 << f.bits) - 1)
    k = f.kind
    if k in ("int", "uint", "fixed"):
        v = codes.copy()
        if k != "uint":
            v = np.where(v >= (1 << (f.bits - 1)), v - (1 << f.bits), v)
        return np.ldexp(v.astype(np.float64), -f.fraction_bits)
    if k == "binary":
        return np.where(codes == 0, 1.0, -1.0)
    if k in ("pow2", "ternary"):
        fb = f.bits - 1
        field = codes & ((1 << fb) - 1)
        mag = np.where(field == 0, 0.0, np.ldexp(1.0, np.maximum(field - 1, 0)))
        return np.where((codes >> fb) & 1 == 1, -mag, mag)
    if k == "float":
        e, m = f.exponent_bits, f.mantissa_bits
        all_exp = (1 << e) - 1
        neg = (codes >> (e + m)) & 1 == 1
        ef = (codes >> m) & all_exp
        man = codes & ((1 << m) - 1)
        sub = np.ldexp(man.astype(np.float64), 1 - f.bias - m)
        nor = np.ldexp((man | (1 << m)).astype(np.float64), np.maximum(ef, 1) - f.bias - m)
        mag = np.where(ef == 0, sub, nor)
        if f.ocp_e4m3:
            mag = np.where((codes & ((1 << (e + m)) - 1)) == (all_exp << m) | ((1 << m) - 1),
                           np.nan, mag)
        else:
            mag = np.where(ef == all_exp, np.where(man == 0, np.inf, np.nan), mag)
        return np.where(neg, -mag, mag)
    if k == "posit":
        return _decode_posit(f.bits, f.es, codes)
    raise AssertionError(k)


def _decode_posit(n, es, codes):
    """posit<n,es> values of codes (n up to 33, for the (n+1)-bit tie points of posit<32,es>)."""
    mask = (1 << n) - 1
    codes = codes & mask
    sign_bit = 1 << (n - 1)
    neg = (codes & sign_bit) != 0
    p = np.where(neg, (-codes) & mask, codes)  # positive pattern
    t = n - 1
    first = (p >> (t - 1)) & 1
    run = np.zeros_like(p)
    same = np.ones(p.shape, dtype=bool)
    for i in range(t - 1, -1, -1):
        same &= ((p >> i) & 1) == first
        run += same
    k = np.where(first == 1, run - 1, -run)
    remaining = np.maximum(t - run - 1, 0)
    rest = p & ((np.int64(1) << remaining) - 1)
    fbits = np.maximum(remaining - es, 0)
    expo = np.where(remaining >= es, rest >> np.maximum(remaining - es, 0),
                    rest << np.maximum(es - remaining, 0))
    frac = rest & ((np.int64(1) << fbits) - 1)
    mag = np.ldexp((frac + (np.int64(1) << fbits)).astype(np.float64),
                   k * (1 << es) + expo - fbits)
    mag = np.where(codes == 0, 0.0, mag)
    v = np.where(neg, -mag, mag)
    return np.where(codes == sign_bit, np.nan, v)


@functools.lru_cache(maxsize=None)
def _values_cached(key, spelling):
    f = Format.parse(spelling)
    v = _decode(f, np.arange(1 << f.bits, dtype=np.int64))
    v = v[np.isfinite(v)] + 0.0  # -0.0 + 0.0 = +0.0
    return np.unique(v)


def _values(f):
    return _values_cached(f._key(), f.spelling)


@functools.lru_cache(maxsize=None)
def _posit_ties(n, es):
    """Positive posit<n,es> values (patterns 1 .. maxpos) and the tie points between
    neighbours: the (n+1)-bit posits 2p+1 between n-bit patterns p and p+1."""
    maxpos = (1 << (n - 1)) - 1
    p = np.arange(1, maxpos + 1, dtype=np.int64)
    vals = _decode_posit(n, es, p)
    ties = _decode_posit(n + 1, es, 2 * p[:-1] + 1)
    assert np.all(np.diff(vals) > 0) and np.all(ties > vals[:-1]) and np.all(ties < vals[1:])
    return vals, ties


# -- per-binade tables ------------------------------------------------------------------------
#
# pow2/ternary and posits are quantized through small tables indexed by the binade of |y| (its
# float64 exponent), the "slot": slot 0 holds |y| < 2^s_lo (0 and subnormal doubles included),
# slot j the binade [2^(s_lo+j-1), 2^(s_lo+j)), the last slot |y| >= 2^(s_hi+1), inf and NaN.
# Within a slot the result is
#     L + (|y| > T) * D  +  round(|y| * Q) * W
# the first part picks one of two neighbours L < L + D (T is the tie, or the double below it
# when the tie goes up to the even code), the second rounds on a grid of quantum W = 1/Q
# (posits whose fraction bits are not all cut: nearest even on the grid is nearest even on the
# bit string). Unused parts are 0 (T = inf).

class _SlotTable:
    def __init__(self, s_lo, s_hi, L, T, D, Q=None, W=None):
        self.b_lo = s_lo - 1 + 1023  # biased exponent of slot 0's neighbour binade
        self.b_hi = s_hi + 1 + 1023
        self.arrays = [np.asarray(a, dtype=np.float64) for a in (L, T, D)]
        if Q is not None:
            self.arrays += [np.asarray(Q, dtype=np.float64), np.asarray(W, dtype=np.float64)]
        assert all(len(a) == s_hi - s_lo + 3 for a in self.arrays)
        self._device = {}

    def tensors(self, device):
        key = str(device)
        t = self._device.get(key)
        if t is None:
            t = [torch.from_numpy(a).to(device) for a in self.arrays]
            self._device[key] = t
        return t

    def apply(self, y):
        """The slot formula for |y|; returns (value >= 0 or NaN, |y|)."""
        tabs = self.tensors(y.device)
        idx = ((y.view(torch.int64) >> 52) & 0x7FF).clamp_(self.b_lo, self.b_hi).sub_(self.b_lo)
        a = y.abs()
        flat = idx.reshape(-1)

        def gather(table):
            return table.index_select(0, flat).view(idx.shape)

        L, T, D = (gather(t) for t in tabs[:3])
        v = L.add_((a > T) * D)
        if len(tabs) == 5:
            Q, W = (gather(t) for t in tabs[3:])
            v.add_(torch.round(Q.mul_(a)).mul_(W))
        return v, a


@functools.lru_cache(maxsize=None)
def _pow2_slots(bits):
    """pow2_B, ternary: fields 0 (zero) .. M = 2^(B-1)-1, values 2^(field-1)."""
    M = (1 << (bits - 1)) - 1
    mx = math.ldexp(1.0, M - 1)
    L, T, D = [0.0], [math.inf], [0.0]  # |y| < 0.5: 0
    L.append(0.0), T.append(0.5), D.append(1.0)  # [0.5, 1): 0.5 is the tie, field 0 is even
    for s in range(0, M - 1):  # [2^s, 2^(s+1)): fields s+1, s+2, tie 1.5 * 2^s
        tie = 1.5 * math.ldexp(1.0, s)
        L.append(math.ldexp(1.0, s))
        T.append(math.nextafter(tie, 0.0) if (s + 1) % 2 == 1 else tie)
        D.append(math.ldexp(1.0, s))
    L.append(mx), T.append(math.inf), D.append(0.0)  # saturation, inf (NaN is fixed after)
    return _SlotTable(-1, M - 2, L, T, D)


@functools.lru_cache(maxsize=None)
def _posit_slots(n, es):
    """posit<n,es> by binade s (|y| in [2^s, 2^(s+1))), following qarch's bit-string rounding:
    regime r = floor(s / 2^es), exponent s - r 2^es, hl = regime bits (r+2 or 1-r) + es. With
    hl < n-1 the n-1-hl fraction bits left make a grid (quantum 2^(s-(n-1-hl))); otherwise
    d = hl-(n-1) exponent bits are cut: the neighbours are 2^P and 2^(P+2^d), P = s minus the cut
    bits, the tie is the (n+1)-bit posit between them, 2^(P+2^(d-1)) (d = 0: 1.5 * 2^P), and it
    goes up when the lower pattern is odd: its last kept exponent bit, or without exponent bits
    the regime's terminating bit (1 for r < 0)."""
    t = n - 1
    max_exp = (n - 2) << es
    maxpos, minpos = math.ldexp(1.0, max_exp), math.ldexp(1.0, -max_exp)
    L, T, D, Q, W = [0.0], [0.0], [minpos], [0.0], [0.0]  # below minpos: +-minpos, never 0
    for s in range(-max_exp, max_exp):
        r = s >> es
        expo = s - (r << es)
        hl = (r + 2 if r >= 0 else 1 - r) + es
        if hl < t:
            kept = t - hl
            L.append(0.0), T.append(math.inf), D.append(0.0)
            Q.append(math.ldexp(1.0, kept - s)), W.append(math.ldexp(1.0, s - kept))
            continue
        d = hl - t
        assert d <= es
        c = expo & ((1 << d) - 1)
        P = s - c
        lo, hi = math.ldexp(1.0, P), math.ldexp(1.0, P + (1 << d))
        assert lo <= math.ldexp(1.0, s) and hi >= math.ldexp(1.0, s + 1) and hi <= maxpos
        tie = 1.5 * lo if d == 0 else math.ldexp(1.0, P + (1 << (d - 1)))
        odd = r < 0 if d == es else (expo >> d) & 1 == 1
        L.append(lo), T.append(math.nextafter(tie, 0.0) if odd else tie), D.append(hi - lo)
        Q.append(0.0), W.append(0.0)
    # >= maxpos: maxpos; inf * 0 and NaN give NaN (NaR).
    L.append(maxpos), T.append(math.inf), D.append(0.0), Q.append(0.0), W.append(0.0)
    return _SlotTable(-max_exp, max_exp - 1, L, T, D, Q, W)


_TORCH_TIES = {}


def _posit_ties_torch(f, device):
    key = (f.bits, f.es, str(device))
    t = _TORCH_TIES.get(key)
    if t is None:
        vals, ties = _posit_ties(f.bits, f.es)
        t = (torch.from_numpy(vals).to(device), torch.from_numpy(ties).to(device))
        _TORCH_TIES[key] = t
    return t


# -- quantization (torch, vectorised) --------------------------------------------------------

def _no_specials(y):
    """False if y may hold NaN or +-inf (a sum overflowing to inf gives a false alarm)."""
    return math.isfinite(float(y.sum()))


def _q_integer(y, f):
    """intN, uintN, fixedN_F: round(y * 2^F) to nearest even, saturate, / 2^F."""
    n, fb = f.bits, f.fraction_bits
    lo = 0.0 if f.kind == "uint" else -float(2 ** (n - 1))
    hi = float(2 ** n - 1) if f.kind == "uint" else float(2 ** (n - 1) - 1)
    r = torch.round(y * math.ldexp(1.0, fb) if fb else y)  # torch.round: ties to even
    r.clamp_(lo, hi)
    if not _no_specials(y):
        r = torch.where(torch.isnan(r), 0.0, r)  # NaN -> code 0
    if fb:
        r.mul_(math.ldexp(1.0, -fb))
    return r.add_(0.0)  # -0.0 -> +0.0: one zero code


def _q_float(y, f):
    """fp<e,m>, fp8_e4m3: round to m significand bits with the quantum of y's binade (below
    2^emin, the subnormal quantum 2^(emin-m)), nearest even; finite values saturate at
    max_value; IEEE formats keep +-inf. Scalings by powers of two built from the exponent bits."""
    m = f.mantissa_bits
    emin = 1 - f.bias
    emax = f._float_emax()
    maxv = f.max_value()
    eb = ((y.view(torch.int64) >> 52) & 0x7FF).clamp_(emin + 1023, emax + 1 + 1023)
    inv_quantum = (((2046 + m) - eb) << 52).view(torch.float64)  # 2^-(e - m)
    quantum = ((eb.sub_(m)) << 52).view(torch.float64)  # 2^(e - m)
    v = torch.round(inv_quantum.mul_(y)).mul_(quantum).clamp_(-maxv, maxv)  # keeps -0.0
    if f.has_infinity and not _no_specials(y):
        v = torch.where(torch.isinf(y), y, v)
    return v


def _q_pow2(y, f):
    """pow2_B and ternary: 0 or +-2^(field-1); ties (1.5 * 2^k, and 0.5) to the even field;
    sign-magnitude, so negatives rounding to 0 give -0.0."""
    v, _ = _pow2_slots(f.bits).apply(y)
    v = torch.copysign(v, y)
    if not _no_specials(y):
        v = torch.where(torch.isnan(y), 0.0, v)  # NaN -> code 0 (+0)
    return v


def _q_posit(y, f):
    """posit<n,es>: the per-binade tables of _posit_slots (any n)."""
    v, _ = _posit_slots(f.bits, f.es).apply(y)
    return torch.copysign(v, y).add_(0.0)  # one zero: -0.0 -> +0; NaN, inf -> NaN (NaR)


def _q_posit_search(y, f):
    """posit<n,es>, n <= 16, the other way: search the sorted tie points (the (n+1)-bit posits
    between neighbours), ties to the even pattern. Slower than _q_posit; kept as a check."""
    vals, ties = _posit_ties_torch(f, y.device)
    a = y.abs()
    if ties.numel() == 0:  # posit<2,es>: 0, +-1
        v = torch.ones_like(a)
    else:
        i = torch.searchsorted(ties, a)  # number of tie points below a; pattern i + 1
        tie = (ties[i.clamp_max(ties.numel() - 1)] == a) & ((i & 1) == 0)  # odd pattern at a tie
        v = vals[i + tie]
    v = torch.where(a == 0, 0.0, torch.copysign(v, y))  # one zero
    return torch.where(torch.isfinite(a), v, math.nan)  # NaN, inf -> NaR


def _q_binary(y, f):
    return 1.0 - 2.0 * (y < 0).to(torch.float64)  # -0.0 and NaN: +1


def _quantize_unscaled(y, f):
    k = f.kind
    if k in ("int", "uint", "fixed"):
        return _q_integer(y, f)
    if k == "float":
        return _q_float(y, f)
    if k in ("pow2", "ternary"):
        return _q_pow2(y, f)
    if k == "binary":
        return _q_binary(y, f)
    if k == "posit":
        return _q_posit(y, f)
    raise AssertionError(k)


def _is_unit(scale):
    return not torch.is_tensor(scale) and scale == 1.0


def _check_scale(scale):
    if torch.is_tensor(scale):
        s = scale.detach()
        if not bool(torch.all(torch.isfinite(s) & (s != 0))):
            raise ValueError("quantization scales must be finite and non-zero")
        s = s.to(torch.float64)
        return float(s) if s.numel() == 1 and s.dim() == 0 else s
    s = float(scale)
    if not math.isfinite(s) or s == 0.0:
        raise ValueError(f"quantization scales must be finite and non-zero, got {s}")
    return s


def _quantize_block(x, f, s):
    """float64 scale * Q(x / scale) for one block (s: float, or a float64 tensor of x's shape)."""
    y = x.to(torch.float64)
    unit = _is_unit(s)
    if not unit:
        y = y / s
    v = _quantize_unscaled(y, f)
    return v if unit else v.mul_(s)


# CPU tensors are quantized in blocks: the ~20 float64 temporaries of a block stay in the cache,
# and the process does not map fresh pages for every temporary of a 1e6-element tensor.
_BLOCK = 1 << 16
_MALLOC_TUNED = False


def _tune_malloc():
    """Once per process (glibc only; QARCH_FAKEQUANT_MALLOPT=0 skips it): keep freed heap memory
    (M_TRIM_THRESHOLD 256 MiB) and serve allocations below 32 MiB from the heap
    (M_MMAP_THRESHOLD), so that temporaries reuse memory instead of page-faulting fresh pages
    on every call; where page faults are slow (sandboxes) this is the larger part of the time."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if os.environ.get("QARCH_FAKEQUANT_MALLOPT", "1") == "0":
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


# float32 input, scale 1: fp32 is the identity, bf16 and fp16 are PyTorch's own conversions
# (round to nearest even, subnormals included; the test checks them against qarch), with the
# overflow to inf saturated.
_FLOAT32_CASTS = {(8, 23): torch.float32, (8, 7): torch.bfloat16, (5, 10): torch.float16}


def _float32_cast(x, f, dtype):
    if dtype == torch.float32:
        return x.clone()
    v = x.to(dtype).to(torch.float32)
    if not _no_specials(v):
        mx = torch.tensor(f.max_value(), dtype=torch.float32, device=x.device)
        v = torch.where(torch.isinf(v) & torch.isfinite(x), torch.copysign(mx, x), v)
    return v


def _block_quantize(x, fmt, scale, scale_rule, rounding, per_sample):
    if _check_scale(scale) != 1.0:
        raise ValueError(f"{fmt} carries its own scales: the scale must be 1, got {scale}")
    return block_quantize(torch.as_tensor(x).detach(), fmt, scale_rule, rounding, per_sample)


def quantize(x, fmt, scale=1.0, scale_rule="floor", rounding="nearest_even", per_sample=False):
    """scale * decode(encode(x / scale)) for every element of x: nearest even, saturating.

    x: a tensor (float32 or float64); returns a new tensor of x's dtype (float64 for
    non-floating x). scale: a number or a tensor broadcastable with x (per channel: e.g. shape
    (C, 1, 1, 1) for conv weights, what ptq_scale(..., per_channel_dim=0) returns). x / scale
    and scale * value are computed in float64, as qarch does. No gradient (see fake_quant).

    Block formats: blockquant.block_quantize along the last axis (float32 inputs) with the MX
    scale_rule and the element rounding, NVFP4's tensor scale per x[i] with per_sample; the
    scale must be 1; the result is float64 (NVFP4's values have up to 30 significant bits).
    """
    if isinstance(fmt, str) and is_block_format(fmt):
        return _block_quantize(x, fmt, scale, scale_rule, rounding, per_sample)
    f = _as_format(fmt)
    if not torch.is_tensor(x):
        x = torch.as_tensor(x, dtype=torch.float64)
    x = x.detach()
    dtype = x.dtype if x.is_floating_point() else torch.float64
    s = _check_scale(scale)
    if torch.is_tensor(s):
        s = s.to(x.device)
        shape = torch.broadcast_shapes(x.shape, s.shape)
        if shape != x.shape:
            x = x.expand(shape)
    if x.dtype == torch.float32 and _is_unit(s) and f.kind == "float" and not f.ocp_e4m3:
        fast = _FLOAT32_CASTS.get((f.exponent_bits, f.mantissa_bits))
        if fast is not None:
            return _float32_cast(x, f, fast)
    if x.device.type != "cpu" or x.numel() <= _BLOCK:
        if torch.is_tensor(s):
            s = s.expand(x.shape)
        return _quantize_block(x, f, s).to(dtype)
    _tune_malloc()
    out = torch.empty(x.shape, dtype=dtype)
    flat_out = out.view(-1)
    flat_x = x.reshape(-1)
    flat_s = s.expand(x.shape).reshape(-1) if torch.is_tensor(s) else s
    for i in range(0, flat_x.numel(), _BLOCK):
        si = flat_s[i:i + _BLOCK] if torch.is_tensor(flat_s) else flat_s
        flat_out[i:i + _BLOCK] = _quantize_block(flat_x[i:i + _BLOCK], f, si)
    return out


def ptq_scale(fmt, tensor, per_channel_dim=None):
    """qarch's post-training scale (docs/functional.md): intN, uintN, pow2_B, ternary:
    max|x| / max_value; binary: mean|x|; fixedN_F, floats, posits: 1. A scale that is not
    positive and finite (an all-zero tensor) is 1.

    Per tensor: a Python float. With per_channel_dim: a float64 tensor with the size of that
    dimension there and 1 elsewhere (broadcastable to the tensor, ready for quantize).
    Statistics are computed in float64. Block formats: 1, their blocks carry their scales.
    """
    if isinstance(fmt, str) and is_block_format(fmt):
        f = Format.parse("fp32")  # scale 1, per tensor or per channel
    else:
        f = _as_format(fmt)
    t = torch.as_tensor(tensor).detach().to(torch.float64).abs()
    if per_channel_dim is None:
        if f.kind in ("int", "uint", "pow2", "ternary"):
            mx = float(t.max()) if t.numel() else 0.0
            s = mx / f.max_value() if f.max_value() > 0 else math.nan  # int1: max_value 0
        elif f.kind == "binary":
            s = float(t.mean()) if t.numel() else 0.0
        else:
            return 1.0
        return s if s > 0 and math.isfinite(s) else 1.0
    dim = per_channel_dim % t.dim()
    dims = [d for d in range(t.dim()) if d != dim]
    shape = [1] * t.dim()
    shape[dim] = t.shape[dim]
    if f.kind in ("int", "uint", "pow2", "ternary"):
        mx = t.amax(dim=dims, keepdim=True) if dims else t
        s = mx / f.max_value() if f.max_value() > 0 else torch.full_like(mx, math.nan)
    elif f.kind == "binary":
        s = t.mean(dim=dims, keepdim=True) if dims else t
    else:
        return torch.ones(shape, dtype=torch.float64, device=t.device)
    s = torch.where((s > 0) & torch.isfinite(s), s, torch.ones_like(s))
    return s.reshape(shape)


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, f, scale):
        out = quantize(x, f, scale)
        s = _check_scale(scale)
        clip = (s.abs() if torch.is_tensor(s) else abs(s)) * f.max_value()
        if torch.is_tensor(clip):
            clip = clip.to(x.device)
        ctx.save_for_backward(x.detach().to(torch.float64).abs() <= clip)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside.to(grad.dtype), None, None


def fake_quant(x, fmt, scale, scale_rule="floor", rounding="nearest_even", per_sample=False):
    """Fake quantization with a clipped straight-through estimator: forward quantize(x, fmt,
    scale); backward passes the gradient where |x| <= |scale| * max_value(fmt), 0 elsewhere
    (binary: BinaryNet's hardtanh STE with the scale as the clip). No gradient for scale.
    Block formats: forward as quantize, in x's dtype; the gradient passes everywhere (a block's
    scale follows its largest value, so nothing but saturated elements is clipped)."""
    if isinstance(fmt, str) and is_block_format(fmt):
        q = _block_quantize(x, fmt, scale, scale_rule, rounding, per_sample).to(x.dtype)
        return x + (q - x).detach()
    return _FakeQuant.apply(x, _as_format(fmt), scale)
