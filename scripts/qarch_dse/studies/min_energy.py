"""Study 004: minimum-energy quantized networks at iso-accuracy.

Seed: Moons et al., "Minimum energy quantized neural networks" (../shared/seeds/004_*.txt):
networks trained from scratch at a fixed precision; at iso-accuracy low-precision networks must
be wider, and BinaryNets or int4 reach the minimum energy, int8 costing 2-10x more.

Here the MLP (784-256w-128w-10) is trained from scratch with qarch's formats (QAT, no float
pre-training) for width multipliers w and precisions binary, int2, int4, int8 and fp16; qarch's
functional mode gives top-1 and its cost model energy per inference on the matching preset
(same 32x32 array, buffers and DRAM for all). For each accuracy target, the cheapest network of
each precision that reaches it (the smallest width whose top-1 is at least the target) is
iso-accuracy's comparison point.

Usage: PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.min_energy [--quick] [--limit N] [--jobs 2]
Writes docs/studies/004_min_energy.md between its markers and
docs/studies/images/004_energy_accuracy.png (or next to --out PAGE); networks cached under
out/studies/004/. About 30 minutes on 2 cores (4 epochs of 20 networks).
"""

import concurrent.futures
import os

from ..plots import pyplot, save_png
from ..qat import QuantSpec, qat_spec, train_cached
from . import common, measure

PAGE = common.ROOT / "docs" / "studies" / "004_min_energy.md"
MODEL = "mlp"
WIDTHS = [0.25, 0.5, 1, 2]
BINARY_FIRST = {"activation": "int8", "multiplier": "shift_add", "accumulator": "int32"}

# label, spec, arch preset (the presets differ in the PE array only)
PRECISIONS = [
    ("binary", QuantSpec("binary", "binary", accumulator="int16", multiplier="xnor_popcount", first=BINARY_FIRST),
     "binary-xnor.yaml"),
    ("int2", QuantSpec("int2", "int2", accumulator="int16"), "int4.yaml"),
    ("int4", QuantSpec("int4", "int4", accumulator="int24"), "int4.yaml"),
    ("int8", QuantSpec("int8", "int8", accumulator="int32"), "int8.yaml"),
    ("fp16", QuantSpec("fp16", "fp16", accumulator="fp32"), "fp16.yaml"),
]
EPOCHS = 4
TARGETS = [0.84, 0.86, 0.87, 0.88, 0.89]


def main():
    args = common.parse_common_args(__doc__.splitlines()[0], extra=measure.WORK_OPTION)
    widths, epochs = (WIDTHS[:2], 1) if args.quick else (WIDTHS, EPOCHS)
    work = measure.work_dir(args, "004")
    keys = [(label, w) for label, *_ in PRECISIONS for w in widths]
    specs = {label: (spec, arch) for label, spec, arch in PRECISIONS}
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {key: pool.submit(train_cached, work, f"{key[0]}_w{key[1]:g}", model=MODEL, spec=qat_spec(specs[key[0]][0]),
                                    width=float(key[1]), epochs=epochs, float_epochs=0, init="scratch",
                                    train_limit=2000 if args.quick else None, test_limit=args.limit,
                                    dataset=args.dataset)
                   for key in keys}
        trained = {key: fut.result() for key, fut in futures.items()}

    def run(key):
        spec, arch = specs[key[0]]
        return measure.measure(str(common.ROOT / "configs" / arch), trained[key]["workload"],
                               measure.pe_sets(spec.weight, spec.activation, spec.accumulator, spec.multiplier),
                               functional=True, limit=args.limit, dataset=args.dataset, qarch=args.qarch)

    measured = dict(zip(keys, common.parallel(args.jobs, run, keys)))

    grid = common.md_table(
        ["precision"] + [f"w = {w:g}" for w in widths],
        [[label] + [f"{measure.pct(measured[(label, w)]['top1'])} / {measure.uj(measured[(label, w)]['energy_pj'])}"
                    for w in widths] for label, *_ in PRECISIONS])
    iso_rows = []
    for target in TARGETS:
        best = {}
        for label, *_ in PRECISIONS:
            ok = [w for w in widths if measured[(label, w)]["top1"] >= target]
            if ok:
                best[label] = (measured[(label, ok[0])]["energy_pj"], ok[0])
        if not best:
            continue
        winner = min(best, key=lambda k: best[k][0])
        cells = [f"{100 * target:.0f}%"]
        for label, *_ in PRECISIONS:
            cells.append(f"{measure.uj(best[label][0])} (w {best[label][1]:g})" if label in best else "not reached")
        cells.append(winner)
        cells.append(f"{best['int8'][0] / best[winner][0]:.1f}×" if "int8" in best else "–")
        iso_rows.append(cells)
    iso = (common.md_table(["top-1 target"] + [label for label, *_ in PRECISIONS] + ["minimum", "int8 / minimum"],
                           iso_rows) if iso_rows else
           f"No precision reached the lowest target ({100 * TARGETS[0]:.0f}%).\n")

    page = args.out or PAGE
    image = os.path.join(os.path.dirname(page), "images", "004_energy_accuracy.png")
    plot(measured, widths, image)
    note = (f"Each cell: top-1 on the first {args.limit} Fashion-MNIST test images / energy per inference. "
            f"Trained from scratch with QAT, {epochs} epochs, Adam, batch 128, no float pre-training. Generated by "
            "`qarch_dse.studies.min_energy`" + (" --quick (smoke settings, not the study's numbers)."
                                                if args.quick else "."))
    text = (f"#### Top-1 / energy per inference by width multiplier (MLP 784-256w-128w-10)\n\n{grid}\n\n"
            f"#### Iso-accuracy: cheapest network of each precision that reaches the target\n\n{iso}\n\n"
            f"![energy against top-1](images/004_energy_accuracy.png)\n\n{note}\n")
    measure.write_results(work, {
        "limit": args.limit, "epochs": epochs, "widths": widths,
        "networks": {f"{label}/w{w:g}": {**measured[(label, w)], "reference_top1_qat_script":
                                         trained[(label, w)]["reference_top1"]} for label, w in keys}})
    measure.write_section(page, "004", text)
    print(f"wrote {page}")


def plot(measured, widths, path):
    fig, ax = pyplot().subplots(figsize=(6.4, 4.2))
    for label, *_ in PRECISIONS:
        xs = [measured[(label, w)]["energy_pj"] / 1e6 for w in widths]
        ys = [100 * measured[(label, w)]["top1"] for w in widths]
        ax.plot(xs, ys, marker="o", label=label)
        for w, x, y in zip(widths, xs, ys):
            ax.annotate(f"{w:g}", (x, y), fontsize=7, xytext=(3, -8), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("energy per inference (µJ, log scale)")
    ax.set_ylabel("top-1 (%)")
    ax.set_title("MLP on Fashion-MNIST: width multiplier at each point")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    save_png(fig, path)


if __name__ == "__main__":
    main()
