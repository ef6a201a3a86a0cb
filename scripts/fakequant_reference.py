#!/usr/bin/python3
"""Golden values for qarch's functional mode, computed with PyTorch from the committed weights.

For each shipped Fashion-MNIST model (workloads/fashion/<model>.yaml) writes
tests/data/func/<model>_golden.json with:

- fp32: PyTorch's float32 predictions on the whole test split and their top-1, which a float32
  functional run must reproduce;
- int8: a fake-quantization reference of qarch's post-training int8 quantization
  (docs/numerics.md, "Post-training quantization"): weight scale max|w| / 127, activation scale
  (the input of every compute layer) max over the first 1000 training images / 127 through the
  float32 network, round to nearest even, saturate to [-128, 127]; bias rounded to int32 with
  scale weight scale x activation scale; exact integer accumulation (float64 holds every partial
  sum exactly); the layer output is the accumulator x (weight scale x activation scale).
  Recorded: both scales per layer, every compute layer's int32 accumulators (bias included) for
  the first few test images, and the int8 predictions on the first 1000 test images.

The C++ test (tests/unit/func/golden_test.cpp) fixes the scales to these values, so that the
comparison is bit for bit and does not depend on float32 summation order in calibration, and
checks its own calibration against them with a tolerance.

Usage: /usr/bin/python3 scripts/fakequant_reference.py [--dataset DIR] [--images 4]
Needs python3-torch and python3-numpy; deterministic (single thread, float64 for int8).
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from qarch_dse.fashion import DATASET, read_idx
from qarch_dse.paths import ROOT

# (kind, name, options) in execution order; kinds: conv, fc, relu, maxpool.
NETWORKS = {
    "lenet5": [("conv", "conv1", {"padding": 2}), ("relu", "relu1", {}), ("maxpool", "pool1", {}),
               ("conv", "conv2", {"padding": 0}), ("relu", "relu2", {}), ("maxpool", "pool2", {}),
               ("fc", "fc1", {}), ("relu", "relu3", {}), ("fc", "fc2", {}), ("relu", "relu4", {}),
               ("fc", "fc3", {})],
    "mlp": [("fc", "fc1", {}), ("relu", "relu1", {}), ("fc", "fc2", {}), ("relu", "relu2", {}),
            ("fc", "fc3", {})],
}

QMAX = 127
ACC_MIN, ACC_MAX = -2**31, 2**31 - 1


def load_weights(model):
    d = os.path.join(ROOT, "workloads", "fashion", "weights")
    out = {}
    for kind, name, _ in NETWORKS[model]:
        if kind in ("conv", "fc"):
            w = np.load(os.path.join(d, f"{model}_{name}_weight.npy"))
            b = np.load(os.path.join(d, f"{model}_{name}_bias.npy"))
            assert w.dtype == np.float32 and b.dtype == np.float32
            out[name] = (torch.from_numpy(w), torch.from_numpy(b))
    return out


def forward(model, weights, x, layer_fn):
    """Runs the network; layer_fn(kind, name, opts, x) computes compute layers."""
    for kind, name, opts in NETWORKS[model]:
        if kind in ("conv", "fc"):
            if kind == "fc":
                x = torch.flatten(x, 1)
            x = layer_fn(kind, name, opts, x)
        elif kind == "relu":
            x = torch.relu(x)
        elif kind == "maxpool":
            x = F.max_pool2d(x, 2)
    return x


def float_layer(weights):
    def fn(kind, name, opts, x):
        w, b = weights[name]
        if kind == "conv":
            return F.conv2d(x, w, b, padding=opts["padding"])
        return F.linear(x, w, b)
    return fn


def calibrate(model, weights, train_x):
    """max |input| of every compute layer over the calibration images, float32 network."""
    maxima = {}
    base = float_layer(weights)

    def fn(kind, name, opts, x):
        maxima[name] = max(maxima.get(name, 0.0), float(x.abs().max()))
        return base(kind, name, opts, x)
    with torch.no_grad():
        forward(model, weights, train_x, fn)
    return maxima


def int8_reference(model, weights, w_scales, a_scales, x, record):
    """Fake-quant forward in float64; record[name] gets the integer accumulators."""
    def fn(kind, name, opts, x_real):
        w, b = weights[name]
        sw, sa = w_scales[name], a_scales[name]
        qa = torch.clamp(torch.round(x_real / sa), -128, QMAX)        # round half to even
        qw = torch.clamp(torch.round(w.double() / sw), -128, QMAX)
        acc_scale = sw * sa
        qb = torch.clamp(torch.round(b.double() / acc_scale), ACC_MIN, ACC_MAX)
        if kind == "conv":
            acc = F.conv2d(qa, qw, qb, padding=opts["padding"])
        else:
            acc = F.linear(qa, qw, qb)
        assert float(acc.abs().max()) < 2**31, "int32 overflow: the reference assumes none"
        record.setdefault(name, []).append(acc)
        return acc * acc_scale
    with torch.no_grad():
        return forward(model, weights, x, fn)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--images", type=int, default=4, help="test images with recorded accumulators")
    p.add_argument("--predictions", type=int, default=1000, help="test images with int8 predictions")
    p.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "func"))
    args = p.parse_args()
    torch.set_num_threads(1)

    def images(split, n=None):
        x = read_idx(os.path.join(args.dataset, f"{split}-images-idx3-ubyte"))[:n]
        return x

    test_u8 = images("t10k")
    labels = read_idx(os.path.join(args.dataset, "t10k-labels-idx1-ubyte")).astype(np.int64)
    train_u8 = images("train", 1000)
    x32 = torch.from_numpy(test_u8.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    train32 = torch.from_numpy(train_u8.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    x64 = torch.from_numpy(test_u8.astype(np.float64) / 255.0).unsqueeze(1)

    for model in NETWORKS:
        weights = load_weights(model)
        with torch.no_grad():
            logits = torch.cat([forward(model, weights, x32[i:i + 1000], float_layer(weights))
                                for i in range(0, len(x32), 1000)])
        fp32_pred = logits.argmax(1).numpy()
        fp32_top1 = float((fp32_pred == labels).mean())

        maxima = calibrate(model, weights, train32)
        w_scales = {n: float(weights[n][0].abs().max().double()) / QMAX for n in weights}
        a_scales = {n: maxima[n] / QMAX for n in weights}

        record = {}
        int8_reference(model, weights, w_scales, a_scales, x64[:args.images], record)
        accumulators = {n: [[int(v) for v in t.flatten().tolist()] for t in record[n][0]]
                        for n in record}
        record = {}
        n = args.predictions
        out = torch.cat([int8_reference(model, weights, w_scales, a_scales, x64[i:i + 250], record)
                         for i in range(0, n, 250)])
        int8_pred = out.argmax(1).numpy()
        golden = {
            "model": model,
            "generated_by": "scripts/fakequant_reference.py",
            "fp32": {"images": int(len(labels)), "top1": fp32_top1,
                     "predictions": [int(v) for v in fp32_pred]},
            "int8": {
                "weight_scales": w_scales,
                "activation_scales": a_scales,
                "trace_images": args.images,
                "accumulators": accumulators,
                "images": n,
                "predictions": [int(v) for v in int8_pred],
                "top1": float((int8_pred == labels[:n]).mean()),
            },
        }
        path = os.path.join(args.out, f"{model}_golden.json")
        with open(path, "w") as f:
            json.dump(golden, f, separators=(",", ":"))
            f.write("\n")
        print(f"{model}: fp32 top-1 {fp32_top1:.4f} (10000 images), int8 top-1 "
              f"{golden['int8']['top1']:.4f} (first {n}); wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
