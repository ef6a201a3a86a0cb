"""qarch's block-scaled formats (MX, NVFP4, group-wise integers) as a PyTorch quantizer.

Exactly the semantics of qarch's numerics/block_format.hpp (docs/numerics.md, "Block-scaled
formats"): blocks of consecutive elements along the last axis (the reduction axis: put it
last), the last block zero-padded; MX scale rules floor (default), ceil and rceil; element
rounding nearest_even (default) or nearest_away. Every quotient is rounded exactly: |x| is
compared with grid values and midpoints times the divisor, products that float64 holds exactly.
tests/python/test_blockquant.py checks it value by value against `qarch quantize` and the golden
sample.

    from qarch_dse.blockquant import block_quantize
    wq = block_quantize(w, "mxfp4")          # w's last axis in blocks of 32
    aq = block_quantize(a, "int4_g128_fp16")
    xq = block_quantize(x, "nvfp4", per_sample=True)  # NVFP4 tensor scale per x[i]

Needs torch (Debian's python3-torch: run with /usr/bin/python3).
"""

import math
import re

import torch

__all__ = ["BlockFormat", "block_quantize", "is_block_format"]

# MX elements: (exponent bits, mantissa bits, bias, max_norm); int8 is k x 2^-6.
_MX = {"e4m3": (4, 3, 7, 448.0), "e5m2": (5, 2, 15, 57344.0), "e3m2": (3, 2, 3, 28.0),
       "e2m3": (2, 3, 1, 7.5), "e2m1": (2, 1, 1, 6.0)}
_MX_BITS = {"e4m3": 8, "e5m2": 8, "e3m2": 6, "e2m3": 6, "e2m1": 4}


class BlockFormat:
    """A block format parsed from qarch's spelling: kind ("mx", "nvfp4", "group"), element,
    block, bits (element bits), fp16_scale (groups)."""

    def __init__(self, kind, element, block, bits, fp16_scale=False):
        self.kind, self.element, self.block, self.bits, self.fp16_scale = kind, element, block, bits, fp16_scale

    @staticmethod
    def parse(text):
        if text == "nvfp4":
            return BlockFormat("nvfp4", "e2m1", 16, 4)
        m = re.fullmatch(r"mx(?:fp(4|6|8)_(e\dm\d)|(fp4)|(int8))(?:_b([1-9][0-9]{0,3}))?", text)
        if m:
            block = int(m.group(5)) if m.group(5) else 32
            if block > 4096:
                raise ValueError(f"{text}: block sizes go up to 4096")
            if m.group(4):
                return BlockFormat("mx", "int8", block, 8)
            element = "e2m1" if m.group(3) else m.group(2)
            if element not in _MX or (m.group(1) and int(m.group(1)) != _MX_BITS[element]):
                raise ValueError(f"{text}: not an MX format")
            return BlockFormat("mx", element, block, _MX_BITS[element])
        m = re.fullmatch(r"int([2-8])_g([1-9][0-9]{0,3})(_fp16)?", text)
        if m and int(m.group(2)) <= 4096:
            return BlockFormat("group", f"int{m.group(1)}", int(m.group(2)), int(m.group(1)), bool(m.group(3)))
        raise ValueError(f"{text}: not a block format (mxfp8_e4m3, mxfp4, mxint8, nvfp4, int4_g128, ...)")

    def grid(self):
        """The element's non-negative values in code order (MX floats, NVFP4)."""
        e, mbits, bias, max_norm = _MX[self.element]
        values = []
        for code in range(1 << (e + mbits)):
            field, mant = code >> mbits, code & ((1 << mbits) - 1)
            v = math.ldexp(mant, 1 - bias - mbits) if field == 0 else math.ldexp((1 << mbits) + mant, field - bias - mbits)
            if v > max_norm:
                break
            values.append(v)
        return torch.tensor(values, dtype=torch.float64)


def is_block_format(text):
    """True for qarch's block-format spellings (mxfp4, nvfp4, int4_g32, ...)."""
    try:
        BlockFormat.parse(text)
        return True
    except ValueError:
        return False


def _nearest(grid, num, den, away):
    """Index of the grid value nearest num / den (num >= 0, den > 0, broadcast), saturating."""
    top = grid[-1] * den
    lo = torch.searchsorted(grid.contiguous(), (num / den).contiguous(), right=True) - 1
    lo = lo.clamp(0, grid.numel() - 1)
    # Exact fix-up of the float64 quotient's guess: grid[lo] * den <= num < grid[lo + 1] * den.
    lo = torch.where((grid[lo] * den > num) & (lo > 0), lo - 1, lo)
    hi = (lo + 1).clamp(max=grid.numel() - 1)
    lo = torch.where((grid[hi] * den <= num) & (hi > lo), hi, lo)
    hi = (lo + 1).clamp(max=grid.numel() - 1)
    mid = (grid[lo] + grid[hi]) / 2 * den
    tie_up = torch.full_like(lo, 1, dtype=torch.bool) if away else (lo % 2 == 1)
    up = (num > mid) | ((num == mid) & tie_up)
    idx = torch.where(up & (hi > lo), hi, lo)
    return torch.where(num >= top, torch.full_like(idx, grid.numel() - 1), idx)


def _nearest_int(num, den, away):
    """The integer nearest num / den (num >= 0, den > 0), exactly."""
    k = torch.floor(num / den)
    k = torch.where((k + 1) * den <= num, k + 1, k)
    k = torch.where((k > 0) & (k * den > num), k - 1, k)
    twice, mid = 2 * num, (2 * k + 1) * den
    tie_up = torch.ones_like(k, dtype=torch.bool) if away else (torch.remainder(k, 2) == 1)
    return torch.where((twice > mid) | ((twice == mid) & tie_up), k + 1, k)


def _floor_log2(v):
    return torch.frexp(v)[1].to(torch.float64) - 1


def block_quantize(x, fmt, scale_rule="floor", rounding="nearest_even", per_sample=False):
    """The decoded value of every element of x (float32 values; a float64 tensor of x's shape)
    quantized to block format `fmt` along the last axis. NVFP4's tensor scale comes from all of
    x, or with per_sample from each x[i] alone (a batch of layer inputs, as qarch's functional
    mode quantizes one sample's)."""
    f = fmt if isinstance(fmt, BlockFormat) else BlockFormat.parse(fmt)
    if rounding not in ("nearest_even", "nearest_away"):
        raise ValueError(f"rounding {rounding}: block formats round nearest_even or nearest_away")
    if scale_rule not in ("floor", "ceil", "rceil"):
        raise ValueError(f"scale rule {scale_rule}: expected floor, ceil or rceil")
    away = rounding == "nearest_away"
    x32 = torch.as_tensor(x).detach().to(torch.float32)
    shape = x32.shape
    n = shape[-1] if x32.dim() else 1
    flat = x32.reshape(-1, n)
    pad = (-n) % f.block
    padded = torch.cat([flat, torch.zeros(flat.shape[0], pad, dtype=torch.float32)], dim=1)
    blocks = padded.reshape(flat.shape[0], -1, f.block)  # (rows, blocks, block)
    v = blocks.to(torch.float64)
    finite = torch.isfinite(v)
    amax = torch.where(finite, v.abs(), torch.zeros_like(v)).amax(dim=-1, keepdim=True)
    nonfinite = (~finite).any(dim=-1, keepdim=True)
    mag, negative = v.abs(), torch.signbit(v)
    if f.kind == "mx":
        out = _mx(f, mag, negative, amax, scale_rule, away)
        out = torch.where(nonfinite, torch.full_like(out, math.nan), out)
    elif f.kind == "nvfp4":
        samples = shape[0] if per_sample and x32.dim() > 1 else 1
        out = _nvfp4(f, mag, negative, amax, v, samples)
    else:
        out = _group(f, mag, negative, amax)
        out = torch.where(nonfinite, torch.full_like(out, math.nan), out)
    return out.reshape(flat.shape[0], -1)[:, :n].reshape(shape)


def _mx(f, mag, negative, amax, rule, away):
    if f.element == "int8":
        max_norm, emax = 127.0 / 64.0, 0
    else:
        max_norm = _MX[f.element][3]
        emax = math.floor(math.log2(max_norm))
    safe = torch.where(amax > 0, amax, torch.ones_like(amax))
    if rule == "floor":
        e = torch.clamp(_floor_log2(safe) - emax, min=-127)
    elif rule == "ceil":
        e = _floor_log2(safe) - math.floor(math.log2(max_norm)) - 1
        for _ in range(3):  # at most two steps up from below
            e = torch.where(safe > torch.ldexp(torch.full_like(e, max_norm), e), e + 1, e)
        e = e.clamp(-127, 127)
    else:
        ratio = safe.to(torch.float32) * (torch.tensor(1.0, dtype=torch.float32) / torch.tensor(max_norm, dtype=torch.float32))
        m, ex = torch.frexp(ratio.to(torch.float64))
        code = torch.where(m == 0.5, ex - 1, ex).to(torch.float64) + 127
        code = torch.where(ratio > 0, code, torch.zeros_like(code))
        e = code.clamp(0, 254) - 127
    e = torch.where(amax > 0, e, torch.full_like(e, -127.0))
    unit = torch.ldexp(torch.ones_like(e), e)
    sign = torch.where(negative, -1.0, 1.0).to(torch.float64)
    if f.element == "int8":
        k = torch.clamp(_nearest_int(mag, torch.ldexp(torch.ones_like(e), e - 6), away), max=127)
        value = k * torch.ldexp(torch.ones_like(e), e - 6)
        return torch.where(k > 0, sign * value, torch.zeros_like(value))
    grid = f.grid()
    idx = _nearest(grid, mag, unit.expand_as(mag), away)
    return sign * grid[idx] * unit


def _nvfp4(f, mag, negative, amax, v, samples):
    """`samples` groups of consecutive rows of v each get the tensor scale of their own amax."""
    per = v.reshape(samples, -1)
    tensor_amax = torch.where(torch.isfinite(per), per.abs(), torch.full_like(per, math.inf)).amax(dim=1)
    st = tensor_amax.to(torch.float32) / torch.tensor(2688.0, dtype=torch.float32)  # fp32, rounded once
    st = torch.where(st == 0, torch.ones_like(st), st).to(torch.float64)
    st = st.repeat_interleave(v.shape[0] // samples).reshape(-1, 1, 1)  # per row of blocks
    finite = torch.isfinite(st)
    st = torch.where(finite, st, torch.ones_like(st))
    e4m3 = BlockFormat("mx", "e4m3", 32, 8).grid()
    den = 6.0 * st.expand_as(amax)
    sb_idx = _nearest(e4m3, amax, den, False)
    one = int((e4m3 == 1.0).nonzero()[0])
    sb_idx = torch.where(amax == 0, torch.full_like(sb_idx, one), sb_idx)
    sb_idx = torch.where((amax > 0) & (amax < torch.ldexp(den, torch.tensor(-9))), torch.ones_like(sb_idx), sb_idx)
    unit = e4m3[sb_idx] * st
    grid = f.grid()
    idx = _nearest(grid, mag, unit.expand_as(mag), False)
    sign = torch.where(negative, -1.0, 1.0).to(torch.float64)
    out = sign * grid[idx] * unit
    return torch.where(finite, out, torch.full_like(out, math.nan))  # a NaN or inf anywhere: all NaN


def _group(f, mag, negative, amax):
    qmax = (1 << (f.bits - 1)) - 1
    s = amax.to(torch.float32) / torch.tensor(float(qmax), dtype=torch.float32)
    if f.fp16_scale:
        s = s.to(torch.float16).to(torch.float32)
    s = s.to(torch.float64)
    safe = torch.where(s > 0, s, torch.ones_like(s))
    k = _nearest_int(mag, safe.expand_as(mag), False)
    k = torch.minimum(k, torch.where(negative, float(qmax + 1), float(qmax)))
    k = torch.where(s > 0, k, torch.zeros_like(k))
    return torch.where(negative, -k, k) * s + 0.0  # integers have no -0
