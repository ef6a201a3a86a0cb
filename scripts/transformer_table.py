#!/usr/bin/python3
"""Reruns a transformer table of docs/functional.md: the vision transformer or the tiny LM.

Runs the model's workload (workloads/fashion/vit.yaml by scripts/train_vit.py, or
workloads/text/tinylm.yaml by scripts/train_tinylm.py) through
  qarch run --arch CONFIG --workload WORKLOAD [--set ...] --functional --limit N
for each arithmetic of the table (in parallel, --jobs) and writes the accuracy (ViT: top-1 on
Fashion-MNIST; LM: perplexity and next-byte top-1 on its test text), its float32 counterpart,
the per-layer SQNR of a few telling layers (layers.csv `sqnr_db`) and energy per inference
between the markers <!-- vit-table:begin/end --> or <!-- tinylm-table:begin/end --> of
docs/functional.md.

Usage: /usr/bin/python3 scripts/transformer_table.py --model vit|tinylm [--limit N] [--jobs 2]
                                                     [--qarch EXE] [--print-only]
"""

import concurrent.futures
import os
import sys

import qarch_dse
from qarch_dse import ROOT, QarchError, doc_tables

DOC = os.path.join(ROOT, "docs", "functional.md")

# (row label, config preset, --set overrides, what the row is)
EIGHT_BIT = [
    ("fp32", "fp32.yaml", [], "fp32 operands and accumulator, fp32 special functions"),
    ("bf16", "bf16.yaml", [], "bf16 operands, fp32 accumulator"),
    ("fp8_e4m3", "fp8.yaml", [], "OCP E4M3 operands, fp32 accumulator"),
    ("int8", "int8.yaml", [], "int8 operands (attention's too), int32 accumulator"),
    ("mxfp8", "mxfp8.yaml", [], "MXFP8 E4M3 blocks of 32 on block_dot (K, V, P blocked per sample)"),
    ("mxint8", "mxint8.yaml", [], "MXINT8 blocks of 32 on block_dot"),
]
MODELS = {
    "vit": {
        "workload": os.path.join("workloads", "fashion", "vit.yaml"),
        "layers": ["patch", "b0.scores", "b0.softmax", "b3.ln2", "head"],
        "rows": EIGHT_BIT + [
            ("int8 + bf16 SFU", "int8.yaml", ["pe_array.special_function_format=bf16"],
             "int8 products; softmax, norms, GELU in bf16"),
        ],
        "limit": 10000,
        "samples": "Fashion-MNIST test images",
    },
    "tinylm": {
        "workload": os.path.join("workloads", "text", "tinylm.yaml"),
        "layers": ["embed", "b0.rope_q", "b0.softmax", "b1.add2", "head"],
        "rows": EIGHT_BIT + [
            ("int8 + bf16 SFU", "int8.yaml", ["pe_array.special_function_format=bf16"],
             "int8 products; softmax, norms, RoPE, SwiGLU in bf16"),
            ("mxfp4", "mxfp4.yaml", [], "MXFP4 E2M1 blocks of 32 on block_dot"),
            ("nvfp4", "nvfp4.yaml", [], "NVFP4 blocks of 16 (E4M3 scales) on block_dot"),
        ],
        "limit": 261,  # every window of MPL-2.0
        "samples": "64-byte windows of MPL-2.0",
    },
}


def evaluate(args, model, config, sets):
    try:
        r = qarch_dse.run_reports(os.path.join("configs", config), model["workload"], sets, functional=True,
                                  dataset=args.dataset, limit=args.limit,
                                  qarch=args.qarch, cwd=ROOT)
    except QarchError as e:
        sys.exit(f"error: {args.model} {config}: {(e.stderr or str(e)).strip()}")
    sqnr = {row["name"]: row["sqnr_db"] for row in r["layers"]}
    return r["summary"], sqnr


def accuracy_cells(model_name, summary):
    if model_name == "tinylm":
        return [f"{summary['perplexity']:.3f}", f"{summary['reference_perplexity']:.3f}",
                f"{100 * summary['top1']:.2f}%"]
    return [f"{100 * summary['top1']:.2f}%", f"{100 * summary['reference_top1']:.2f}%"]


def table(args):
    model = MODELS[args.model]
    rows = model["rows"]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda row: evaluate(args, model, row[1], row[2]), rows))
    accuracy = (["perplexity", "float32 perplexity", "next-byte top-1"] if args.model == "tinylm"
                else ["top-1", "float32 top-1"])
    head = ("| arithmetic | PE formats and style | " + " | ".join(accuracy) + " | " +
            " | ".join(f"`{l}` SQNR" for l in model["layers"]) + " | energy / inference |")
    lines = [head, "|" + "---|" * (3 + len(accuracy) + len(model["layers"]))]
    for (label, _, _, what), (summary, sqnr) in zip(rows, results):
        cells = [f"`{label}`", what] + accuracy_cells(args.model, summary)
        # An empty cell is +inf (identical to float32) or NaN (both all zero).
        cells += ["exact" if sqnr[l] is None else f"{float(sqnr[l]):.1f} dB" for l in model["layers"]]
        cells.append(f"{summary['energy_pj'] / 1e6:.2f} µJ")
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    note = (f"The first {args.limit} {model['samples']}; configs/ presets, post-training quantization as "
            "above (attention's second operand calibrated like an activation). Regenerate with "
            f"`/usr/bin/python3 scripts/transformer_table.py --model {args.model}`.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def main():
    p = doc_tables.parser(__doc__.splitlines()[0], limit=None, jobs=True)
    p.add_argument("--model", choices=sorted(MODELS), required=True)
    args = doc_tables.parse(p)
    if args.limit is None:
        args.limit = MODELS[args.model]["limit"]
    doc_tables.write(args, table(args), DOC, f"{args.model}-table")


if __name__ == "__main__":
    main()
