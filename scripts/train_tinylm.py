#!/usr/bin/python3
"""Trains the tiny byte-level causal language model of qarch_dse.tinylm and writes its weights.

Trains on the license texts of /usr/share/common-licenses but MPL-2.0 (random windows of 65
bytes), then writes float32 .npy files under workloads/text/weights/ (tinylm_<layer>.npy:
PyTorch layouts, RMSNorm gains), the workload workloads/text/tinylm.yaml that references them
and tests/data/func/tinylm_golden.json with PyTorch's float32 perplexity, next-byte top-1 and
argmax at every position of the MPL-2.0 windows qarch scores (what qarch's fp32 functional run
must reproduce).

Deterministic: fixed seeds, deterministic algorithms, one thread by default. A few minutes on
one core. Needs Debian's python3-torch and python3-numpy; the texts come with base-files.

Usage: /usr/bin/python3 scripts/train_tinylm.py [--steps 3000] [--lr 3e-3] [--threads 1]
"""

import argparse
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread too: the same sums every run
import numpy as np
import torch
import torch.nn.functional as F

from qarch_dse.paths import ROOT
from qarch_dse import tinylm


def train(model, data, steps, seed, lr, batch=32):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.05)
    g = torch.Generator().manual_seed(seed)
    span = tinylm.TOKENS + 1
    total = 0.0
    for step in range(steps):
        model.train()
        start = torch.randint(0, len(data) - span, (batch,), generator=g)
        chunk = torch.stack([data[s:s + span] for s in start.tolist()])
        opt.zero_grad()
        logits = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, tinylm.VOCAB), chunk[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item()
        if (step + 1) % 500 == 0:
            print(f"  step {step + 1}/{steps}: loss {total / 500:.4f}", flush=True)
            total = 0.0


def write(model, out_dir, golden_path, test_x, test_y, corpus):
    wdir = os.path.join(out_dir, "weights")
    os.makedirs(wdir, exist_ok=True)

    def save(name, tensor):
        np.save(os.path.join(wdir, f"tinylm_{name}.npy"), tensor.detach().numpy().astype(np.float32))
        return f"weights/tinylm_{name}.npy"

    w = tinylm.WIDTH
    scale = tinylm.HEAD_DIM ** -0.5
    lines = [f"{{name: embed, type: embedding, vocab: {tinylm.VOCAB}, dim: {w}, weights: {save('embed', model.embed.weight)}}}"]
    x = "embed"
    for i, blk in enumerate(model.blocks):
        p = f"b{i}."

        def matmul(name, source, out, module, factor=1.0):
            return (f"{{name: {p}{name}, type: matmul, input: {source}, out_features: {out}, "
                    f"weights: {save(p + name, module.weight * factor)}}}")

        lines += [
            f"{{name: {p}norm1, type: activation, function: rmsnorm, input: {x}, weights: {save(p + 'norm1', blk.norm1.weight)}}}",
            matmul("q", p + "norm1", w, blk.q, scale),
            matmul("k", p + "norm1", w, blk.k),
            matmul("v", p + "norm1", w, blk.v),
            f"{{name: {p}rope_q, type: activation, function: rope, input: {p}q, heads: {tinylm.HEADS}, theta: {tinylm.THETA:g}}}",
            f"{{name: {p}rope_k, type: activation, function: rope, input: {p}k, heads: {tinylm.HEADS}, theta: {tinylm.THETA:g}}}",
            f"{{name: {p}scores, type: matmul, input: {p}rope_q, b: {p}rope_k, heads: {tinylm.HEADS}, transpose_b: true}}",
            f"{{name: {p}softmax, type: activation, function: softmax, heads: {tinylm.HEADS}, causal: true}}",
            f"{{name: {p}context, type: matmul, input: {p}softmax, b: {p}v, heads: {tinylm.HEADS}}}",
            matmul("o", p + "context", w, blk.o),
            f"{{name: {p}add1, type: add, inputs: [{p}o, {x}]}}",
            f"{{name: {p}norm2, type: activation, function: rmsnorm, weights: {save(p + 'norm2', blk.norm2.weight)}}}",
            matmul("gate_up", p + "norm2", 2 * tinylm.MLP, blk.gate_up),
            f"{{name: {p}swiglu, type: activation, function: swiglu}}",
            matmul("down", p + "swiglu", w, blk.down),
            f"{{name: {p}add2, type: add, inputs: [{p}down, {p}add1]}}",
        ]
        x = f"{p}add2"
    lines += [
        f"{{name: norm, type: activation, function: rmsnorm, input: {x}, weights: {save('norm', model.norm.weight)}}}",
        f"{{name: head, type: matmul, out_features: {tinylm.VOCAB}, weights: {save('head', model.head.weight)}}}",
    ]
    ppl, top1 = tinylm.perplexity(model, test_x, test_y)
    yaml = ("# A tiny byte-level causal language model (qarch_dse/tinylm.py): a 256 x 64 embedding, 2\n"
            "# pre-norm Llama-style blocks (RMSNorm, 4-head causal attention with RoPE, SwiGLU MLP of\n"
            "# 128), RMSNorm, a linear head of 256 logits per position; windows of 64 bytes.\n"
            "#\n"
            "# Written by scripts/train_tinylm.py -- do not edit by hand. Weights are float32 .npy files\n"
            "# in PyTorch layouts; the q projection carries the 1/sqrt(16) scale of the scores. Trained\n"
            f"# on the other texts of {corpus}; PyTorch float32 on {tinylm.TEST}:\n"
            f"# perplexity {ppl:.4f} per byte, next-byte top-1 {top1:.4f}.\n\n"
            "name: tinylm\n"
            f"input: {{channels: 1, height: {tinylm.TOKENS}, width: 1}}\n"
            "batch: 1\n"
            f"text: {{test: {corpus}/{tinylm.TEST}, calibration: {corpus}/{tinylm.CALIBRATION}}}\n"
            "layers:\n" + "".join(f"  - {l}\n" for l in lines))
    with open(os.path.join(out_dir, "tinylm.yaml"), "w") as f:
        f.write(yaml)
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(test_x[i:i + 64]).argmax(-1) for i in range(0, len(test_x), 64)])
    with open(golden_path, "w") as f:
        json.dump({"model": "tinylm", "generated_by": "scripts/train_tinylm.py",
                   "fp32": {"windows": len(test_x), "positions": test_y.numel(), "perplexity": ppl,
                            "top1": top1, "predictions": preds.reshape(-1).tolist()}},
                  f, separators=(",", ":"))
    return ppl, top1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=tinylm.CORPUS)
    p.add_argument("--out", default=os.path.join(ROOT, "workloads", "text"))
    p.add_argument("--golden", default=os.path.join(ROOT, "tests", "data", "func", "tinylm_golden.json"))
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=2024)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    data = torch.cat([tinylm.read_bytes(f) for f in tinylm.corpus_files(args.corpus)])
    test_x, test_y = tinylm.windows(tinylm.read_bytes(os.path.join(args.corpus, tinylm.TEST)))
    model = tinylm.TinyLm()
    print(f"tinylm: {sum(p.numel() for p in model.parameters())} parameters, {len(data)} training bytes, "
          f"{args.steps} steps", flush=True)
    train(model, data, args.steps, args.seed, args.lr)
    ppl, top1 = write(model, args.out, args.golden, test_x, test_y, args.corpus)
    print(f"tinylm: {tinylm.TEST} perplexity {ppl:.4f}, next-byte top-1 {top1:.4f}", flush=True)


if __name__ == "__main__":
    main()
