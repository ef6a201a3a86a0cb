"""Study 003: approximate multipliers (PLAM posit multipliers, Mitch-w6) in qarch.

Seed 003 (../shared/seeds/003_*.txt): PLAM saves up to 72.86% area, 81.79% power and 17.01% delay
against exact posit multipliers; a Mitch-w6 MAC saves up to 80% energy against bfloat16, and CNNs
keep near-FP32 accuracy without retraining. Three levels, all from qarch:

1. Multiplier: qarch's MAC price (`qarch explain`, `energy_mac_pj`) and MAC area
   (`area_breakdown_um2.mac` / PEs) of posit<8,1>, <16,1>, <32,2> exact vs PLAM, split into
   multiplier and quire accumulator with the block formulas of docs/cost.md evaluated on
   models/45nm.yaml (the split must add up to qarch's figure, or the script stops).
2. MAC: Mitch-w6 against bf16 (and fp32, int8, posits), MAC and PE datapath (MAC + register
   files + array hops) energy per MAC.
3. Network: LeNet-5 and the MLP with trained Fashion-MNIST weights in functional mode
   (post-training quantization), energy per inference there and on ResNet-50 and
   workloads/cifar10_full.yaml (timing only).

Usage: PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.approx_multipliers [--quick]
           [--limit N] [--jobs 2] [--qarch EXE] [--dataset DIR] [--out PAGE]
Rewrites the generated parts of docs/studies/003_approx_multipliers.md (between its
<!-- study-003:...:begin/end --> markers), or of --out PAGE (created from the committed page if
absent). Deterministic. About 25 minutes on 2 cores with 10000 images; --quick (200) < 30 s.
"""

import math
import re
import sys
import time
from pathlib import Path

from .. import runner
from . import common

PAGE = common.ROOT / "docs" / "studies" / "003_approx_multipliers.md"
COST_WORKLOAD = "workloads/lenet5.yaml"  # shape only; per-MAC prices do not depend on it
MODELS = [("lenet5", "LeNet-5"), ("mlp", "MLP 784-256-128-10")]
TIMING_WORKLOADS = [("workloads/resnet50.yaml", "ResNet-50"), ("workloads/cifar10_full.yaml", "cifar10_full")]
POSITS = [("posit<8,1>", "configs/posit8-exact.yaml", "configs/posit8-plam.yaml"),
          ("posit<16,1>", None, None), ("posit<32,2>", None, None)]

# Paper figures (seed 003 abstracts).
PAPER_PLAM = {"area": -72.86, "power": -81.79, "delay": -17.01}
PAPER_MITCH_W6_MAC = -80.0


def pe_sets(weight=None, activation=None, accumulator=None, multiplier=None):
    out = []
    for key, value in (("weight_format", weight), ("activation_format", activation),
                       ("accumulator_format", accumulator), ("multiplier", multiplier)):
        if value is not None:
            out.append(f"pe_array.{key}={value}")
    return out


# Design points: key, label, preset, --set overrides, formats in words.
POINTS = [
    ("fp32", "fp32", "configs/fp32.yaml", [], "fp32 × fp32 → fp32"),
    ("bf16", "bf16", "configs/bf16.yaml", [], "bf16 × bf16 → fp32 (baseline)"),
    ("w6_bf16", "Mitch-w6 on bf16", "configs/bf16.yaml", pe_sets(multiplier="mitchell_w6"),
     "bf16 × bf16, Mitch-w6 significands → fp32"),
    ("w6_preset", "Mitch-w6 preset", "configs/mitchell-w6.yaml", [], "int16 × int16, Mitch-w6 → int32"),
    ("int16", "int16 exact", "configs/mitchell-w6.yaml", pe_sets(multiplier="exact"),
     "int16 × int16 → int32, exact (the preset's formats)"),
    ("w6_16x8", "Mitch-w6 int16×int8", "configs/mitchell-w6.yaml", pe_sets(activation="int8"),
     "int16 weights × int8 activations, Mitch-w6 → int32"),
    ("w6_int8", "Mitch-w6 int8 (fair)", "configs/mitchell-w6.yaml", pe_sets(weight="int8", activation="int8"),
     "int8 × int8, Mitch-w6 → int32"),
    ("int8", "int8 exact", "configs/int8.yaml", [], "int8 × int8 → int32"),
    ("posit8", "posit8 exact", "configs/posit8-exact.yaml", [], "posit<8,1>, exact → quire<8,1>"),
    ("posit8_plam", "posit8 PLAM", "configs/posit8-plam.yaml", [], "posit<8,1>, PLAM → quire<8,1>"),
]
POINT = {p[0]: p for p in POINTS}

MARK = {name: (f"<!-- study-003:{name}:begin -->", f"<!-- study-003:{name}:end -->")
        for name in ("multiplier", "mac", "network", "commands")}

SKELETON = "# Study 003: approximate multipliers\n\n" + "".join(
    f"{b}\n{e}\n\n" for b, e in MARK.values())


# ---- the block formulas of docs/cost.md on models/<technology>.yaml -------------------------

def ceil_log2(v):
    bits = 0
    while (1 << bits) < v:
        bits += 1
    return bits


class Fmt:
    """The few facts about a number format that the cost formulas use."""

    def __init__(self, text):
        self.text = text
        m = re.fullmatch(r"(u?int)(\d+)|fixed(\d+)_\d+", text)
        floats = {"fp32": (8, 23), "bf16": (8, 7), "fp16": (5, 10), "fp8_e4m3": (4, 3), "fp8_e5m2": (5, 2)}
        if m:
            self.kind, self.bits = "int", int(m.group(2) or m.group(3))
        elif text in floats or text.startswith("fp<"):
            e, mant = floats.get(text) or map(int, re.fullmatch(r"fp<(\d+),(\d+)>", text).groups())
            self.kind, self.exponent_bits, self.mantissa_bits = "float", e, mant
            self.bits = 1 + e + mant
        elif (m := re.fullmatch(r"(posit|quire)(?:<(\d+),(\d+)>|(\d+)_(\d+))", text)):
            n, es = int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
            self.kind, self.n, self.es = m.group(1), n, es
            self.bits = n if self.kind == "posit" else 32 + 4 * (n - 2) * 2 ** es
            self.scale_bits = ceil_log2((n - 2) * 2 ** es + 1) + 1
            self.fraction_bits = max(0, n - 3 - es)
        else:
            raise common.StudyError(f"format {text}: not priced by this script's formulas")

    def significand_bits(self):  # hidden bit included
        if self.kind == "float":
            return self.mantissa_bits + 1
        if self.kind == "posit":
            return self.fraction_bits + 1
        return self.bits


class Blocks:
    """Energy (pJ) and area (µm²) of docs/cost.md's blocks, as (energy, area) pairs."""

    def __init__(self, technology="45nm"):
        import yaml
        path = common.ROOT / "models" / f"{technology}.yaml"
        with open(path) as f:
            self.t = yaml.safe_load(f)
        if "derived_from" in self.t:
            raise common.StudyError(f"{path}: derived tables are not evaluated by this script")
        self.path = path
        self.dyn = self.t["calibration"]["dynamic_factor"]

    def _c(self, energy, area):  # calibration.dynamic_factor scales on-chip dynamic energy
        return (self.dyn * energy, area)

    def int_multiplier(self, a, b):
        k = self.t["int_multiplier"]
        return self._c(k["energy_ab"] * a * b + k["energy_a_plus_b"] * (a + b),
                       k["area_ab"] * a * b + k["area_a_plus_b"] * (a + b))

    def int_adder(self, w):
        k = self.t["int_adder"]
        return self._c(k["energy_fixed"] + k["energy_per_bit"] * w, k["area_fixed"] + k["area_per_bit"] * w)

    def shifter(self, w, s):
        if s <= 0:
            return (0.0, 0.0)
        k, st = self.t["shifter"], (w + s) * ceil_log2(s + 1)
        return self._c(k["energy_per_bit_stage"] * st, k["area_per_bit_stage"] * st)

    def lod(self, n):
        k = self.t["leading_one_detector"]
        return self._c(k["energy_per_bit"] * n, k["area_per_bit"] * n)

    def fp_multiplier(self, e, m):
        k, sq = self.t["fp_multiplier"], (m + 1) ** 2
        return self._c(k["energy_per_significand_bit_sq"] * sq + k["energy_per_exponent_bit"] * e,
                       k["area_per_significand_bit_sq"] * sq + k["area_fixed"])

    def fp_adder(self, m):
        k, s = self.t["fp_adder"], m + 1
        return self._c(k["energy_per_significand_bit"] * s,
                       k["area_per_significand_bit_log"] * s * math.log2(max(2.0, s)))

    def posit_decoder(self, n):
        return add(self.int_adder(n), self.lod(n), self.shifter(n, n))

    def posit_encoder(self, n):
        return add(self.shifter(n, n), self.int_adder(n))


def add(*costs):
    return (sum(c[0] for c in costs), sum(c[1] for c in costs))


def sub(a, b):
    return (a[0] - b[0], a[1] - b[1])


def multiplier_cost(bl, w, a, acc, style):
    """The multiplier of a MAC (docs/cost.md "MAC styles"), as src/cost/mac_styles.cpp prices it."""
    decoders = add(*[bl.posit_decoder(f.n) for f in (w, a) if f.kind == "posit"])
    if style == "exact":
        if all(f.kind == "int" for f in (w, a)):
            return bl.int_multiplier(w.bits, a.bits)
        e = max(getattr(f, "exponent_bits", 0) if f.kind == "float" else getattr(f, "scale_bits", 0)
                for f in (w, a))
        m = max(w.significand_bits(), a.significand_bits()) - 1
        return add(bl.fp_multiplier(e, m), decoders)
    if style == "plam":
        return add(bl.int_adder(max(w.scale_bits, a.scale_bits) + max(w.fraction_bits, a.fraction_bits)), decoders)
    m = re.fullmatch(r"mitchell(?:_w(\d+))?", style)
    if m:
        k_style = int(m.group(1) or 0)
        parts, char_bits, frac_bits, max_int = [], 0, 0, 0
        for f in (w, a):
            if f.kind == "float":
                k = min(k_style, f.mantissa_bits) if k_style else f.mantissa_bits
                char_bits = max(char_bits, f.exponent_bits)
            else:
                n = f.bits
                k = min(k_style, n - 1) if k_style else n - 1
                parts += [bl.lod(n), bl.shifter(k, n - 1)]
                char_bits, max_int = max(char_bits, ceil_log2(n)), max(max_int, n)
            frac_bits = max(frac_bits, k)
        parts.append(bl.int_adder(char_bits + 1 + frac_bits))
        if acc.kind == "int" and max_int:
            parts.append(bl.shifter(frac_bits + 1, 2 * max_int - 2))
        return add(*parts)
    raise common.StudyError(f"multiplier style {style}: not priced by this script's formulas")


def accumulator_cost(bl, w, a, acc):
    if acc.kind == "float":
        return bl.fp_adder(acc.mantissa_bits)
    if acc.kind == "quire":
        return add(bl.shifter(w.significand_bits() + a.significand_bits(), acc.bits), bl.int_adder(acc.bits))
    if acc.kind == "int":
        return bl.int_adder(acc.bits)
    raise common.StudyError(f"accumulator {acc.text}: not priced by this script's formulas")


# ---- qarch runs -----------------------------------------------------------------------------

def compute_layers(run):
    return [r for r in run["layers"] if r.get("macs")]


def per_mac(run, columns):
    layers = compute_layers(run)
    macs = sum(r["macs"] for r in layers)
    return sum(r[c] or 0.0 for r in layers for c in columns) / macs


def cost_point(qarch, preset, sets):
    """Per-MAC figures of a design point from a cost-only `qarch run` on COST_WORKLOAD."""
    run = runner.run_reports(preset, COST_WORKLOAD, sets, qarch=qarch, cwd=common.ROOT)
    s, first = run["summary"], compute_layers(run)[0]
    pes = s["arch"]["pe_rows"] * s["arch"]["pe_cols"]
    return {
        "mac_pj": per_mac(run, ["energy_mac_pj"]),
        "mac_um2": s["area_breakdown_um2"]["mac"] / pes,
        "pe_pj": per_mac(run, ["energy_mac_pj", "energy_rf_weight_pj", "energy_rf_input_pj",
                                "energy_rf_output_pj", "energy_array_pj"]),
        "all_pj": s["pj_per_mac"],
        "formats": (first["weight_format"], first["activation_format"], first["accumulator_format"],
                    first["multiplier"]),
        "command": run["command"],
    }


def explain_mac_line(qarch, preset, sets):
    """The `mac  MACs  count x price = energy  source` line of `qarch explain` for conv1."""
    args = ["explain", "--arch", preset] + [x for s in sets for x in ("--set", s)] + [
        "--workload", COST_WORKLOAD, "--layer", "conv1"]
    out = runner.call(args, qarch, cwd=common.ROOT).stdout
    for line in out.splitlines():
        if re.match(r"^mac\s+MACs\s", line):
            price = float(re.search(r"\sx\s+([0-9.eE+-]+)\s", line).group(1))
            return runner.command_text(args), " ".join(line.split()), price
    raise common.StudyError(f"{runner.command_text(args)}: no 'mac MACs' line in:\n{out}")


def check_close(what, qarch_value, formula_value):
    if not math.isclose(qarch_value, formula_value, rel_tol=1e-6, abs_tol=1e-9):
        raise common.StudyError(f"{what}: qarch gives {qarch_value}, the docs/cost.md formulas "
                                f"{formula_value}: the decomposition no longer matches the model")


# ---- formatting -----------------------------------------------------------------------------

def pj(x):
    return f"{x:.3f}"


def um2(x):
    return f"{x:,.0f}"


def saving(new, base):
    return f"{100 * (new / base - 1):+.1f}%".replace("-", "−")


def energy(pj_value):
    return f"{pj_value / 1e9:.2f} mJ" if pj_value >= 1e9 else f"{pj_value / 1e6:.2f} µJ"


# ---- the three levels -----------------------------------------------------------------------

def multiplier_level(bl, jobs, qarch):
    cases = []
    for posit, exact_preset, plam_preset in POSITS:
        n = Fmt(posit).n
        quire = f"quire<{n},{Fmt(posit).es}>"
        for style, preset in (("exact", exact_preset), ("plam", plam_preset)):
            sets = [] if preset else pe_sets(posit, posit, quire, style)
            cases.append((posit, quire, style, preset or "configs/posit8-exact.yaml", sets))
    measured = common.parallel(jobs, lambda c: cost_point(qarch, c[3], c[4]), cases)
    explained = common.parallel(jobs, lambda c: explain_mac_line(qarch, c[3], c[4]), cases[:2])

    rows, cmds = [], []
    by = {}
    for (posit, quire, style, preset, sets), m in zip(cases, measured):
        p, q = Fmt(posit), Fmt(quire)
        mult = multiplier_cost(bl, p, p, q, style)
        acc = accumulator_cost(bl, p, p, q)
        check_close(f"{posit} {style} MAC energy", m["mac_pj"], mult[0] + acc[0])
        check_close(f"{posit} {style} MAC area", m["mac_um2"], mult[1] + acc[1])
        mac = (m["mac_pj"], m["mac_um2"])
        in_mac = sub(mac, acc)  # the MAC's multiplier: qarch's MAC minus the quire adder
        unit = add(in_mac, bl.posit_encoder(p.n))  # posit x posit -> posit, as the paper's units
        by[(posit, style)] = {"mac": mac, "mult": in_mac, "unit": unit, "acc": acc}
        cmds.append(m["command"])
    for posit, _, _ in POSITS:
        e, a = by[(posit, "exact")], by[(posit, "plam")]
        for key, what in (("mac", "MAC (qarch `mac` component)"),
                          ("mult", "multiplier in the MAC (MAC − quire adder)"),
                          ("unit", "posit × posit → posit multiplier (+ encoder)")):
            rows.append([f"`{posit}`", what, pj(e[key][0]), pj(a[key][0]), saving(a[key][0], e[key][0]),
                         um2(e[key][1]), um2(a[key][1]), saving(a[key][1], e[key][1])])

    # posit<8,1> by hand: the blocks behind qarch's two MAC prices.
    p, q = Fmt("posit<8,1>"), Fmt("quire<8,1>")
    fm = bl.t["fp_multiplier"]
    dec = bl.posit_decoder(8)
    parts = [
        ("decoder, per operand: int_adder(8) + leading_one_detector(8) + shifter(8, 8)",
         f"{pj(bl.int_adder(8)[0])} + {pj(bl.lod(8)[0])} + {pj(bl.shifter(8, 8)[0])}", dec),
        (f"fraction multiplier fp_multiplier(e = {p.scale_bits}, m = {p.fraction_bits}) (exact only)",
         f"{fm['energy_per_significand_bit_sq']}·{p.fraction_bits + 1}² + "
         f"{fm['energy_per_exponent_bit']}·{p.scale_bits}", bl.fp_multiplier(p.scale_bits, p.fraction_bits)),
        (f"log adder int_adder({p.scale_bits + p.fraction_bits}) (PLAM only)",
         f"{bl.t['int_adder']['energy_fixed']} + {bl.t['int_adder']['energy_per_bit']}·"
         f"{p.scale_bits + p.fraction_bits}", bl.int_adder(p.scale_bits + p.fraction_bits)),
        (f"quire adder: shifter({2 * p.significand_bits()}, {q.bits}) + int_adder({q.bits})",
         f"{pj(bl.shifter(2 * p.significand_bits(), q.bits)[0])} + {pj(bl.int_adder(q.bits)[0])}",
         accumulator_cost(bl, p, p, q)),
        ("encoder (posit result; not in a MAC): shifter(8, 8) + int_adder(8)",
         f"{pj(bl.shifter(8, 8)[0])} + {pj(bl.int_adder(8)[0])}", bl.posit_encoder(8)),
    ]
    hand = common.md_table(["block", "pJ (formula)", "pJ", "µm²"],
                           [[w, f, pj(c[0]), um2(c[1])] for w, f, c in parts])
    e8, p8 = by[("posit<8,1>", "exact")], by[("posit<8,1>", "plam")]
    hand += (f"\nexact MAC = 2 × {pj(dec[0])} + {pj(bl.fp_multiplier(p.scale_bits, p.fraction_bits)[0])} + "
             f"{pj(e8['acc'][0])} = **{pj(e8['mac'][0])} pJ**; PLAM MAC = 2 × {pj(dec[0])} + "
             f"{pj(bl.int_adder(p.scale_bits + p.fraction_bits)[0])} + {pj(p8['acc'][0])} = "
             f"**{pj(p8['mac'][0])} pJ**, the prices `qarch explain` prints:\n\n```\n")
    for (cmd, line, price) in explained:
        hand += f"$ {cmd} | grep '^mac *MACs'\n{line}\n"
    hand += "```\n"
    for (_, _, price), mac in zip(explained, (e8["mac"][0], p8["mac"][0])):
        if not math.isclose(price, mac, rel_tol=1e-5):  # explain prints 6 significant digits
            raise common.StudyError(f"qarch explain prices a posit8 MAC at {price} pJ, qarch run at {mac}")

    table = common.md_table(["format", "unit", "exact pJ", "PLAM pJ", "energy", "exact µm²", "PLAM µm²", "area"], rows)
    p32e, p32p = by[("posit<32,2>", "exact")]["unit"], by[("posit<32,2>", "plam")]["unit"]
    paper = common.md_table(
        ["", "area", "power (energy per op at equal clock)", "delay"],
        [["paper (PLAM vs exact posit, \"up to\")", f"{PAPER_PLAM['area']:+.2f}%".replace("-", "−"),
          f"{PAPER_PLAM['power']:+.2f}%".replace("-", "−"), f"{PAPER_PLAM['delay']:+.2f}%".replace("-", "−")],
         ["qarch, posit<32,2> posit × posit → posit", saving(p32p[1], p32e[1]), saving(p32p[0], p32e[0]),
          "not modelled (qarch has no gate-delay model)"]])
    text = ("Per operation, 45 nm (models/45nm.yaml). The MAC rows are qarch's own figures; the "
            "multiplier rows subtract the quire adder and add the encoder with the formulas of "
            "docs/cost.md, which the script checks add up to qarch's MAC (energy and area) exactly.\n\n"
            + table + "\n" + paper + "\n#### posit<8,1> by hand\n\n" + hand)
    return text, by, cmds


def mac_level(bl, jobs, qarch):
    measured = common.parallel(jobs, lambda p: cost_point(qarch, p[2], p[3]), POINTS)
    cost = {p[0]: m for p, m in zip(POINTS, measured)}
    base = cost["bf16"]
    rows = []
    for (key, label, preset, sets, words), m in zip(POINTS, measured):
        w, a, acc, style = m["formats"]
        fw, fa, facc = Fmt(w), Fmt(a), Fmt(acc)
        mult = multiplier_cost(bl, fw, fa, facc, style)
        accum = accumulator_cost(bl, fw, fa, facc)
        check_close(f"{label} MAC energy", m["mac_pj"], mult[0] + accum[0])
        check_close(f"{label} MAC area", m["mac_um2"], mult[1] + accum[1])
        m["mult_pj"], m["acc_pj"] = mult[0], accum[0]
        rows.append([label, words, pj(mult[0]), pj(accum[0]), pj(m["mac_pj"]), saving(m["mac_pj"], base["mac_pj"]),
                     um2(m["mac_um2"]), pj(m["pe_pj"]), saving(m["pe_pj"], base["pe_pj"])])
    text = ("Per MAC, 45 nm, the presets' 32×32 ws array (cost-only `qarch run` on "
            f"`{COST_WORKLOAD}`; per-MAC figures do not depend on the layer). *multiplier* and "
            "*accumulator* split qarch's `mac` price with docs/cost.md's formulas (checked to add "
            "up); *PE datapath* = `mac` + `rf_weight` + `rf_input` + `rf_output` + `array` energy "
            "of the compute layers / MACs. Savings are against bf16; the paper's figure is "
            f"\"up to {PAPER_MITCH_W6_MAC:+.0f}%\" per MAC.\n\n".replace("-80", "−80")
            + common.md_table(["design point", "formats", "multiplier pJ", "accumulator pJ", "MAC pJ",
                               "MAC vs bf16", "MAC µm²", "PE datapath pJ/MAC", "PE vs bf16"], rows))
    return text, cost


def network_level(args):
    functional = [(key, model) for key in POINT for model, _ in MODELS]
    # heaviest first (generic-path Mitchell), so that two workers finish together
    heavy = {"w6_bf16": 0, "w6_preset": 1, "w6_16x8": 2}
    functional.sort(key=lambda km: (heavy.get(km[0], 9), km[1] != "lenet5"))
    timing = [(key, wl) for key in POINT for wl, _ in TIMING_WORKLOADS]

    def run_functional(item):
        key, model = item
        _, _, preset, sets, _ = POINT[key]
        t0 = time.monotonic()
        r = runner.run_reports(preset, f"workloads/fashion/{model}.yaml", sets, functional=True,
                               limit=args.limit, dataset=args.dataset, qarch=args.qarch, cwd=common.ROOT)
        r["seconds"] = time.monotonic() - t0
        print(f"  {key:12s} {model:7s} top-1 {100 * r['summary']['top1']:6.2f}%  "
              f"{r['seconds']:6.1f} s", flush=True)
        return r

    def run_timing(item):
        key, wl = item
        _, _, preset, sets, _ = POINT[key]
        return runner.run_reports(preset, wl, sets, qarch=args.qarch, cwd=common.ROOT)

    f_runs = dict(zip(functional, common.parallel(args.jobs, run_functional, functional)))
    t_runs = dict(zip(timing, common.parallel(args.jobs, run_timing, timing)))

    ref = {m: f_runs[("fp32", m)]["summary"]["reference_top1"] for m, _ in MODELS}
    acc_rows, e_rows = [], []
    for key, label, _, _, _ in POINTS:
        cells = [label]
        for model, _ in MODELS:
            r = f_runs[(key, model)]
            s = r["summary"]
            ovf = sum(row.get("overflowed_accumulations") or 0 for row in compute_layers(r))
            cells += [f"{100 * s['top1']:.2f}%", f"{100 * (s['top1'] - ref[model]):+.2f}".replace("-", "−"),
                      f"{ovf / s['images']:,.0f}", energy(s["energy_per_inference_pj"])]
        acc_rows.append(cells)
        cells = [label]
        for wl, _ in TIMING_WORKLOADS:
            s, b = t_runs[(key, wl)]["summary"], t_runs[("bf16", wl)]["summary"]
            cells += [energy(s["energy_per_inference_pj"]),
                      saving(s["energy_per_inference_pj"], b["energy_per_inference_pj"]),
                      f"{100 * s['energy_breakdown_pj']['mac'] / s['energy_pj']:.1f}%"]
        e_rows.append(cells)
    head = ["design point"]
    for _, name in MODELS:
        head += [f"{name} top-1", "Δ vs fp32 (pp)", "overflows / image", "energy / inference"]
    images = f_runs[("fp32", "lenet5")]["summary"]["images"]
    note = (f"Top-1 on the first {images} Fashion-MNIST test images"
            + (" (**--quick smoke run, not the study's numbers**)" if args.quick else "")
            + "; float32 reference "
            + ", ".join(f"{name} {100 * ref[m]:.2f}%" for m, name in MODELS)
            + ". Post-training quantization, no retraining (docs/functional.md). *overflows / image*: "
            "`overflowed_accumulations` of all layers / images.\n\n")
    ehead = ["design point"]
    for _, name in TIMING_WORKLOADS:
        ehead += [f"{name} energy / inference", "vs bf16", "`mac` share"]
    text = (note + common.md_table(head, acc_rows)
            + "\nEnergy per inference without `--functional` (batch 1, DRAM included), the same "
            "design points:\n\n" + common.md_table(ehead, e_rows))
    return text, f_runs, t_runs


def commands_text(args, mult_cmds):
    lines = ["# 1. multiplier level (cost only; posit<16,1> and <32,2> by --set on the posit8 preset)"]
    lines += [c for c in mult_cmds]
    lines.append("# 3. every design point on both models (workloads/fashion/mlp.yaml likewise)")
    for key, label, preset, sets, _ in POINTS:
        base = runner.run_args(preset, "workloads/fashion/lenet5.yaml", sets, True, args.limit, args.dataset)
        lines.append(runner.command_text(base + ["--out", "OUT"]))
    lines.append(f"# 2. and 3. timing and cost only: the same without --functional ... on {COST_WORKLOAD}, "
                 "workloads/resnet50.yaml and workloads/cifar10_full.yaml")
    return "```sh\n" + "\n".join(lines) + "\n```\n"


def main(argv=None):
    args = common.parse_common_args(__doc__.splitlines()[0], argv)
    page = Path(args.out) if args.out else PAGE
    t0 = time.monotonic()
    if page.exists():
        common.check_markers(page, MARK.values())
    bl = Blocks("45nm")
    print("multiplier level", flush=True)
    mult_text, _, mult_cmds = multiplier_level(bl, args.jobs, args.qarch)
    print("MAC level", flush=True)
    mac_text, _ = mac_level(bl, args.jobs, args.qarch)
    print(f"network level ({args.limit} images)", flush=True)
    net_text, _, _ = network_level(args)
    if not page.exists():
        common.write_text_atomic(page, PAGE.read_text() if PAGE.exists() else SKELETON)
    for name, text in (("multiplier", mult_text), ("mac", mac_text), ("network", net_text),
                       ("commands", commands_text(args, mult_cmds))):
        common.write_between_markers(page, *MARK[name], text)
    print(f"wrote {page} in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (common.StudyError, runner.QarchError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
