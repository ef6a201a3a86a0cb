"""A tiny causal language model over bytes, written op by op the way qarch executes it.

The corpus is the license texts every Debian system ships in /usr/share/common-licenses (the
base-files package): tokens are bytes (256 ids), MPL-2.0 is the test text, the others train.
The model is Llama-shaped: a 256 x 64 embedding, two pre-norm blocks (RMSNorm, 4-head causal
self-attention with rotary position embedding, residual add, RMSNorm, a SwiGLU MLP of 128,
residual add), a final RMSNorm and a linear head of 256 logits per position, on windows of 64
tokens. scripts/train_tinylm.py trains it and writes workloads/text/tinylm.yaml.

Every operation has a qarch layer of the same meaning (docs/functional.md, "Language
models"): RMSNorm as 1 / sqrt(mean(x^2) + eps) times the gain, RoPE's rotate-half pairs with
cosines and sines computed in float64 and rounded to float32, SwiGLU as silu(gate) x up of the
two halves of one projection. The 1/sqrt(head_dim) = 1/4 scale of the scores is folded into the
q projection when exported (a power of two, and RoPE is linear, so the folding is exact).
"""

import math
import os

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

CORPUS = "/usr/share/common-licenses"
TEST = "MPL-2.0"
CALIBRATION = "GPL-3"  # one of the training texts: activation scales
VOCAB = 256
WIDTH = 64
HEADS = 4
HEAD_DIM = WIDTH // HEADS
MLP = 128
BLOCKS = 2
TOKENS = 64
THETA = 10000.0
EPS = 1e-5


def corpus_files(corpus=CORPUS):
    """The training texts (every regular file but the test text; symbolic links are aliases)."""
    names = sorted(n for n in os.listdir(corpus)
                   if n != TEST and os.path.isfile(os.path.join(corpus, n))
                   and not os.path.islink(os.path.join(corpus, n)))
    if not names:
        raise FileNotFoundError(f"no texts in {corpus} (Debian's base-files package installs them)")
    return [os.path.join(corpus, n) for n in names]


def read_bytes(path):
    with open(path, "rb") as f:
        return torch.tensor(list(f.read()), dtype=torch.long)


def windows(data, tokens=TOKENS):
    """Non-overlapping windows as qarch scores them: inputs [nT, nT + T), targets shifted by one."""
    count = (len(data) - 1) // tokens
    x = data[:count * tokens].view(count, tokens)
    y = data[1:count * tokens + 1].view(count, tokens)
    return x, y


def rope_tables(tokens=TOKENS, d=HEAD_DIM, theta=THETA):
    """cos and sin of t x theta^(-2i/d), t < tokens, i < d/2, in float64 rounded to float32."""
    t = np.arange(tokens, dtype=np.float64)[:, None]
    freq = np.array([math.pow(theta, -2.0 * i / d) for i in range(d // 2)], dtype=np.float64)[None, :]
    angle = t * freq
    return (torch.from_numpy(np.cos(angle).astype(np.float32)),
            torch.from_numpy(np.sin(angle).astype(np.float32)))


class RmsNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(WIDTH))

    def forward(self, x):
        inverse = 1.0 / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS)
        return x * inverse * self.weight


def rope(x, cos, sin):  # x: b x heads x tokens x d
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    t = x.shape[-2]
    c, s = cos[:t], sin[:t]
    return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], dim=-1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = RmsNorm()
        self.q = nn.Linear(WIDTH, WIDTH, bias=False)
        self.k = nn.Linear(WIDTH, WIDTH, bias=False)
        self.v = nn.Linear(WIDTH, WIDTH, bias=False)
        self.o = nn.Linear(WIDTH, WIDTH, bias=False)
        self.norm2 = RmsNorm()
        self.gate_up = nn.Linear(WIDTH, 2 * MLP, bias=False)
        self.down = nn.Linear(MLP, WIDTH, bias=False)

    def forward(self, x, cos, sin, mask):  # x: b x tokens x width
        b, t, _ = x.shape
        h = self.norm1(x)
        heads = lambda z: z.view(b, t, HEADS, HEAD_DIM).transpose(1, 2)
        q = rope(heads(self.q(h) * (HEAD_DIM ** -0.5)), cos, sin)
        k = rope(heads(self.k(h)), cos, sin)
        v = heads(self.v(h))
        p = torch.softmax((q @ k.transpose(-1, -2)).masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        x = self.o((p @ v).transpose(1, 2).reshape(b, t, WIDTH)) + x
        gate, up = self.gate_up(self.norm2(x)).split(MLP, dim=-1)
        return self.down(F.silu(gate) * up) + x


class TinyLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.norm = RmsNorm()
        self.head = nn.Linear(WIDTH, VOCAB, bias=False)
        cos, sin = rope_tables()
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.register_buffer("mask", torch.triu(torch.ones(TOKENS, TOKENS, dtype=torch.bool), 1), persistent=False)

    def forward(self, ids):  # ids: b x tokens -> logits b x tokens x vocab
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, self.cos, self.sin, self.mask)
        return self.head(self.norm(x))


def perplexity(model, x, y):
    """exp(mean NLL of the next byte) and next-byte top-1 over windows x (targets y)."""
    model.eval()
    nll, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 64):
            logits = model(x[i:i + 64]).double()
            nll += F.cross_entropy(logits.reshape(-1, VOCAB), y[i:i + 64].reshape(-1), reduction="sum").item()
            correct += (logits.argmax(-1) == y[i:i + 64]).sum().item()
    return math.exp(nll / y.numel()), correct / y.numel()
