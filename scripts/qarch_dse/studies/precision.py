"""Study 001: precision against accuracy, energy, memory and area, from FP32 down to binary.

Seed: "Understanding the impact of precision quantization on the accuracy and energy of neural
networks" (../shared/seeds/001_*.txt). For LeNet-5 and the MLP on Fashion-MNIST, every precision
of the paper's table is quantized post-training (PTQ) and, at 8 bits and below, trained with
qarch's formats (QAT, qarch_dse.qat); qarch then runs the exported network in functional
mode (top-1) and prices it (energy per inference, weight memory, area). The CIFAR-10-sized
network (workloads/cifar10_full.yaml) is priced only.

Rows (weights / activations):
  FP32, FP16             IEEE floats, fp32 accumulator
  Fixed32, 16, 8, 4      N-bit two's complement with per-layer power-of-two scales (dynamic fixed
                         point, as the paper's Ristretto); int32 accumulator, fp32 for Fixed32
                         (qarch's integer accumulators stop at 32 bits)
  Pow2                   pow2_4 weights (sign, 3-bit exponent) shifting int8 activations
  Binary                 BinaryNet: binary weights and activations, XNOR-popcount into int16;
                         the first layer keeps int8 pixels (binary weights, shift-add)

Usage: PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.precision [--quick] [--limit N] [--jobs 2]
Writes docs/studies/001_precision.md between its markers (or --out PAGE). Trained networks are
cached under out/studies/001/ (delete it to retrain). About 25 minutes on 2 cores.
"""

import concurrent.futures

from ..qat import QuantSpec, ptq_spec, qat_spec, train_cached
from . import common, measure

PAGE = common.ROOT / "docs" / "studies" / "001_precision.md"
MODELS = [("lenet5", "LeNet-5"), ("mlp", "MLP 784-256-128-10")]
BINARY_FIRST = {"activation": "int8", "multiplier": "shift_add", "accumulator": "int32"}

# label, weight/activation bits, spec, arch preset, QAT epochs (0: PTQ only); rows of 4 bits and
# fewer (Fixed4, Binary) are also trained with the cyclic schedule
ROWS = [
    ("FP32", "32/32", QuantSpec("fp32", "fp32"), "fp32.yaml", 0),
    ("FP16", "16/16", QuantSpec("fp16", "fp16"), "fp16.yaml", 0),
    ("Fixed32", "32/32", QuantSpec("int32", "int32", accumulator="fp32", scale_mode="pow2"), "int8.yaml", 0),
    ("Fixed16", "16/16", QuantSpec("int16", "int16", accumulator="int32", scale_mode="pow2"), "int8.yaml", 0),
    ("Fixed8", "8/8", QuantSpec("int8", "int8", accumulator="int32", scale_mode="pow2"), "int8.yaml", 2),
    ("Fixed4", "4/4", QuantSpec("int4", "int4", accumulator="int32", scale_mode="pow2"), "int4.yaml", 3),
    ("Pow2", "4/8", QuantSpec("pow2_4", "int8", accumulator="int32", multiplier="shift_add"), "pow2-shift-add.yaml", 3),
    ("Binary", "1/1", QuantSpec("binary", "binary", accumulator="int16", multiplier="xnor_popcount",
                                first=BINARY_FIRST), "binary-xnor.yaml", 6),
]


CYCLIC = ("Fixed4", "Binary")
CYCLES = 2


def arch_of(row):
    return str(common.ROOT / "configs" / row[3])


def sets_of(spec):
    acc = spec.accumulator or ("fp32" if spec.weight.startswith("fp") else "int32")
    return measure.pe_sets(spec.weight, spec.activation, acc, spec.multiplier)


def train_all(args, work):
    """Every (model, row, PTQ|QAT) network, trained in parallel processes; {(model, label, kind): result}."""
    tasks = []
    for model, _ in MODELS:
        for label, _, spec, _, epochs in ROWS:
            n = min(epochs, 1) if args.quick else epochs
            common_kw = dict(model=model, init="shipped", train_limit=2000 if args.quick else None,
                             test_limit=args.limit, dataset=args.dataset)
            tasks.append(((model, label, "ptq"), dict(spec=ptq_spec(spec), epochs=0, **common_kw)))
            if n:
                tasks.append(((model, label, "qat"), dict(spec=qat_spec(spec), epochs=n, **common_kw)))
            if n and label in CYCLIC:
                tasks.append(((model, label, "cyclic"), dict(spec=qat_spec(spec), epochs=n, schedule="cyclic",
                                                             cycles=1 if args.quick else CYCLES,
                                                             float_epochs=1, **common_kw)))
    results = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {key: pool.submit(train_cached, work, "_".join(key).lower(), **kw) for key, kw in tasks}
        for key, fut in futures.items():
            results[key] = fut.result()
            print(f"trained {key}: reference top-1 {100 * results[key]['reference_top1']:.2f}%", flush=True)
    return results


def main():
    args = common.parse_common_args(__doc__.splitlines()[0], extra=measure.WORK_OPTION)
    work = measure.work_dir(args, "001")
    trained = train_all(args, work)

    def evaluate(item):
        model, row, kind = item
        r = trained[(model, row[0], kind)]
        return measure.measure(arch_of(row), r["workload"], sets_of(row[2]), functional=True,
                               limit=args.limit, dataset=args.dataset, qarch=args.qarch)

    items = [(m, row, k) for m, _ in MODELS for row in ROWS for k in ("ptq", "qat", "cyclic") if (m, row[0], k) in trained]
    measured = dict(zip([(m, row[0], k) for m, row, k in items], common.parallel(args.jobs, evaluate, items)))
    cifar = dict(zip([row[0] for row in ROWS], common.parallel(args.jobs, lambda row: measure.measure(
        arch_of(row), str(common.ROOT / "workloads" / "cifar10_full.yaml"), sets_of(row[2]), qarch=args.qarch),
        ROWS)))

    sections = []
    for model, title in MODELS:
        base = measured[(model, "FP32", "ptq")]
        rows = []
        for label, bits, _, _, _ in ROWS:
            ptq, qat = measured[(model, label, "ptq")], measured.get((model, label, "qat"))
            cyclic = measured.get((model, label, "cyclic"))
            best = qat or ptq
            rows.append([label, bits, measure.pct(ptq["top1"]), measure.pct(qat and qat["top1"]),
                         measure.pct(cyclic and cyclic["top1"]),
                         measure.uj(best["energy_pj"]), f"{base['energy_pj'] / best['energy_pj']:.1f}×",
                         measure.kib(best["weight_bytes"]), f"{best['area_mm2']:.2f}", f"{best['mac_area_mm2']:.3f}",
                         f"{best['overflowed_accumulations'] / args.limit:.0f}"])
        sections.append(f"### {title}\n\n" + common.md_table(
            ["precision", "bits w/a", "top-1 PTQ", "top-1 QAT", "top-1 QAT cyclic", "energy / inference", "saving vs FP32",
             "weights", "area mm²", "MAC area mm²", "overflows / image"], rows))
    base = cifar["FP32"]
    rows = [[label, bits, measure.uj(cifar[label]["energy_pj"]), f"{base['energy_pj'] / cifar[label]['energy_pj']:.1f}×",
             measure.kib(cifar[label]["weight_bytes"]), measure.kib(cifar[label]["peak_activation_bytes"]),
             f"{cifar[label]['area_mm2']:.2f}"] for label, bits, *_ in ROWS]
    sections.append("### CIFAR-10 network (workloads/cifar10_full.yaml, cost only)\n\n" + common.md_table(
        ["precision", "bits w/a", "energy / inference", "saving vs FP32", "weights", "largest layer in+out",
         "area mm²"], rows))
    note = (f"Top-1 on the first {args.limit} Fashion-MNIST test images. QAT: "
            + ", ".join(f"{label} {min(e, 1) if args.quick else e} epochs" for label, _, _, _, e in ROWS if e)
            + f" from the shipped FP32 weights, learned scales (LSQ); cyclic: {CYCLES} cycles down the 8-4-2-bit "
            "ladder (one epoch per rung, then the target's epochs), the second starting with one float epoch. Energy, memory and area "
            "are the QAT network's (identical to PTQ's: the formats are the same). Generated by `qarch_dse.studies.precision`"
            + (" --quick (smoke settings, not the study's numbers)." if args.quick else "."))
    text = "\n\n".join(sections) + "\n\n" + note + "\n"
    page = args.out or PAGE
    measure.write_results(work, {
        "limit": args.limit,
        "networks": {f"{m}/{label}/{kind}": {**measured[(m, label, kind)], "reference_top1_qat_script":
                                             trained[(m, label, kind)]["reference_top1"]}
                     for m, label, kind in measured},
        "cifar10_full": cifar})
    measure.write_section(page, "001", text)
    print(f"wrote {page}")


if __name__ == "__main__":
    main()
