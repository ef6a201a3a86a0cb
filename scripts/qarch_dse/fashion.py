"""Fashion-MNIST in PyTorch: the IDX files, the splits as tensors, the training loop and the
float networks of workloads/fashion/ (LeNet-5, the 784-256-128-10 MLP) that
scripts/train_fashion_mnist.py trained (scripts/train_fashion_cnn.py trains qarch_dse.cnn's
with the same loop).

Inputs are pixels / 255 (no mean shift), as qarch's functional mode feeds them
(docs/numerics.md, "Post-training quantization"). Needs numpy and torch (Debian's python3-torch).
"""

import gzip
import os

import numpy as np
import torch
from torch import nn

from .paths import DATASET

__all__ = ["DATASET", "read_idx", "load_split", "train", "accuracy", "LeNet5", "Mlp", "MODELS"]


def read_idx(path):
    """An IDX file (gzip'd or not) as a numpy uint8 array; ValueError if it is not one."""
    path = str(path)
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(dataset, split):
    """(images N x 1 x 28 x 28 float32 in [0, 1], labels int64) of split "train" or "t10k"."""
    images = read_idx(os.path.join(dataset, f"{split}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(dataset, f"{split}-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def train(model, x, y, epochs, seed, lr):
    """Adam at lr with cosine decay, batch 128, cross-entropy; the batch order from seed."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * ((len(x) + 127) // 128))
    loss_fn = nn.CrossEntropyLoss()
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


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return (pred == y).float().mean().item()


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


MODELS = {"lenet5": LeNet5, "mlp": Mlp}
