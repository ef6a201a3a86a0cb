#!/usr/bin/python3
"""Trains the small vision transformer of qarch_dse.vit on Fashion-MNIST and writes its weights.

Writes float32 .npy files under workloads/fashion/weights/ (vit_<layer>_weight.npy /
_bias.npy: PyTorch layouts; layernorms' gamma and beta; the position embedding as
vit_pos_weight.npy, 64 x 4 x 4), the workload workloads/fashion/vit.yaml that references them,
and tests/data/func/vit_golden.json with PyTorch's float32 predictions on the 10,000 test
images (what qarch's fp32 functional run must reproduce). Inputs are pixels / 255.

Deterministic: fixed seeds, deterministic algorithms. About 25 minutes on one core.
Needs Debian's python3-torch and python3-numpy and the dataset-fashion-mnist package.

Usage: /usr/bin/python3 scripts/train_vit.py [--epochs 4] [--lr 3e-3] [--threads 1] [--checkpoint FILE]
"""

import argparse
import json
import os

import numpy as np
import torch
from torch import nn

from qarch_dse.fashion import DATASET, load_split
from qarch_dse.paths import ROOT
from qarch_dse import vit


def train(model, x, y, epochs, seed, lr):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    steps = epochs * ((len(x) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}", flush=True)


def predictions(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])


def write(model, out_dir, golden_path, preds, top1):
    wdir = os.path.join(out_dir, "weights")
    os.makedirs(wdir, exist_ok=True)

    def save(name, tensor):
        np.save(os.path.join(wdir, f"vit_{name}.npy"), tensor.detach().numpy().astype(np.float32))
        return f"weights/vit_{name}.npy"

    def params(name, module, scale=1.0):
        w = save(f"{name}_weight", module.weight * scale)
        b = save(f"{name}_bias", module.bias * scale)
        return f", weights: {w}, bias: {b}"

    s = vit.HEAD_DIM ** -0.5
    lines = [
        f"{{name: patch, type: conv2d, filters: {vit.WIDTH}, kernel: {vit.PATCH}, stride: {vit.PATCH}"
        f"{params('patch', model.patch)}}}",
        f"{{name: pos, type: add, weights: {save('pos_weight', model.pos)}}}",
    ]
    x = "pos"
    for i, blk in enumerate(model.blocks):
        p = f"b{i}."
        lines += [
            f"{{name: {p}ln1, type: activation, function: layernorm, input: {x}{params(p + 'ln1', blk.ln1)}}}",
            f"{{name: {p}q, type: matmul, input: {p}ln1, out_features: {vit.WIDTH}{params(p + 'q', blk.q, s)}}}",
            f"{{name: {p}k, type: matmul, input: {p}ln1, out_features: {vit.WIDTH}{params(p + 'k', blk.k)}}}",
            f"{{name: {p}v, type: matmul, input: {p}ln1, out_features: {vit.WIDTH}{params(p + 'v', blk.v)}}}",
            f"{{name: {p}scores, type: matmul, input: {p}q, b: {p}k, heads: {vit.HEADS}, transpose_b: true}}",
            f"{{name: {p}softmax, type: activation, function: softmax, heads: {vit.HEADS}}}",
            f"{{name: {p}context, type: matmul, input: {p}softmax, b: {p}v, heads: {vit.HEADS}}}",
            f"{{name: {p}proj, type: matmul, out_features: {vit.WIDTH}{params(p + 'proj', blk.proj)}}}",
            f"{{name: {p}add1, type: add, inputs: [{p}proj, {x}]}}",
            f"{{name: {p}ln2, type: activation, function: layernorm{params(p + 'ln2', blk.ln2)}}}",
            f"{{name: {p}fc1, type: matmul, out_features: {vit.MLP}{params(p + 'fc1', blk.fc1)}}}",
            f"{{name: {p}gelu, type: activation, function: gelu}}",
            f"{{name: {p}fc2, type: matmul, out_features: {vit.WIDTH}{params(p + 'fc2', blk.fc2)}}}",
            f"{{name: {p}add2, type: add, inputs: [{p}fc2, {p}add1]}}",
        ]
        x = f"{p}add2"
    lines += [
        f"{{name: ln, type: activation, function: layernorm{params('ln', model.ln)}}}",
        "{name: pool, type: avgpool, kernel: [%d, 1]}" % vit.TOKENS,
        f"{{name: head, type: fc, out_features: 10{params('head', model.head)}}}",
    ]
    yaml = ("# A small vision transformer for Fashion-MNIST (qarch_dse/vit.py): 7x7 patches (16 tokens\n"
            "# of 64 features), a learned position embedding, 4 pre-norm blocks of 4-head attention and\n"
            "# a 64-128-64 GELU MLP, layernorm, mean over the tokens, a linear head.\n"
            "#\n"
            "# Written by scripts/train_vit.py -- do not edit by hand. Weights are float32 .npy files in\n"
            "# PyTorch layouts; the q projection carries the 1/sqrt(16) scale of the scores. PyTorch\n"
            f"# float32 test top-1: {top1:.4f}. Inputs are pixels / 255.\n\n"
            "name: vit\n"
            "input: {channels: 1, height: 28, width: 28}\n"
            "batch: 1\n"
            "layers:\n" + "".join(f"  - {l}\n" for l in lines))
    with open(os.path.join(out_dir, "vit.yaml"), "w") as f:
        f.write(yaml)
    with open(golden_path, "w") as f:
        json.dump({"model": "vit", "generated_by": "scripts/train_vit.py",
                   "fp32": {"images": len(preds), "top1": top1, "predictions": preds.tolist()}},
                  f, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--out", default=os.path.join(ROOT, "workloads", "fashion"))
    p.add_argument("--golden", default=os.path.join(ROOT, "tests", "data", "func", "vit_golden.json"))
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--checkpoint", help="load the model from this state dict instead of training "
                   "(and save it there after training when it does not exist)")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    x_train, y_train = load_split(args.dataset, "train")
    x_test, y_test = load_split(args.dataset, "t10k")
    model = vit.Vit()
    if args.checkpoint and os.path.exists(args.checkpoint):
        model.load_state_dict(torch.load(args.checkpoint))
    else:
        print(f"vit: training {args.epochs} epochs", flush=True)
        train(model, x_train, y_train, args.epochs, args.seed, args.lr)
        if args.checkpoint:
            torch.save(model.state_dict(), args.checkpoint)
    preds = predictions(model, x_test)
    top1 = (preds == y_test).float().mean().item()
    print(f"vit: test top-1 {top1:.4f}", flush=True)
    write(model, args.out, args.golden, preds, top1)


if __name__ == "__main__":
    main()
