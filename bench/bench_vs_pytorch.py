#!/usr/bin/python3
"""Functional mode against PyTorch: images per second on the same network, images and threads.

For each shipped Fashion-MNIST CNN (workloads/fashion/{resnet,mobilenet,lenet5}.yaml) it times
  - PyTorch float32 eager inference of the workload's own layers and weights (the BN-folded
    network qarch runs: conv2d, relu/relu6, add, max/avg pooling, fc; batches of 100, no grad,
    torch.set_num_threads(T), OpenBLAS at T threads) on the 10,000 test images, warm: one untimed
    pass first (oneDNN builds its primitives then), then the best of two, and
  - `qarch run --functional --threads T` on the same images for each arithmetic, end to end
    (mapping, the 1,000-image calibration, the bit-exact run and the float32 reference run
    that gives the SQNR columns, all in the measured wall time), and again with
    `--reference-images 0` (the bit-exact run alone: no SQNR, no float32 top-1),
and prints a Markdown table of images/s, G MAC/s and the ratio qarch / PyTorch.

Usage: PYTHONPATH=scripts /usr/bin/python3 bench/bench_vs_pytorch.py [--threads 2] [--images 10000]
       [--models resnet,mobilenet] [--configs int8,fp8,bf16,posit8-plam] [--qarch EXE]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import yaml

from qarch_dse import ROOT, find_qarch
from qarch_dse.fashion import DATASET, load_split


def load_workload(model):
    path = os.path.join(ROOT, "workloads", "fashion", f"{model}.yaml")
    with open(path) as f:
        spec = yaml.safe_load(f)
    import torch
    params = {}
    for layer in spec["layers"]:
        if "weights" in layer:
            w = torch.from_numpy(np.load(os.path.join(os.path.dirname(path), layer["weights"])))
            b = torch.from_numpy(np.load(os.path.join(os.path.dirname(path), layer["bias"]))) if "bias" in layer else None
            params[layer["name"]] = (w, b)
    return path, spec["layers"], params


def forward(layers, params, x):
    """The workload's layers in PyTorch float32 eager mode."""
    import torch
    import torch.nn.functional as F
    values, prev = {"input": x}, "input"
    for layer in layers:
        name, kind = layer["name"], layer["type"]
        inp = values[layer.get("input", prev)]
        if kind == "conv2d":
            w, b = params[name]
            y = F.conv2d(inp, w, b, layer.get("stride", 1), layer.get("padding", 0), 1, layer.get("groups", 1))
        elif kind == "activation":
            y = torch.relu(inp) if layer["function"] == "relu" else F.relu6(inp)
        elif kind == "add":
            y = values[layer["inputs"][0]] + values[layer["inputs"][1]]
        elif kind == "maxpool":
            y = F.max_pool2d(inp, layer["kernel"], layer.get("stride", layer["kernel"]))
        elif kind == "avgpool":
            y = inp.mean((2, 3), keepdim=True)
        elif kind == "fc":
            w, b = params[name]
            y = F.linear(torch.flatten(inp, 1), w, b)
        else:
            sys.exit(f"error: {name}: layer type {kind} is not in this benchmark's PyTorch runner")
        values[name] = y
        prev = name
    return values[prev]


def pytorch_images_per_s(layers, params, x, threads):
    import torch
    torch.set_num_threads(threads)
    def one_pass():
        start = time.perf_counter()
        for i in range(0, len(x), 100):
            forward(layers, params, x[i:i + 100])
        return time.perf_counter() - start
    with torch.no_grad():
        # oneDNN creates its primitives on the first pass, which runs several times slower;
        # one untimed pass, then the best of two, so PyTorch is measured warm.
        one_pass()
        return len(x) / min(one_pass(), one_pass())


def qarch_run(exe, config, workload, images, threads, reference=True):
    cmd = [exe, "run", "--arch", os.path.join(ROOT, "configs", f"{config}.yaml"), "--workload", workload,
           "--functional", "--limit", str(images), "--threads", str(threads), "--format", "json"]
    if not reference:
        cmd += ["--reference-images", "0"]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    return images / elapsed, json.loads(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--images", type=int, default=10000)
    p.add_argument("--models", default="resnet,mobilenet,lenet5")
    p.add_argument("--configs", default="int8,fp8,bf16,posit8-plam")
    p.add_argument("--qarch")
    args = p.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    exe = find_qarch(args.qarch)
    x, _ = load_split(DATASET, "t10k")
    x = x[:args.images]
    print(f"{args.images} images, {args.threads} threads\n")
    print("| network | arithmetic | PyTorch fp32 images/s | qarch images/s (G MAC/s) | qarch / PyTorch "
          "| without the float32 reference | qarch / PyTorch | qarch top-1 |")
    print("|---|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        workload, layers, params = load_workload(model)
        torch_rate = pytorch_images_per_s(layers, params, x, args.threads)
        for config in args.configs.split(","):
            rate, summary = qarch_run(exe, config, workload, args.images, args.threads)
            alone, alone_summary = qarch_run(exe, config, workload, args.images, args.threads, reference=False)
            assert alone_summary["top1"] == summary["top1"]
            gmacs = lambda r: r * summary["macs"] / 1e9
            print(f"| {model} | `{config}` | {torch_rate:,.0f} | {rate:,.0f} ({gmacs(rate):.2f}) | {rate / torch_rate:.2f} "
                  f"| {alone:,.0f} ({gmacs(alone):.2f}) | {alone / torch_rate:.2f} | {100 * summary['top1']:.2f} % |",
                  flush=True)


if __name__ == "__main__":
    main()
