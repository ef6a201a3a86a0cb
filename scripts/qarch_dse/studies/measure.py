"""What the studies read off a qarch run: top-1, energy per inference, memory and area.

Thin layer over qarch_dse.runner.run_reports so that every study reports the same quantities the
same way; and the studies' results.json, page sections and number formatting.
"""

import json
import os

from .. import runner
from . import common


def pe_sets(weight, activation, accumulator, multiplier="exact"):
    """--set overrides that make the PE array run these formats (so area prices them too)."""
    return [f"pe_array.weight_format={weight}", f"pe_array.activation_format={activation}",
            f"pe_array.accumulator_format={accumulator}", f"pe_array.multiplier={multiplier}"]


def measure(arch, workload, sets=(), functional=False, limit=None, dataset=common.DATASET, qarch=None,
            extra_args=()):
    """One qarch run (in ROOT) reduced to the figures the study tables show; extra_args go to
    `qarch run` (e.g. --per-channel)."""
    run = runner.run_reports(arch, workload, sets, functional=functional, limit=limit, dataset=dataset,
                             extra_args=extra_args, qarch=qarch, cwd=common.ROOT)
    s, layers = run["summary"], run["layers"]
    compute = [row for row in layers if row.get("macs")]
    activation_bytes = max((row["input_bytes"] or 0) + (row["output_bytes"] or 0) for row in layers)
    return {
        "top1": s.get("top1") if functional else None,
        "reference_top1": s.get("reference_top1") if functional else None,
        "energy_pj": s["energy_per_inference_pj"],
        "energy_breakdown_pj": s["energy_breakdown_pj"],
        "macs": s["macs"],
        "weight_bytes": s["weight_bytes"],
        "peak_activation_bytes": activation_bytes,
        "area_mm2": s["area_um2"] / 1e6,
        "mac_area_mm2": s["area_breakdown_um2"]["mac"] / 1e6,
        "tops_per_w": s["tops_per_w"],
        "overflowed_accumulations": sum(row.get("overflowed_accumulations") or 0 for row in compute),
        "saturated_values": sum(row.get("saturated_values") or 0 for row in compute),
        "weights_resident": s.get("weights_resident"),
    }


WORK_OPTION = [("--work", {"help": "directory for trained networks and results.json "
                                   "(default out/studies/NNN, NNN-quick with --quick)"})]


def work_dir(args, study):
    return args.work or os.path.join(common.ROOT, "out", "studies", study + ("-quick" if args.quick else ""))


def write_results(work, data):
    """results.json in the work directory: what the page shows, for scripts and tests."""
    common.write_text_atomic(os.path.join(work, "results.json"), json.dumps(data, indent=1, sort_keys=True) + "\n")


def write_section(page, study, text):
    """Writes the generated part of a study page between its markers; a page that does not exist
    yet (e.g. --out into a scratch directory) is created holding only the markers."""
    begin, end = f"<!-- study-{study}:begin -->", f"<!-- study-{study}:end -->"
    if not os.path.exists(page):
        common.write_text_atomic(page, f"# Study {study} (generated part only)\n\n{begin}\n{end}\n")
    common.write_between_markers(page, begin, end, text)


def pct(x):
    return "–" if x is None else f"{100 * x:.2f}%"


def uj(pj):
    return f"{pj / 1e6:.2f} µJ"


def kib(b):
    return f"{b / 1024:.1f} KiB"
