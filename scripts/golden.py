#!/usr/bin/python3
"""The golden regression suite: every shipped design point x every shipped network.

For each case it runs `qarch run ... --out DIR` and compares `layers.csv` and `summary.json`
byte for byte with the copies kept in tests/golden/<config>/<workload>/. Functional cases
(Fashion-MNIST networks with their trained weights, a fixed number of test images) keep theirs
under tests/golden/functional/.

  scripts/golden.py                 compare; print a unified diff of every difference; exit 1 if any
  scripts/golden.py --update        rewrite the kept copies, then print what changed
  scripts/golden.py --only int8     cases whose name contains "int8"

The executable is $QARCH_EXE or build/src/cli/qarch (run through qarch_dse.call); $QARCH_GOLDEN_DIR
moves the kept copies. Paths passed to qarch are relative to the repository root (they appear in
summary.json), so qarch runs there whatever the cwd.
"""

import argparse
import difflib
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qarch_dse import ROOT, QarchError, call, find_qarch

GOLDEN = Path(os.environ.get("QARCH_GOLDEN_DIR", ROOT / "tests" / "golden"))  # overridable for its own test
FILES = ("layers.csv", "summary.json")
# Functional cases: networks whose weights ship with the repository, on this many test images.
FUNCTIONAL_IMAGES = 200
FUNCTIONAL_CONFIGS = ("int8", "int4", "fp8", "posit8-plam", "pow2-shift-add", "mitchell-w6")
FUNCTIONAL_WORKLOADS = ("fashion/lenet5", "fashion/mlp")
# Not in the suite yet: the Fashion-MNIST CNNs wait for a faster functional mode (issue 19).
EXCLUDED_WORKLOADS = ("fashion/resnet", "fashion/mobilenet")
# Decoders (workloads/decoders/) take seconds to minutes each: the smallest, on the LLM presets.
DECODER_CASES = (("int8", "decoders/gpt2_small"), ("mxfp4", "decoders/gpt2_small"),
                 ("int4-g128", "decoders/gpt2_small"))


class Case:
    def __init__(self, config, workload, functional=False):
        self.config, self.workload, self.functional = config, workload, functional
        kind = "functional" if functional else "structural"
        self.name = f"{kind}/{config}/{workload.replace('/', '_')}"
        self.golden_dir = GOLDEN / ("functional" if functional else "") / config / workload.replace("/", "_")

    def args(self, out_dir):
        cmd = ["run", "--arch", f"configs/{self.config}.yaml",
               "--workload", f"workloads/{self.workload}.yaml", "--out", str(out_dir), "--format", "csv"]
        if self.functional:
            cmd += ["--functional", "--limit", str(FUNCTIONAL_IMAGES)]
        return cmd


def all_cases():
    configs = sorted(p.stem for p in (ROOT / "configs").glob("*.yaml"))
    workloads = sorted(str(p.relative_to(ROOT / "workloads").with_suffix(""))
                       for p in (ROOT / "workloads").rglob("*.yaml") if p.parent.name != "decoders")
    workloads = [w for w in workloads if w not in EXCLUDED_WORKLOADS]
    cases = [Case(c, w) for c in configs for w in workloads]
    cases += [Case(c, w) for c, w in DECODER_CASES]
    cases += [Case(c, w, True) for c in FUNCTIONAL_CONFIGS for w in FUNCTIONAL_WORKLOADS]
    return cases


def run_case(case, exe, scratch):
    out_dir = Path(scratch) / case.name
    result = call(case.args(out_dir), exe, cwd=ROOT, check=False)
    if result.returncode != 0:
        return case, None, f"qarch exited {result.returncode}: {result.stderr.strip()}"
    return case, {f: (out_dir / f).read_text() for f in FILES}, None


def diff(case, name, old, new):
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=f"golden/{case.name}/{name}", tofile=f"now/{case.name}/{name}", n=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the kept copies")
    parser.add_argument("--only", default="", help="cases whose name contains this")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-diff-lines", type=int, default=400, help="per file; 0: all")
    args = parser.parse_args()
    try:
        exe = find_qarch()
    except QarchError as e:
        sys.exit(f"error: {e}")
    cases = [c for c in all_cases() if args.only in c.name]
    if not cases:
        sys.exit(f"error: no case matches '{args.only}'")

    failures, changed, missing = [], [], []
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(args.jobs) as pool:
        for case, outputs, error in pool.map(lambda c: run_case(c, exe, scratch), cases):
            if error:
                failures.append(f"{case.name}: {error}")
                continue
            for name, text in outputs.items():
                kept = case.golden_dir / name
                old = kept.read_text() if kept.is_file() else None
                if old == text:
                    continue
                if old is None:
                    missing.append(f"{case.name}/{name}")
                else:
                    lines = diff(case, name, old, text).splitlines(keepends=True)
                    if args.max_diff_lines and len(lines) > args.max_diff_lines:
                        lines = lines[:args.max_diff_lines] + [f"... ({len(lines) - args.max_diff_lines} more lines)\n"]
                    sys.stdout.write("".join(lines))
                    changed.append(f"{case.name}/{name}")
                if args.update:
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    kept.write_text(text)

    for f in failures:
        print(f"error: {f}", file=sys.stderr)
    verb = "updated" if args.update else "differ"
    print(f"golden: {len(cases)} cases, {len(changed)} files {verb}, "
          f"{len(missing)} {'written' if args.update else 'missing'}, {len(failures)} failed")
    if failures or (not args.update and (changed or missing)):
        if not args.update:
            print("golden: if the change is intended, run scripts/golden.py --update and review the diff")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
