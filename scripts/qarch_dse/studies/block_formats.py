"""Study 005: block-scaled formats (MX, NVFP4, group-wise int4) against int8, fp8 and int4.

Issue 17: the formats accelerators ship in 2025-26 share a scale per small block of elements.
LeNet-5 and the MLP on Fashion-MNIST run post-training quantized (qarch's functional mode, the
shipped float32 weights) in
  int8          int8 weights and activations, per-tensor scales, exact, int32
  fp8           OCP E4M3 weights and activations, fp32 accumulation
  int4 per-ch.  int4 weights with per-channel scales, int8 activations, int32
  int4_g32      int4 weights with an fp32 scale per 32, int8 activations, block_dot, fp32
  MXFP8, MXFP6, MXFP4, MXINT8, NVFP4   the format for weights and activations, block_dot, fp32
on the same 32x32 weight-stationary array, buffers and DRAM (the configs/ presets); energy per
inference is qarch's cost model on the same run. Iso-accuracy: for each allowed top-1 loss
against float32, the cheapest format within it.

Usage: PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.block_formats [--quick] [--limit N] [--jobs 2]
Writes docs/studies/005_block_formats.md between its markers and
docs/studies/images/005_block_formats.png (or next to --out PAGE). About 5 minutes on 2 cores.
"""

import os

from ..plots import pyplot, save_png
from . import common, measure

PAGE = common.ROOT / "docs" / "studies" / "005_block_formats.md"
MODELS = [("lenet5", "LeNet-5"), ("mlp", "MLP")]
W4A8_BLOCK = ["pe_array.activation_format=int8"]

# label, arch preset, --set overrides, extra qarch run arguments
ROWS = [
    ("int8", "int8.yaml", [], []),
    ("fp8", "fp8.yaml", [], []),
    ("int4 per-channel", "int8.yaml", ["pe_array.weight_format=int4"], ["--per-channel"]),
    # int4-g128.yaml is a 128x128 preset (the LLM studies'); the same 32x32 array as the others.
    ("int4_g32", "int4-g128.yaml", ["pe_array.weight_format=int4_g32", "pe_array.rows=32", "pe_array.cols=32"]
     + W4A8_BLOCK, []),
    ("MXFP8", "mxfp8.yaml", [], []),
    ("MXFP6", "mxfp6.yaml", [], []),
    ("MXFP4", "mxfp4.yaml", [], []),
    ("MXINT8", "mxint8.yaml", [], []),
    ("NVFP4", "nvfp4.yaml", [], []),
]
LOSSES = [0.5, 1.0, 2.0, 5.0]  # allowed top-1 loss against float32, in points
DATAPATH = ("mac", "rf_weight", "rf_input", "rf_output", "array")  # the PE datapath's energy


def main():
    args = common.parse_common_args(__doc__.splitlines()[0], extra=measure.WORK_OPTION)
    work = measure.work_dir(args, "005")
    page = args.out or PAGE
    if os.path.exists(page):  # a broken page fails now, not after the runs
        common.check_markers(page, [("<!-- study-005:begin -->", "<!-- study-005:end -->")])
    keys = [(m, row[0]) for m, _ in MODELS for row in ROWS]
    rows = {row[0]: row for row in ROWS}

    def run(key):
        model, label = key
        _, arch, sets, extra = rows[label]
        return measure.measure(str(common.ROOT / "configs" / arch), str(common.ROOT / "workloads" / "fashion" / f"{model}.yaml"),
                               sets, functional=True, limit=args.limit, dataset=args.dataset, qarch=args.qarch,
                               extra_args=extra)

    measured = dict(zip(keys, common.parallel(args.jobs, run, keys)))

    def datapath_pj_per_mac(m):
        return sum(m["energy_breakdown_pj"][c] for c in DATAPATH) / m["macs"]

    def weights(m):
        return measure.kib(m["weight_bytes"]) + (" (resident)" if m["weights_resident"] else "")

    table = common.md_table(
        ["format", "bits / weight"] + [f"{title} {what}" for _, title in MODELS for what in ("top-1", "energy")]
        + ["datapath pJ/MAC", "MLP weights"],
        [[label, bits_label(label)] + [cell for m, _ in MODELS for cell in
                                       (measure.pct(measured[(m, label)]["top1"]), measure.uj(measured[(m, label)]["energy_pj"]))]
         + [f"{datapath_pj_per_mac(measured[('lenet5', label)]):.3f}", weights(measured[("mlp", label)])]
         for label, *_ in ROWS])
    reference = {m: measured[(m, "int8")]["reference_top1"] for m, _ in MODELS}
    iso_rows = []
    for loss in LOSSES:
        cells = [f"≤ {loss:g} points"]
        for m, _ in MODELS:
            ok = [label for label, *_ in ROWS if measured[(m, label)]["top1"] >= reference[m] - loss / 100]
            if not ok:
                cells += ["none", "–"]
                continue
            best = min(ok, key=lambda label: measured[(m, label)]["energy_pj"])
            e = measured[(m, best)]["energy_pj"]
            cells += [f"{best} ({measure.uj(e)}, {measure.pct(measured[(m, best)]['top1'])})",
                      f"{measured[(m, 'int8')]['energy_pj'] / e:.2f}×"]
        iso_rows.append(cells)
    iso = common.md_table(["top-1 loss vs float32"] + [h for _, title in MODELS for h in (f"{title}: cheapest", "int8 / it")],
                          iso_rows)
    image = os.path.join(os.path.dirname(page), "images", "005_block_formats.png")
    plot(measured, image)
    note = (f"Top-1 on the first {args.limit} Fashion-MNIST test images, post-training quantization of the shipped "
            f"float32 weights (float32: LeNet-5 {measure.pct(reference['lenet5'])}, MLP {measure.pct(reference['mlp'])}); "
            "energy per inference from the same `qarch run --functional` (batch 1, DRAM included); datapath = MAC + "
            "register files + array energy per MAC, on LeNet-5; resident: the weights fit the weight buffer and are "
            "read from DRAM once, not per inference. Generated by "
            "`qarch_dse.studies.block_formats`" + (" --quick (smoke settings, not the study's numbers)." if args.quick else "."))
    text = (f"#### Top-1 and energy per inference\n\n{table}\n\n#### Iso-accuracy: the cheapest format within a top-1 loss\n\n"
            f"{iso}\n\n![energy against top-1](images/005_block_formats.png)\n\n{note}\n")
    measure.write_results(work, {"limit": args.limit, "reference_top1": reference,
                                 "runs": {"/".join(key): measured[key] for key in keys}})
    measure.write_section(page, "005", text)
    print(f"wrote {page}")


def bits_label(label):
    """Storage bits per weight, scales included (docs/numerics.md)."""
    return {"int8": "8", "fp8": "8", "int4 per-channel": "4 (+ a scale per channel)", "int4_g32": "5",
            "MXFP8": "8.25", "MXFP6": "6.25", "MXFP4": "4.25", "MXINT8": "8.25", "NVFP4": "4.5"}[label]


def plot(measured, path):
    fig, axes = pyplot().subplots(1, len(MODELS), figsize=(9.6, 4.0))
    for ax, (model, title) in zip(axes, MODELS):
        # Labels alternate above and below their points in order of energy, so that neighbours
        # stay readable.
        by_energy = sorted((row[0] for row in ROWS), key=lambda label: measured[(model, label)]["energy_pj"])
        for label, *_ in ROWS:
            m = measured[(model, label)]
            x, y = m["energy_pj"] / 1e6, 100 * m["top1"]
            ax.scatter([x], [y], marker="s" if label.startswith(("MX", "NV", "int4_g")) else "o")
            below = by_energy.index(label) % 2 == 1
            ax.annotate(label, (x, y), fontsize=7, xytext=(4, -9 if below else 3), textcoords="offset points")
        ax.axhline(100 * measured[(model, "int8")]["reference_top1"], color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("energy per inference (µJ)")
        ax.set_ylabel("top-1 (%)")
        ax.set_title(f"{title} on Fashion-MNIST (dotted: float32)")
        ax.grid(True, alpha=0.3)
    save_png(fig, path)


if __name__ == "__main__":
    main()
