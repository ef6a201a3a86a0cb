"""Quantization-aware training (QAT) with qarch's number formats, and export to qarch workloads.

The networks are LeNet-5 and the 784-256-128-10 MLP of workloads/fashion/ with an optional width
multiplier (study 004 scales the width until accuracies match). Every compute layer quantizes
its input and its weights with qarch_dse.fakequant, which reproduces qarch's formats
code for code (tests/python/test_fakequant.py), and trains through the rounding with the
straight-through estimator (activations: the gradient passes where the value is inside the
format's range; weights: everywhere, or binary weights above mean|w| would never move again).

Scales. Post-training (PTQ, `ptq_spec`) uses qarch's rules (docs/functional.md): weights
max|w| / max_value(format) (binary: mean|w|), activations max|x| over the first 1000 training
images through the float network, / max_value; `scale_mode="pow2"` rounds both up to a power of
two: dynamic fixed point (Ristretto), the "fixed-point" of study 001. QAT (`qat_spec`) learns
them instead (LSQ, Esser et al. 2020, log-parameterised; "lsq_pow2" rounds to the nearest power
of two): at 2-4 bits the max rule rounds most values to zero and the network cannot train.
Formats that represent values directly (fixedN_F, floats, posits) use scale 1. The scales are
written into the workload (`weight_scale`, `activation_scale`), so qarch does not recalibrate.

Block-scaled formats (mxfp4, mxfp8_e4m3, nvfp4, int4_g32, ...; multiplier "block_dot") quantize
as qarch's block dot-product layers do: weights in blocks along each output channel's row,
activations along each input vector (conv: each output pixel's im2col row, padding as zeros;
NVFP4's tensor scale per sample), with the arch defaults (floor scales, nearest even); their
scale is 1 and the export writes none.

Binary activations (`activation="binary"`) follow BinaryNet: no ReLU (its output would always
binarize to +1); a batch normalisation without learned gain, plus a per-channel bias, precedes
the next layer's sign. Since sign((y - mu) / sigma + beta) = sign(y - mu + beta * sigma) for
sigma > 0, the export folds it into the layer's bias exactly, and the hardware needs no BN.

Schedules: "direct" fine-tunes (or trains from scratch) at the target formats; "cyclic" is the
multiple-cyclic training of study 003's first paper: a cycle steps the bit width down one rung
at a time (8, 4 and 2 bits above the target, one epoch each, then the target for `epochs`),
each rung initialised from the previous one's weights, normalisation and clipping range; every
later cycle first trains the float network from the low-bit weights (`float_epochs`), then steps
down again. (The paper steps one bit at a time; three rungs keep a cycle affordable on a CPU.)

Usage (one training; the studies call train() directly):
  PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.qat --model lenet5 --weight int4 --activation int4 \
      --accumulator int24 --epochs 3 --out out/qat/lenet5_int4
Writes OUT/<model>.yaml, OUT/weights/*.npy and OUT/result.json (training log, scales, top-1 of
the exported network under qarch's semantics, computed here in float64).
"""

import argparse
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import fakequant as fq
from .fashion import DATASET, load_split
from .paths import ROOT

EMA = 0.99


# --------------------------------------------------------------------------------------------
# What a network computes with


@dataclass
class QuantSpec:
    """The PE formats of every compute layer; `first`/`last` override the first/last layer.

    None for `accumulator` picks qarch's natural choice (int32 for integer operands, fp32
    otherwise). `first`/`last` are dicts with any of weight, activation, accumulator, multiplier.
    """
    weight: str = "fp32"
    activation: str = "fp32"
    accumulator: str = None
    multiplier: str = "exact"
    scale_mode: str = "max"          # "max", "pow2", "lsq" or "lsq_pow2" (QLayer)
    first: dict = field(default_factory=dict)
    last: dict = field(default_factory=dict)

    def layer(self, index, count):
        f = {"weight": self.weight, "activation": self.activation,
             "accumulator": self.accumulator, "multiplier": self.multiplier}
        if index == 0:
            f.update(self.first)
        if index == count - 1:
            f.update(self.last)
        if f["accumulator"] is None:
            f["accumulator"] = default_accumulator(f["weight"], f["activation"])
        return f

    @property
    def binary_activations(self):
        return self.activation == "binary"


def ptq_spec(spec):
    """The spec with qarch's post-training scale rule (max, or max rounded up to a power of two)."""
    return QuantSpec(**{**asdict(spec), "scale_mode": "pow2" if spec.scale_mode.endswith("pow2") else "max"})


def qat_spec(spec):
    """The spec with learned scales (LSQ; rounded to powers of two for the pow2 rule)."""
    return QuantSpec(**{**asdict(spec), "scale_mode": "lsq_pow2" if spec.scale_mode.endswith("pow2") else "lsq"})


def integer_valued(fmt):
    return not fq.is_block_format(fmt) and fq.Format.parse(fmt).kind in ("int", "uint", "pow2", "binary", "ternary")


def default_accumulator(weight, activation):
    return "int32" if integer_valued(weight) and integer_valued(activation) else "fp32"


def scale_for(fmt, magnitude, mode):
    """qarch's scale for a tensor whose max|x| (mean|x| for binary) is `magnitude`."""
    if fq.is_block_format(fmt):  # the blocks carry their scales
        return 1.0
    f = fq.Format.parse(fmt)
    if f.kind not in ("int", "uint", "pow2", "ternary", "binary") or magnitude <= 0:
        return 1.0
    s = magnitude if f.kind == "binary" else magnitude / f.max_value()
    if mode == "pow2":
        s = 2.0 ** math.ceil(math.log2(s))
    return float(s)


# --------------------------------------------------------------------------------------------
# Networks


def lenet5_layers(width=1.0):
    c1, c2, f1, f2 = (max(1, round(c * width)) for c in (6, 16, 120, 84))
    return [("conv", "conv1", dict(cin=1, cout=c1, k=5, pad=2)), ("relu", "relu1"), ("maxpool", "pool1"),
            ("conv", "conv2", dict(cin=c1, cout=c2, k=5, pad=0)), ("relu", "relu2"), ("maxpool", "pool2"),
            ("fc", "fc1", dict(cin=c2 * 25, cout=f1)), ("relu", "relu3"),
            ("fc", "fc2", dict(cin=f1, cout=f2)), ("relu", "relu4"),
            ("fc", "fc3", dict(cin=f2, cout=10))]


def mlp_layers(width=1.0):
    h1, h2 = (max(1, round(c * width)) for c in (256, 128))
    return [("fc", "fc1", dict(cin=784, cout=h1)), ("relu", "relu1"),
            ("fc", "fc2", dict(cin=h1, cout=h2)), ("relu", "relu2"),
            ("fc", "fc3", dict(cin=h2, cout=10))]


NETWORKS = {"lenet5": lenet5_layers, "mlp": mlp_layers}


def learnable(fmt):
    """Formats whose scale QAT can learn (integer-valued grids with a scale)."""
    return not fq.is_block_format(fmt) and fq.Format.parse(fmt).kind in ("int", "uint", "pow2", "ternary")


def lsq_init(fmt, mean_abs, max_abs):
    """The smaller of qarch's max rule and LSQ's 2 mean|x| / sqrt(Qp): the max rule is the better
    start at 5+ bits, LSQ's at 2-4 bits, where the max rule rounds most values to zero."""
    qp = fq.Format.parse(fmt).max_value()
    return max(min(max_abs / qp, 2 * mean_abs / math.sqrt(qp)), 1e-12)


def round_ste(v):
    return v + (torch.round(v) - v).detach()


def conv_as_rows(x, w, b, pad, rows_of):
    """conv2d (stride 1) computed from the im2col rows `rows_of(cols)` gives, so that each row
    can be quantized on its own."""
    n, _, h, width = x.shape
    cout, _, k, _ = w.shape
    rows = rows_of(F.unfold(x, k, padding=pad))  # (N, pixels, C k k)
    out = rows @ w.reshape(cout, -1).t().to(rows.dtype) + b.to(rows.dtype)
    return out.transpose(1, 2).reshape(n, cout, h + 2 * pad - k + 1, width + 2 * pad - k + 1)


class QLayer(nn.Module):
    """A conv or fc layer that fake-quantizes its input and weights as the PE array will.

    Scale modes: "max" and "pow2" are qarch's post-training rules (max|x| / max_value, the
    latter rounded up to a power of two), tracked during training (weights every step,
    activations by an EMA of the batch max); "lsq" and "lsq_pow2" learn the step sizes (LSQ,
    Esser et al. 2020; log-parameterised, the latter rounded to the nearest power of two).
    """

    def __init__(self, kind, name, cin, cout, k=None, pad=0, formats=None, scale_mode="max", bn=False):
        super().__init__()
        self.kind, self.name, self.pad, self.formats, self.scale_mode = kind, name, pad, formats, scale_mode
        shape = (cout, cin, k, k) if kind == "conv" else (cout, cin)
        ref = nn.Conv2d(cin, cout, k) if kind == "conv" else nn.Linear(cin, cout)  # PyTorch's init
        self.weight = nn.Parameter(ref.weight.detach().clone().reshape(shape))
        self.bias = nn.Parameter(ref.bias.detach().clone())
        self.register_buffer("act_max", torch.zeros((), dtype=torch.float64))
        self.register_buffer("act_mean", torch.zeros((), dtype=torch.float64))
        self.log_sw = nn.Parameter(torch.zeros(())) if self.learned("weight") else None
        self.log_sa = nn.Parameter(torch.zeros(())) if self.learned("activation") else None
        self.quantize = False
        # BinaryNet's normalisation before the next sign: no gain, a learned shift.
        self.bn = (nn.BatchNorm2d(cout, affine=False) if kind == "conv" else nn.BatchNorm1d(cout, affine=False)) if bn else None
        self.bn_shift = nn.Parameter(torch.zeros(cout)) if bn else None

    def learned(self, operand):
        return self.scale_mode.startswith("lsq") and learnable(self.formats[operand])

    def init_learned_scales(self):
        """Initialises the learned scales from the weights and the calibrated activations."""
        with torch.no_grad():
            if self.log_sw is not None:
                w = self.weight.detach().abs()
                self.log_sw.fill_(math.log(lsq_init(self.formats["weight"], float(w.mean()), float(w.max()))))
            if self.log_sa is not None:
                self.log_sa.fill_(math.log(lsq_init(self.formats["activation"], float(self.act_mean), float(self.act_max))))

    def _learned_scale(self, log_s):
        if self.scale_mode == "lsq_pow2":
            return torch.pow(2.0, round_ste(log_s / math.log(2.0)))
        return torch.exp(log_s)

    def _scale(self, operand):
        """The operand's scale as a tensor (learned) or a float (rule)."""
        fmt = self.formats[operand]
        if operand == "activation" and fmt == "binary":  # only the sign reaches the PE; BN follows
            return 1.0
        if fq.is_block_format(fmt):  # the blocks carry their scales
            return 1.0
        log_s = self.log_sw if operand == "weight" else self.log_sa
        if log_s is not None:
            return self._learned_scale(log_s)
        if operand == "weight":
            w = self.weight.detach().abs()
            magnitude = w.mean() if fq.Format.parse(fmt).kind == "binary" else w.max()
        else:
            magnitude = self.act_max
        return scale_for(fmt, float(magnitude), "pow2" if self.scale_mode.endswith("pow2") else "max")

    def weight_scale(self):
        return float(self._scale("weight"))

    def activation_scale(self):
        return float(self._scale("activation"))

    def _fake_quant(self, x, operand):
        fmt, s = self.formats[operand], self._scale(operand)
        if fq.is_block_format(fmt):  # blocks along the reduction axis: weight rows, input vectors
            if operand == "weight":
                return fq.fake_quant(x.reshape(x.shape[0], -1), fmt, 1.0).reshape(x.shape)
            return fq.fake_quant(x, fmt, 1.0, per_sample=True)
        if isinstance(s, torch.Tensor):  # learned: the gradient reaches the scale through x / s
            f = fq.Format.parse(fmt)
            v = x / s
            clamped = torch.clamp(v, f.lowest_value(), f.max_value())
            return (clamped + (fq.quantize(v.detach(), f) - clamped).detach()) * s
        if operand == "weight":  # identity STE: a clipped one would freeze binary weights above mean|w|
            return x + (fq.quantize(x.detach(), fmt, s) - x).detach()
        return fq.fake_quant(x, fmt, s)

    def forward(self, x):
        if self.kind == "fc":
            x = torch.flatten(x, 1)
        w, b = self.weight, self.bias
        if self.quantize:
            if self.training and self.log_sa is None:
                batch_max = float(x.detach().abs().max())
                self.act_max.fill_(EMA * float(self.act_max) + (1 - EMA) * batch_max)
            w = self._fake_quant(w, "weight")
            if self.kind == "conv" and fq.is_block_format(self.formats["activation"]):
                y = conv_as_rows(x, w, b, self.pad, lambda cols: self._fake_quant(cols.transpose(1, 2), "activation"))
                return self._normalise(y)
            x = self._fake_quant(x, "activation")
        y = F.conv2d(x, w, b, padding=self.pad) if self.kind == "conv" else F.linear(x, w, b)
        return self._normalise(y)

    def _normalise(self, y):
        if self.bn is not None:
            shift = self.bn_shift.view(1, -1, 1, 1) if self.kind == "conv" else self.bn_shift
            y = self.bn(y) + shift
        return y

    def folded_bias(self):
        """The bias with the BinaryNet normalisation folded in (float64)."""
        b = self.bias.detach().double()
        if self.bn is None:
            return b
        sigma = torch.sqrt(self.bn.running_var.double() + self.bn.eps)
        return b - self.bn.running_mean.double() + self.bn_shift.detach().double() * sigma


class QNet(nn.Module):
    def __init__(self, model, width, spec, binary_structure=None):
        super().__init__()
        self.model, self.width, self.spec = model, width, spec
        layers = NETWORKS[model](width)
        binary = spec.binary_activations if binary_structure is None else binary_structure
        if binary:  # no ReLU in front of a sign; BN before every hidden sign
            layers = [layer for layer in layers if layer[0] != "relu"]
        compute = [layer for layer in layers if layer[0] in ("conv", "fc")]
        self.plan = []
        self.qlayers = nn.ModuleDict()
        for kind, name, *opts in layers:
            if kind in ("conv", "fc"):
                index = compute.index((kind, name, *opts))
                formats = spec.layer(index, len(compute))
                bn = binary and index < len(compute) - 1
                self.qlayers[name] = QLayer(kind, name, formats=formats, scale_mode=spec.scale_mode, bn=bn, **opts[0])
            self.plan.append((kind, name))

    def set_quantize(self, on):
        for layer in self.qlayers.values():
            layer.quantize = on

    def forward(self, x):
        for kind, name in self.plan:
            if kind in ("conv", "fc"):
                x = self.qlayers[name](x)
            elif kind == "relu":
                x = torch.relu(x)
            elif kind == "maxpool":
                x = F.max_pool2d(x, 2)
        return x

    def load_float(self, weights):
        """Loads {layer: (weight, bias)} numpy arrays (e.g. the shipped fp32 weights)."""
        with torch.no_grad():
            for name, (w, b) in weights.items():
                self.qlayers[name].weight.copy_(torch.from_numpy(np.asarray(w)).reshape(self.qlayers[name].weight.shape))
                self.qlayers[name].bias.copy_(torch.from_numpy(np.asarray(b)))

    def float_weights(self):
        return {name: (layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy())
                for name, layer in self.qlayers.items()}


def shipped_weights(model):
    d = os.path.join(ROOT, "workloads", "fashion", "weights")
    return {name: (np.load(os.path.join(d, f"{model}_{name}_weight.npy")),
                   np.load(os.path.join(d, f"{model}_{name}_bias.npy")))
            for kind, name, *_ in NETWORKS[model]() if kind in ("conv", "fc")}


# --------------------------------------------------------------------------------------------
# Training


def run_epochs(net, x, y, epochs, lr, seed, log, label):
    if epochs <= 0:
        return
    torch.manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * ((len(x) + 127) // 128)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(x), generator=g)
        total, t0 = 0.0, time.time()
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        entry = {"stage": label, "epoch": epoch + 1, "loss": total / len(x), "seconds": time.time() - t0}
        log.append(entry)
        print(f"  {label} epoch {epoch + 1}/{epochs}: loss {entry['loss']:.4f} ({entry['seconds']:.0f} s)", flush=True)


def calibrate(net, x):
    """Activation ranges as qarch calibrates them: max|x| at every compute layer's input over the
    first 1000 training images through the float network (QAT then tracks them with an EMA)."""
    net.set_quantize(False)
    net.eval()
    for layer in net.qlayers.values():  # BinaryNet's BN: normalise with these images' statistics
        if layer.bn is not None:
            layer.bn.reset_running_stats()
            layer.bn.momentum = None  # cumulative average: the running stats become the batch's
            layer.bn.train()
    seen = {}
    hooks = [layer.register_forward_pre_hook(
        lambda m, inp, name=name: seen.__setitem__(name, inp[0].detach().abs()))
        for name, layer in net.qlayers.items()]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    for layer in net.qlayers.values():
        if layer.bn is not None:
            layer.bn.momentum = 0.1
            layer.bn.eval()
    for name, layer in net.qlayers.items():
        layer.act_max.fill_(float(seen[name].max()))
        layer.act_mean.fill_(float(seen[name].mean()))
        layer.init_learned_scales()


def ladder(target):
    """Integer rungs above the target for the cyclic schedule's step-down: 8, 4 and 2 bits."""
    f = fq.Format.parse(target)
    bits = f.bits if f.kind == "int" else 1 if f.kind == "binary" else 2 if f.kind == "ternary" else 4
    return [f"int{b}" for b in (8, 4, 2) if b > bits]


def with_formats(spec, fmt):
    """The spec with its weight and activation formats (not the first/last overrides) replaced."""
    s = QuantSpec(**{**asdict(spec), "weight": fmt, "activation": fmt if spec.activation != "fp32" else "fp32",
                     "accumulator": None, "multiplier": "exact"})
    s.first = {k: v for k, v in spec.first.items() if k not in ("multiplier", "accumulator")}
    s.last = {k: v for k, v in spec.last.items() if k not in ("multiplier", "accumulator")}
    return s


def train(model, spec, out_dir, width=1.0, epochs=3, init="shipped", schedule="direct", cycles=2,
          float_epochs=None, lr=1e-3, seed=2024, dataset=DATASET, train_limit=None,
          test_limit=10000, threads=1):
    """Trains `model` at `spec`, exports it to out_dir, returns the result dict (also result.json).

    init: "shipped" (the trained fp32 weights of workloads/fashion, width 1 only), "scratch", or a
    dict of float weights. float_epochs: epochs of the float network (scratch init and cyclic
    schedule; default = epochs).
    """
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    x_train, y_train = load_split(dataset, "train")
    x_test, y_test = load_split(dataset, "t10k")
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    float_epochs = epochs if float_epochs is None else float_epochs
    log, t0 = [], time.time()
    torch.manual_seed(seed)
    net = QNet(model, width, spec)
    if init == "shipped":
        if width != 1.0:
            raise ValueError("the shipped weights are for width 1")
        net.load_float(shipped_weights(model))
    elif isinstance(init, dict):
        net.load_float(init)
    elif init == "scratch":
        net.set_quantize(False)
        run_epochs(net, x_train, y_train, float_epochs, 2e-3, seed, log, "float")
    else:
        raise ValueError(f"unknown init {init!r}")

    calibrate(net, x_train[:1000])
    if schedule == "direct":
        net.set_quantize(True)
        run_epochs(net, x_train, y_train, epochs, lr, seed + 1, log, "qat")
    elif schedule == "cyclic":
        for cycle in range(cycles):
            if cycle > 0:  # the float network starts from the low-bit weights
                net.set_quantize(False)
                run_epochs(net, x_train, y_train, float_epochs, lr, seed + 10 * cycle, log, f"cycle{cycle + 1}-float")
            for rung in ladder(spec.weight) + [None]:
                step = net if rung is None else QNet(model, width, with_formats(spec, rung), spec.binary_activations)
                if step is not net:
                    step.load_float(net.float_weights())
                    copy_bn(net, step)
                step.set_quantize(True)
                run_epochs(step, x_train, y_train, 1 if rung else epochs, lr,
                           seed + 10 * cycle + 1, log, f"cycle{cycle + 1}-{rung or spec.weight}")
                if step is not net:
                    net.load_float(step.float_weights())
                    copy_bn(step, net)
    else:
        raise ValueError(f"unknown schedule {schedule!r}")

    net.set_quantize(True)
    net.eval()
    workload = export(net, out_dir)
    top1 = reference_top1(workload, x_test[:test_limit], y_test[:test_limit])
    result = {"model": model, "width": width, "spec": asdict(spec), "epochs": epochs, "init": init if isinstance(init, str) else "given",
              "schedule": schedule, "cycles": cycles if schedule == "cyclic" else None, "seed": seed,
              "train_images": len(x_train), "test_images": len(x_test[:test_limit]), "reference_top1": top1,
              "seconds": time.time() - t0, "workload": workload, "log": log}
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    return result


def copy_bn(src, dst):
    """Hands the normalisation, calibration statistics and learned clipping ranges of src to dst."""
    for name, layer in src.qlayers.items():
        if layer.bn is not None:
            dst.qlayers[name].bn.load_state_dict(layer.bn.state_dict())
            with torch.no_grad():
                dst.qlayers[name].bn_shift.copy_(layer.bn_shift)
        d = dst.qlayers[name]
        d.act_max.copy_(layer.act_max)
        d.act_mean.copy_(layer.act_mean)
        d.init_learned_scales()
        with torch.no_grad():  # keep the learned clipping range: scale x max_value stays the same
            for operand, src_s, dst_s in (("weight", layer.log_sw, d.log_sw), ("activation", layer.log_sa, d.log_sa)):
                if src_s is not None and dst_s is not None:
                    ratio = (fq.Format.parse(layer.formats[operand]).max_value()
                             / fq.Format.parse(d.formats[operand]).max_value())
                    dst_s.copy_(src_s + math.log(ratio))


def train_cached(work_dir, key, **kwargs):
    """train() into work_dir/key unless a result.json with the same arguments is there."""
    out = os.path.join(work_dir, key)
    args = json.loads(json.dumps({k: asdict(v) if isinstance(v, QuantSpec) else v for k, v in kwargs.items()
                                  if k not in ("threads", "dataset")}))
    path = os.path.join(out, "result.json")
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if old.get("arguments") == args:
            return old
    result = train(out_dir=out, **kwargs)
    result["arguments"] = args
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    return result


# --------------------------------------------------------------------------------------------
# Export and the float64 reference of the exported network


def fmt_float(v):
    return repr(float(v))


def export(net, out_dir):
    """Writes OUT/<model>.yaml and OUT/weights/*.npy; returns the workload path."""
    os.makedirs(os.path.join(out_dir, "weights"), exist_ok=True)
    lines = []
    for kind, name in net.plan:
        if kind == "relu":
            lines.append(f"  - {{name: {name}, type: activation, function: relu}}")
        elif kind == "maxpool":
            lines.append(f"  - {{name: {name}, type: maxpool, kernel: 2, stride: 2}}")
        else:
            layer = net.qlayers[name]
            w = layer.weight.detach().numpy().astype(np.float32)
            b = layer.folded_bias().numpy().astype(np.float32)
            np.save(os.path.join(out_dir, "weights", f"{name}_weight.npy"), w)
            np.save(os.path.join(out_dir, "weights", f"{name}_bias.npy"), b)
            f = layer.formats
            shape = (f"type: conv2d, filters: {w.shape[0]}, kernel: {w.shape[2]}, padding: {layer.pad}"
                     if kind == "conv" else f"type: fc, out_features: {w.shape[0]}")
            # Block-scaled operands carry their scales: qarch refuses a configured one.
            scales = "".join(f"{key}: {fmt_float(scale())}, " for key, operand, scale in
                             (("weight_scale", "weight", layer.weight_scale),
                              ("activation_scale", "activation", layer.activation_scale))
                             if not fq.is_block_format(f[operand]))
            lines.append(f"  - {{name: {name}, {shape},\n"
                         f"     weight_format: \"{f['weight']}\", activation_format: \"{f['activation']}\", "
                         f"accumulator_format: \"{f['accumulator']}\", multiplier: {f['multiplier']},\n"
                         + (f"     {scales}\n" if scales else "") +
                         f"     weights: weights/{name}_weight.npy, bias: weights/{name}_bias.npy}}")
    spec = net.spec
    text = (f"# {net.model} (width x{net.width:g}) after quantization-aware training with qarch's formats.\n"
            f"# Written by qarch_dse.qat -- do not edit by hand. PE formats per layer: weights\n"
            f"# {spec.weight}, activations {spec.activation}, first-layer overrides {spec.first or '-'},\n"
            f"# last-layer overrides {spec.last or '-'}; scales fixed by training ({spec.scale_mode} rule).\n\n"
            f"name: {net.model}\ninput: {{channels: 1, height: 28, width: 28}}\nbatch: 1\nlayers:\n"
            + "\n".join(lines) + "\n")
    path = os.path.join(out_dir, f"{net.model}.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def load_workload(path):
    """The exported workload as a list of layers with numpy parameters (for reference_top1)."""
    import yaml
    with open(path) as f:
        doc = yaml.safe_load(f)
    base = os.path.dirname(path)
    layers = []
    for layer in doc["layers"]:
        layer = dict(layer)
        if "weights" in layer:
            layer["w"] = np.load(os.path.join(base, layer["weights"])).astype(np.float64)
            layer["b"] = np.load(os.path.join(base, layer["bias"])).astype(np.float64)
        layers.append(layer)
    return layers


def accumulator_bias(b, fmt, scale):
    """qarch's bias in accumulator units (value / scale): intN rounds to a saturated integer,
    other accumulators round b / scale into their format."""
    f = fq.Format.parse(fmt)
    if f.kind in ("int", "uint"):
        return torch.clamp(torch.round(b / scale), f.lowest_value(), f.max_value())
    return fq.quantize(b / scale, f)


def reference_top1(workload, x, y, batch=1000):
    """Top-1 of an exported workload under qarch's semantics, in float64 PyTorch.

    Quantizes each compute layer's input and weights with the workload's scales and formats,
    adds the bias as qarch does (accumulator_bias) and sums exactly for integer codes (float64
    holds every partial sum of these networks). Accumulation rounding of float accumulators is
    not modelled (float64 sums), so float formats agree with qarch to rounding, not bit for bit;
    block formats too (qarch rounds each block's exact sum into fp32).
    """
    layers = load_workload(workload)
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            h = x[i:i + batch].double()
            for layer in layers:
                if layer["type"] in ("conv2d", "fc"):
                    if layer["type"] == "fc":
                        h = torch.flatten(h, 1)
                    af, wf = layer["activation_format"], layer["weight_format"]
                    sa, sw = layer.get("activation_scale", 1.0), layer.get("weight_scale", 1.0)
                    w = torch.from_numpy(layer["w"])
                    if fq.is_block_format(wf):  # blocks along each output channel's row
                        wq = fq.quantize(w.reshape(w.shape[0], -1), wf).reshape(w.shape)
                    else:
                        wq = fq.quantize(w, wf, sw) / sw
                    if layer.get("multiplier", "exact") not in ("exact", "shift_add", "xnor_popcount", "block_dot"):
                        raise ValueError(f"reference_top1 computes exact products only, not {layer['multiplier']}")
                    bq = accumulator_bias(torch.from_numpy(layer["b"]), layer["accumulator_format"], sw * sa)
                    pad = layer.get("padding", 0)
                    if layer["type"] == "conv2d" and fq.is_block_format(af):  # per im2col row
                        acc = conv_as_rows(h, wq, bq, pad, lambda cols: fq.quantize(cols.transpose(1, 2), af, per_sample=True))
                    else:
                        xq = fq.quantize(h, af, per_sample=True) if fq.is_block_format(af) else fq.quantize(h, af, sa) / sa
                        acc = F.conv2d(xq, wq, bq, padding=pad) if layer["type"] == "conv2d" else F.linear(xq, wq, bq)
                    h = acc * (sw * sa)
                elif layer["type"] == "activation":
                    h = torch.relu(h)
                elif layer["type"] == "maxpool":
                    h = F.max_pool2d(h, 2)
            correct += int((h.argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def parse_spec(args):
    def overrides(text):
        out = {}
        for item in filter(None, (text or "").split(",")):
            key, _, value = item.partition("=")
            out[key] = value
        return out
    return QuantSpec(weight=args.weight, activation=args.activation, accumulator=args.accumulator,
                     multiplier=args.multiplier, scale_mode=args.scale_mode,
                     first=overrides(args.first), last=overrides(args.last))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=sorted(NETWORKS), default="lenet5")
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--weight", default="int8")
    p.add_argument("--activation", default="int8")
    p.add_argument("--accumulator")
    p.add_argument("--multiplier", default="exact")
    p.add_argument("--scale-mode", choices=("max", "pow2", "lsq", "lsq_pow2"), default="max")
    p.add_argument("--first", help="first-layer overrides, e.g. activation=int8,multiplier=shift_add")
    p.add_argument("--last", help="last-layer overrides")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--float-epochs", type=int)
    p.add_argument("--init", choices=("shipped", "scratch"), default="shipped")
    p.add_argument("--schedule", choices=("direct", "cyclic"), default="direct")
    p.add_argument("--cycles", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--train-limit", type=int)
    p.add_argument("--test-limit", type=int, default=10000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    result = train(args.model, parse_spec(args), args.out, width=args.width, epochs=args.epochs,
                   init=args.init, schedule=args.schedule, cycles=args.cycles, float_epochs=args.float_epochs,
                   lr=args.lr, seed=args.seed, dataset=args.dataset, train_limit=args.train_limit,
                   test_limit=args.test_limit, threads=args.threads)
    print(f"{result['workload']}: top-1 {100 * result['reference_top1']:.2f}% "
          f"(qarch semantics, float64, {result['test_images']} test images; {result['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
