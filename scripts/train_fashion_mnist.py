#!/usr/bin/python3
"""Trains LeNet-5 and the 784-256-128-10 MLP on Fashion-MNIST and writes their weights.

Writes, for each model, float32 .npy files under workloads/fashion/weights/ (PyTorch layouts:
conv weights filters x channels x kh x kw, fc weights out x in, biases 1-D) and the workload
YAML workloads/fashion/<model>.yaml that references them (same layers and names as the shipped
shape-only workloads/<model>.yaml). Inputs are pixels / 255 (no mean shift), as qarch's
functional mode feeds them (docs/numerics.md, "Post-training quantization").

Deterministic: fixed seeds, deterministic algorithms, single-threaded by default. A few minutes
on one core. Needs Debian's python3-torch and python3-numpy and the dataset-fashion-mnist
package (or --dataset DIR with the four IDX files, gzip'd or not). The networks and the IDX
reader are qarch_dse.fashion's.

Usage: /usr/bin/python3 scripts/train_fashion_mnist.py [--epochs-lenet 8] [--epochs-mlp 8] [--lr 2e-3]
"""

import argparse
import os

import numpy as np
import torch

from qarch_dse.fashion import DATASET, MODELS, accuracy, load_split, train
from qarch_dse.paths import ROOT

# The layers of workloads/<model>.yaml, with the keys of the trained ones.
YAML_LAYERS = {
    "lenet5": [
        "{name: conv1, type: conv2d, filters: 6, kernel: 5, padding: 2%s}",
        "{name: relu1, type: activation, function: relu}",
        "{name: pool1, type: maxpool, kernel: 2, stride: 2}",
        "{name: conv2, type: conv2d, filters: 16, kernel: 5%s}",
        "{name: relu2, type: activation, function: relu}",
        "{name: pool2, type: maxpool, kernel: 2, stride: 2}",
        "{name: fc1, type: fc, out_features: 120%s}",
        "{name: relu3, type: activation, function: relu}",
        "{name: fc2, type: fc, out_features: 84%s}",
        "{name: relu4, type: activation, function: relu}",
        "{name: fc3, type: fc, out_features: 10%s}",
    ],
    "mlp": [
        "{name: fc1, type: fc, out_features: 256%s}",
        "{name: relu1, type: activation, function: relu}",
        "{name: fc2, type: fc, out_features: 128%s}",
        "{name: relu2, type: activation, function: relu}",
        "{name: fc3, type: fc, out_features: 10%s}",
    ],
}

TITLES = {
    "lenet5": "LeNet-5 for 1x28x28 Fashion-MNIST (padding 2 on conv1)",
    "mlp": "784-256-128-10 MLP on a 1x28x28 input (the input is flattened by fc1)",
}


def write_model(name, model, out_dir):
    weights_dir = os.path.join(out_dir, "weights")
    os.makedirs(weights_dir, exist_ok=True)
    refs = []
    for layer in [line.split(",")[0].split(":")[1].strip() for line in YAML_LAYERS[name]]:
        module = getattr(model, layer, None)
        if module is None:
            continue
        w = module.weight.detach().numpy().astype(np.float32)
        b = module.bias.detach().numpy().astype(np.float32)
        np.save(os.path.join(weights_dir, f"{name}_{layer}_weight.npy"), w)
        np.save(os.path.join(weights_dir, f"{name}_{layer}_bias.npy"), b)
        refs.append(f", weights: weights/{name}_{layer}_weight.npy, "
                    f"bias: weights/{name}_{layer}_bias.npy")
    lines = []
    it = iter(refs)
    for line in YAML_LAYERS[name]:
        lines.append("  - " + (line % next(it) if "%s" in line else line))
    yaml = (f"# {TITLES[name]}, with trained Fashion-MNIST weights.\n"
            "#\n"
            "# Written by scripts/train_fashion_mnist.py -- do not edit by hand. The layers are\n"
            f"# those of workloads/{name}.yaml; weights and biases are float32 .npy files in\n"
            "# PyTorch layouts (docs/functional.md). Inputs are pixels / 255.\n\n"
            f"name: {name}\n"
            "input: {channels: 1, height: 28, width: 28}\n"
            "batch: 1\n"
            "layers:\n" + "\n".join(lines) + "\n")
    with open(os.path.join(out_dir, f"{name}.yaml"), "w") as f:
        f.write(yaml)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--out", default=os.path.join(ROOT, "workloads", "fashion"))
    p.add_argument("--epochs-lenet", type=int, default=8)
    p.add_argument("--epochs-mlp", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=2024)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    x_train, y_train = load_split(args.dataset, "train")
    x_test, y_test = load_split(args.dataset, "t10k")
    for name, epochs in (("lenet5", args.epochs_lenet), ("mlp", args.epochs_mlp)):
        torch.manual_seed(args.seed)
        model = MODELS[name]()
        print(f"{name}: training {epochs} epochs", flush=True)
        train(model, x_train, y_train, epochs, args.seed, args.lr)
        print(f"{name}: test top-1 {accuracy(model, x_test, y_test):.4f}", flush=True)
        write_model(name, model, args.out)


if __name__ == "__main__":
    main()
