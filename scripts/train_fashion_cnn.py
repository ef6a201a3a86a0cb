#!/usr/bin/python3
"""Trains the ResNet and the MobileNet of qarch_dse.cnn on Fashion-MNIST and writes their weights.

Trains each model with BatchNorm (qarch_dse.fashion's loop: Adam, cosine decay, batch 128),
folds every BN into its convolution and writes, per model, float32 .npy files under
workloads/fashion/weights/ (<model>_<layer>_weight.npy / _bias.npy, PyTorch layouts), the
workload workloads/fashion/<model>.yaml that references them, and
tests/data/func/<model>_golden.json with the folded network's PyTorch float32 predictions on
the 10,000 test images (what qarch's fp32 functional run must reproduce). Inputs are
pixels / 255.

Fixed seeds, deterministic algorithms, one thread by default, yet not bit-reproducible: a
second run on the same machine ended 0.1-0.15 points of top-1 apart (cause not found yet), so
the committed weights and goldens, always written together, are the reference. About 4 minutes
of CPU per model on one core. Needs Debian's python3-torch and python3-numpy and the
dataset-fashion-mnist package.

Usage: /usr/bin/python3 scripts/train_fashion_cnn.py [--models resnet,mobilenet] [--epochs 2]
           [--lr 2e-3] [--threads 1] [--checkpoint-dir DIR]
"""

import argparse
import json
import os

import numpy as np
import torch

from qarch_dse import cnn
from qarch_dse.fashion import DATASET, accuracy, load_split, train
from qarch_dse.paths import ROOT

TITLES = {
    "resnet": "A ResNet-20-style CNN for Fashion-MNIST (qarch_dse/cnn.py): a 3x3 stem of 16 channels,\n"
              "# three stages of three basic blocks at 16, 32 and 64 channels (14x14, 7x7, 4x4), each\n"
              "# stage opened by a stride-2 block with a 1x1 projection shortcut, global average pooling,\n"
              "# a linear head.",
    "mobilenet": "A MobileNet-style CNN for Fashion-MNIST (qarch_dse/cnn.py): a 3x3 stem of 16 channels,\n"
                 "# six depthwise-separable blocks (3x3 depthwise, 1x1 pointwise, ReLU6) of 32 to 256\n"
                 "# channels with three stride-2 depthwise convs (14x14, 7x7, 4x4), global average\n"
                 "# pooling, a linear head.",
}


def yaml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(v) + "]"
    return str(v)


def write(name, layers, params, out_dir, golden_path, preds, top1):
    wdir = os.path.join(out_dir, "weights")
    os.makedirs(wdir, exist_ok=True)
    lines = []
    for layer in layers:
        entry = dict(layer)
        if layer["name"] in params:
            for kind, tensor in zip(("weight", "bias"), params[layer["name"]]):
                file = f"{name}_{layer['name']}_{kind}.npy"
                np.save(os.path.join(wdir, file), tensor.numpy().astype(np.float32))
                entry["weights" if kind == "weight" else "bias"] = f"weights/{file}"
        lines.append("{" + ", ".join(f"{k}: {yaml_value(v)}" for k, v in entry.items()) + "}")
    yaml = (f"# {TITLES[name]}\n"
            "#\n"
            "# Written by scripts/train_fashion_cnn.py -- do not edit by hand. BatchNorm is folded into\n"
            "# the convolutions; weights are float32 .npy files in PyTorch layouts. PyTorch float32\n"
            f"# test top-1 (folded): {top1:.4f}. Inputs are pixels / 255.\n\n"
            f"name: {name}\n"
            "input: {channels: 1, height: 28, width: 28}\n"
            "batch: 1\n"
            "layers:\n" + "".join(f"  - {l}\n" for l in lines))
    with open(os.path.join(out_dir, f"{name}.yaml"), "w") as f:
        f.write(yaml)
    with open(golden_path, "w") as f:
        json.dump({"model": name, "generated_by": "scripts/train_fashion_cnn.py",
                   "fp32": {"images": len(preds), "top1": top1, "predictions": preds.tolist()}},
                  f, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--out", default=os.path.join(ROOT, "workloads", "fashion"))
    p.add_argument("--golden-dir", default=os.path.join(ROOT, "tests", "data", "func"))
    p.add_argument("--models", default="resnet,mobilenet")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--checkpoint-dir", help="load <model>.pt (the BN model's state dict) from here "
                   "instead of training, or save it here after training when it does not exist")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    x_train, y_train = load_split(args.dataset, "train")
    x_test, y_test = load_split(args.dataset, "t10k")
    for name in args.models.split(","):
        torch.manual_seed(args.seed)
        model = cnn.MODELS[name]()
        checkpoint = args.checkpoint_dir and os.path.join(args.checkpoint_dir, f"{name}.pt")
        if checkpoint and os.path.exists(checkpoint):
            model.load_state_dict(torch.load(checkpoint))
        else:
            print(f"{name}: training {args.epochs} epochs", flush=True)
            train(model, x_train, y_train, args.epochs, args.seed, args.lr)
            if checkpoint:
                os.makedirs(args.checkpoint_dir, exist_ok=True)
                torch.save(model.state_dict(), checkpoint)
        print(f"{name}: test top-1 with BatchNorm {accuracy(model, x_test, y_test):.4f}", flush=True)
        layers, params = cnn.export(model)
        with torch.no_grad():
            preds = torch.cat([cnn.run_exported(layers, params, x_test[i:i + 500]).argmax(1)
                               for i in range(0, len(x_test), 500)])
        top1 = (preds == y_test).float().mean().item()
        print(f"{name}: test top-1 folded {top1:.4f}", flush=True)
        write(name, layers, params, args.out, os.path.join(args.golden_dir, f"{name}_golden.json"),
              preds, top1)


if __name__ == "__main__":
    main()
