#!/usr/bin/python3
"""Reruns the top-1 x energy-per-inference table of docs/functional.md.

For LeNet-5 and the MLP (workloads/fashion/) on every arithmetic of the table, runs (through
qarch_dse.run)
  qarch run --arch CONFIG --workload MODEL [--set ...] --functional --dataset DIR --limit N --out TMP
and reads `top1` and `energy_pj` from TMP/summary.json (batch 1: energy per inference). The
table is written between the markers <!-- functional-table:begin --> and
<!-- functional-table:end --> of docs/functional.md.

Usage: /usr/bin/python3 scripts/functional_table.py [--limit 10000] [--qarch EXE]
                                                    [--dataset DIR] [--print-only]
Takes about 10 minutes on one core for 10000 images (mitchell_w6 on 16-bit operands has no
table-driven fast path).
"""

import os
import sys

import qarch_dse
from qarch_dse import ROOT, QarchError, doc_tables

DOC = os.path.join(ROOT, "docs", "functional.md")

MODELS = [("lenet5", "LeNet-5"), ("mlp", "MLP 784-256-128-10")]

# (row label, config preset, --set overrides, what the row is)
ROWS = [
    ("fp32", "fp32.yaml", [], "fp32 operands, fp32 accumulator"),
    ("bf16", "bf16.yaml", [], "bf16 operands, fp32 accumulator"),
    ("fp16", "fp16.yaml", [], "fp16 operands, fp32 accumulator"),
    ("fp8_e4m3", "fp8.yaml", [], "OCP E4M3 operands, fp32 accumulator"),
    ("int8", "int8.yaml", [], "int8 operands, int32 accumulator"),
    ("int4", "int4.yaml", [], "int4 operands, int24 accumulator"),
    ("fixed16_8", "int8.yaml",
     ["pe_array.weight_format=fixed16_8", "pe_array.activation_format=fixed16_8",
      "pe_array.accumulator_format=fixed32_16"],
     "fixed16_8 operands (scale 1), fixed32_16 accumulator"),
    ("posit8 exact", "posit8-exact.yaml", [], "posit<8,1> operands, exact products, quire<8,1>"),
    ("posit8 plam", "posit8-plam.yaml", [], "posit<8,1> operands, PLAM products, quire<8,1>"),
    ("pow2", "pow2-shift-add.yaml", [], "pow2_4 weights, int8 activations, shift_add, int32"),
    ("binary", "binary-xnor.yaml", [], "binary weights and activations, xnor_popcount, int16"),
    ("mitchell_w6", "mitchell-w6.yaml", [], "int16 operands, Mitch-w6 products, int32"),
]


def evaluate(args, model, config, sets):
    workload = os.path.join("workloads", "fashion", f"{model}.yaml")
    arch = os.path.join("configs", config)
    try:
        summary = qarch_dse.run(arch, workload, sets, functional=True, dataset=args.dataset,
                                limit=args.limit, qarch=args.qarch, cwd=ROOT)
    except QarchError as e:
        sys.exit(f"error: {model} {config}: {(e.stderr or str(e)).strip()}")
    return summary["top1"], summary["energy_pj"]


def table(args):
    head = "| arithmetic | PE formats and style | " + " | ".join(
        f"{label} top-1 | {label} energy / inference" for _, label in MODELS) + " |"
    lines = [head, "|" + "---|" * (2 + 2 * len(MODELS))]
    for label, config, sets, what in ROWS:
        cells = [f"`{label}`", what]
        for model, _ in MODELS:
            top1, energy = evaluate(args, model, config, sets)
            cells.append(f"{100 * top1:.2f}%")
            cells.append(f"{energy / 1e6:.2f} µJ")
            print(f"{label:14s} {model:7s} top-1 {100 * top1:6.2f}%  energy {energy:.0f} pJ", flush=True)
        lines.append("| " + " | ".join(cells) + " |")
    note = (f"Top-1 on the first {args.limit} Fashion-MNIST test images; configs/ presets "
            "(32x32 ws array at 0.7 GHz, 45 nm), post-training quantization as in "
            "\"Post-training quantization\" above. Regenerate with "
            "`/usr/bin/python3 scripts/functional_table.py`.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def main():
    args = doc_tables.parse(doc_tables.parser(__doc__.splitlines()[0]))
    doc_tables.write(args, table(args), DOC, "functional-table")


if __name__ == "__main__":
    main()
