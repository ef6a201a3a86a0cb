#!/usr/bin/python3
"""Reruns the vision-transformer table of docs/functional.md ("A vision transformer").

Runs workloads/fashion/vit.yaml (scripts/train_vit.py) through
  qarch run --arch CONFIG --workload workloads/fashion/vit.yaml [--set ...] --functional --limit N
for each arithmetic of the table (in parallel, --jobs) and writes top-1, float32 top-1, the
per-layer SQNR of a few telling layers (layers.csv `sqnr_db`) and energy per inference between
the markers <!-- vit-table:begin --> and <!-- vit-table:end --> of docs/functional.md.

Usage: /usr/bin/python3 scripts/vit_table.py [--limit 10000] [--jobs 2] [--qarch EXE] [--print-only]
"""

import argparse
import concurrent.futures
import os
import sys

import qarch_dse
from qarch_dse import DATASET, ROOT, QarchError

DOC = os.path.join(ROOT, "docs", "functional.md")
BEGIN, END = "<!-- vit-table:begin -->", "<!-- vit-table:end -->"
WORKLOAD = os.path.join("workloads", "fashion", "vit.yaml")
LAYERS = ["patch", "b0.scores", "b0.softmax", "b3.ln2", "head"]

# (row label, config preset, --set overrides, what the row is)
ROWS = [
    ("fp32", "fp32.yaml", [], "fp32 operands and accumulator, fp32 special functions"),
    ("bf16", "bf16.yaml", [], "bf16 operands, fp32 accumulator"),
    ("fp8_e4m3", "fp8.yaml", [], "OCP E4M3 operands, fp32 accumulator"),
    ("int8", "int8.yaml", [], "int8 operands (attention's too), int32 accumulator"),
    ("mxfp8", "mxfp8.yaml", [], "MXFP8 E4M3 blocks of 32 on block_dot (K, V, P blocked per sample)"),
    ("mxint8", "mxint8.yaml", [], "MXINT8 blocks of 32 on block_dot"),
    ("int8 + bf16 SFU", "int8.yaml", ["pe_array.special_function_format=bf16"],
     "int8 products; softmax, norms, GELU in bf16"),
]


def evaluate(args, config, sets):
    try:
        r = qarch_dse.run_reports(os.path.join("configs", config), WORKLOAD, sets, functional=True,
                                  dataset=args.dataset, limit=args.limit, qarch=args.qarch, cwd=ROOT)
    except QarchError as e:
        sys.exit(f"error: vit {config}: {(e.stderr or str(e)).strip()}")
    sqnr = {row["name"]: row["sqnr_db"] for row in r["layers"]}
    return r["summary"], sqnr


def table(args):
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda row: evaluate(args, row[1], row[2]), ROWS))
    head = ("| arithmetic | PE formats and style | top-1 | float32 top-1 | " +
            " | ".join(f"`{l}` SQNR" for l in LAYERS) + " | energy / inference |")
    lines = [head, "|" + "---|" * (5 + len(LAYERS))]
    for (label, _, _, what), (summary, sqnr) in zip(ROWS, results):
        cells = [f"`{label}`", what, f"{100 * summary['top1']:.2f}%", f"{100 * summary['reference_top1']:.2f}%"]
        cells += [f"{float(sqnr[l]):.1f} dB" for l in LAYERS]
        cells.append(f"{summary['energy_pj'] / 1e6:.2f} µJ")
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    note = (f"Top-1 on the first {args.limit} Fashion-MNIST test images; configs/ presets, post-training "
            "quantization as above (attention's second operand calibrated like an activation). "
            "Regenerate with `/usr/bin/python3 scripts/vit_table.py`.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=10000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--qarch", help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
    p.add_argument("--print-only", action="store_true", help="print the table, leave the docs alone")
    args = p.parse_args()
    try:
        args.qarch = qarch_dse.find_qarch(args.qarch)
    except QarchError as e:
        sys.exit(f"error: {e}")
    text = table(args)
    if args.print_only:
        print(text)
        return
    with open(DOC) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"error: {DOC} lacks the markers {BEGIN} / {END}")
    before, rest = doc.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    with open(DOC, "w") as f:
        f.write(before + BEGIN + "\n" + text + END + after)
    print(f"wrote the table into {os.path.relpath(DOC, ROOT)}")


if __name__ == "__main__":
    main()
