"""A small vision transformer for Fashion-MNIST, written op by op the way qarch executes it.

The image (1 x 28 x 28, pixels / 255) is cut into 7 x 7 patches by a strided convolution (a
64 x 4 x 4 feature map: 16 tokens of 64 features), a learned position embedding is added, and
four pre-norm blocks follow (layernorm, 4-head self-attention, residual add, layernorm, a
64-128-64 GELU MLP, residual add); a final layernorm, the mean over the tokens and a linear
head give the 10 logits. scripts/train_vit.py trains it and writes workloads/fashion/vit.yaml.

Every operation has a qarch layer of the same meaning (docs/workloads.md, "Transformers"):
the 1/sqrt(head_dim) = 1/4 scale of the scores is folded into the q projection when exported
(a power of two, so the folding is exact in float32).
"""

import torch
from torch import nn
import torch.nn.functional as F

WIDTH = 64
HEADS = 4
HEAD_DIM = WIDTH // HEADS
MLP = 128
BLOCKS = 4
PATCH = 7
GRID = 28 // PATCH
TOKENS = GRID * GRID
EPS = 1e-5


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH, eps=EPS)
        self.q = nn.Linear(WIDTH, WIDTH)
        self.k = nn.Linear(WIDTH, WIDTH)
        self.v = nn.Linear(WIDTH, WIDTH)
        self.proj = nn.Linear(WIDTH, WIDTH)
        self.ln2 = nn.LayerNorm(WIDTH, eps=EPS)
        self.fc1 = nn.Linear(WIDTH, MLP)
        self.fc2 = nn.Linear(MLP, WIDTH)

    def forward(self, x):  # x: batch x tokens x width
        b = x.shape[0]
        h = self.ln1(x)
        heads = lambda t: t.view(b, TOKENS, HEADS, HEAD_DIM).transpose(1, 2)  # b x heads x tokens x dim
        q = heads(self.q(h) * (HEAD_DIM ** -0.5))
        k = heads(self.k(h))
        v = heads(self.v(h))
        p = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        context = (p @ v).transpose(1, 2).reshape(b, TOKENS, WIDTH)
        x = self.proj(context) + x
        return self.fc2(F.gelu(self.fc1(self.ln2(x)))) + x


class Vit(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, WIDTH, PATCH, stride=PATCH)
        self.pos = nn.Parameter(torch.randn(WIDTH, GRID, GRID) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.ln = nn.LayerNorm(WIDTH, eps=EPS)
        self.head = nn.Linear(WIDTH, 10)

    def forward(self, x):
        x = self.patch(x) + self.pos                 # b x width x grid x grid
        x = x.flatten(2).transpose(1, 2)             # b x tokens x width
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x).mean(dim=1))
