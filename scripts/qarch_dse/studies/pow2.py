"""Study 002: power-of-two (PoT) weights on a shift-add accelerator against uniform int4/int8.

Seed: "Energy Efficient Hardware Acceleration of Neural Networks with Power-of-Two Quantisation"
(../shared/seeds/002_*.txt): a PoT accelerator is at least 1.4x more energy efficient than the
uniform-quantisation version. Here the same 32x32 weight-stationary array (configs/*-style
presets: same buffers and DRAM) runs
  int8      uniform int8 weights x int8 activations, exact multiplier, int32 accumulator
  int4      uniform int4 weights x int8 activations, exact multiplier, int32 accumulator
  pow2_4    PoT weights {0, +-1, ..., +-64} x scale, int8 activations, shift-add, int32
  pow2_3    PoT weights {0, +-1, +-2, +-4} x scale, int8 activations, shift-add, int32
Accuracy: LeNet-5 and the MLP on Fashion-MNIST, post-training (PTQ) and after QAT with qarch's
formats. Energy: per inference on LeNet-5, the MLP, workloads/cifar10_full.yaml and ResNet-50
(cost only), as the whole accelerator and as the PE datapath alone (MAC + register files +
array), since at batch 1 DRAM traffic of the weights dominates small networks.

Usage: PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.pow2 [--quick] [--limit N] [--jobs 2]
Writes docs/studies/002_pow2.md between its markers (or --out PAGE); networks cached under
out/studies/002/.
"""

import concurrent.futures

from ..qat import QuantSpec, ptq_spec, qat_spec, train_cached
from . import common, measure

PAGE = common.ROOT / "docs" / "studies" / "002_pow2.md"
MODELS = [("lenet5", "LeNet-5"), ("mlp", "MLP")]
COST_WORKLOADS = [("lenet5", "workloads/lenet5.yaml"), ("mlp", "workloads/mlp.yaml"),
                  ("cifar10_full", "workloads/cifar10_full.yaml"), ("resnet50", "workloads/resnet50.yaml")]
DATAPATH = ("mac", "rf_weight", "rf_input", "rf_output", "array")

# label, spec, arch preset
ROWS = [
    ("int8", QuantSpec("int8", "int8", accumulator="int32"), "int8.yaml"),
    ("int4", QuantSpec("int4", "int8", accumulator="int32"), "int8.yaml"),
    ("pow2_4", QuantSpec("pow2_4", "int8", accumulator="int32", multiplier="shift_add"), "pow2-shift-add.yaml"),
    ("pow2_3", QuantSpec("pow2_3", "int8", accumulator="int32", multiplier="shift_add"), "pow2-shift-add.yaml"),
]
QAT_EPOCHS = 3


def sets_of(spec):
    return measure.pe_sets(spec.weight, spec.activation, spec.accumulator, spec.multiplier)


def arch_of(row):
    return str(common.ROOT / "configs" / row[2])


def main():
    args = common.parse_common_args(__doc__.splitlines()[0], extra=measure.WORK_OPTION)
    work = measure.work_dir(args, "002")
    epochs = 1 if args.quick else QAT_EPOCHS
    tasks = {(m, row[0], kind): dict(model=m, spec=ptq_spec(row[1]) if kind == "ptq" else qat_spec(row[1]),
                                     epochs=0 if kind == "ptq" else epochs, init="shipped",
                                     train_limit=2000 if args.quick else None, test_limit=args.limit,
                                     dataset=args.dataset)
             for m, _ in MODELS for row in ROWS for kind in ("ptq", "qat")}
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {key: pool.submit(train_cached, work, "_".join(key), **kw) for key, kw in tasks.items()}
        trained = {key: fut.result() for key, fut in futures.items()}

    rows_by_label = {row[0]: row for row in ROWS}
    keys = list(trained)
    measured = dict(zip(keys, common.parallel(args.jobs, lambda key: measure.measure(
        arch_of(rows_by_label[key[1]]), trained[key]["workload"], sets_of(rows_by_label[key[1]][1]),
        functional=True, limit=args.limit, dataset=args.dataset, qarch=args.qarch), keys)))
    cost_keys = [(w, row[0]) for w, _ in COST_WORKLOADS for row in ROWS]
    paths = dict(COST_WORKLOADS)
    cost = dict(zip(cost_keys, common.parallel(args.jobs, lambda key: measure.measure(
        arch_of(rows_by_label[key[1]]), str(common.ROOT / paths[key[0]]), sets_of(rows_by_label[key[1]][1]),
        qarch=args.qarch), cost_keys)))

    acc_rows = [[label] + [measure.pct(measured[(m, label, k)]["top1"]) for m, _ in MODELS for k in ("ptq", "qat")]
                for label, *_ in ROWS]
    accuracy = common.md_table(["weights"] + [f"{title} {k.upper()}" for _, title in MODELS for k in ("ptq", "qat")],
                               acc_rows)

    def datapath(m):
        return sum(m["energy_breakdown_pj"][c] for c in DATAPATH)

    energy_rows = []
    for w, _ in COST_WORKLOADS:
        for label, *_ in ROWS:
            c, i8, i4 = cost[(w, label)], cost[(w, "int8")], cost[(w, "int4")]
            energy_rows.append([w, label, f"{c['energy_pj'] / c['macs']:.3f}", f"{datapath(c) / c['macs']:.3f}",
                                f"{i8['energy_pj'] / c['energy_pj']:.2f}×", f"{i4['energy_pj'] / c['energy_pj']:.2f}×",
                                f"{datapath(i8) / datapath(c):.2f}×", f"{datapath(i4) / datapath(c):.2f}×",
                                f"{c['mac_area_mm2']:.3f}"])
    energy = common.md_table(["workload", "weights", "pJ/MAC (all)", "pJ/MAC (datapath)", "int8 / this (all)",
                              "int4 / this (all)", "int8 / this (datapath)", "int4 / this (datapath)",
                              "MAC area mm²"], energy_rows)
    note = (f"Top-1 on the first {args.limit} Fashion-MNIST test images; QAT {epochs} epochs from the shipped "
            "FP32 weights. Ratios > 1 mean this design uses less energy than the uniform one. Datapath = "
            "MAC + register files + array energy. Generated by `qarch_dse.studies.pow2`"
            + (" --quick (smoke settings, not the study's numbers)." if args.quick else "."))
    text = "#### Accuracy\n\n" + accuracy + "\n\n#### Energy\n\n" + energy + "\n\n" + note + "\n"
    page = args.out or PAGE
    measure.write_results(work, {
        "limit": args.limit,
        "accuracy": {"/".join(key): {**measured[key], "reference_top1_qat_script": trained[key]["reference_top1"]}
                     for key in measured},
        "cost": {"/".join(key): {**cost[key], "datapath_pj": datapath(cost[key])} for key in cost}})
    measure.write_section(page, "002", text)
    print(f"wrote {page}")


if __name__ == "__main__":
    main()
