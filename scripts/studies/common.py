"""Shared helpers of the study scripts (scripts/studies/study_*.py).

Every study runs the qarch CLI, reads what it writes (summary.json, layers.csv; docs/reports.md)
and rewrites the generated parts of its page under docs/studies/ between marker comments.

    ROOT, QARCH, DATASET          repo root, the qarch executable, the Fashion-MNIST directory
    StudyError                    every failure a study reports (a qarch error carries its stderr)
    run_qarch(args)               run `qarch ARGS...` in ROOT, raise StudyError on a non-zero exit
    qarch_run(arch, workload, …)  `qarch run … --out TMP` -> {"summary": dict, "layers": [dict]}
    md_table(header, rows)        a GitHub markdown table
    write_between_markers(…)      replace the text between two marker lines of a file
    check_markers(path, pairs)    fail early if a page lacks a marker pair
    write_text_atomic(path, text) write a file under a temporary name and rename it
    parse_common_args(…)          --quick, --limit, --qarch, --dataset, --out, --jobs
    use_qarch(path)               make later calls run this executable (parse_common_args does)
    parallel(jobs, fn, items)     fn over items on `jobs` threads, results in order

Relative paths given to qarch are relative to ROOT (qarch runs with ROOT as its working
directory), so commands quoted in the pages read `--arch configs/bf16.yaml`.
Use /usr/bin/python3 (Debian's numpy, matplotlib and yaml).
"""

import argparse
import concurrent.futures
import csv
import json
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QARCH = os.environ.get("QARCH_EXE") or str(ROOT / "build" / "src" / "cli" / "qarch")
DATASET = "/usr/share/datasets/fashion-mnist"
DEFAULT_LIMIT = 10000
QUICK_LIMIT = 200

# layers.csv columns that hold text even when they look like numbers (names can be "1", "1e3").
TEXT_COLUMNS = {"name", "type", "input_shape", "output_shape", "weight_format", "activation_format",
                "accumulator_format", "multiplier", "accumulation_order"}
_INT = re.compile(r"^[+-]?\d+$")


class StudyError(Exception):
    """A study cannot go on: a qarch run failed, a page lacks its markers, a result is missing."""


def use_qarch(path):
    """Later run_qarch / qarch_run calls (in every module) run this executable."""
    global QARCH
    QARCH = str(path)


def command_text(args, exe="qarch"):
    """The command line as a reader would type it (the executable shown as `exe`)."""
    return shlex.join([exe] + [str(a) for a in args])


def run_qarch(args, timeout=None):
    """Runs `QARCH *args` with ROOT as working directory; returns the CompletedProcess (text).

    Raises StudyError naming the command, the exit status and qarch's stderr on a non-zero exit,
    and when the executable is missing or the timeout (seconds) passes.
    """
    cmd = [QARCH] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    except FileNotFoundError as e:
        raise StudyError(f"{shlex.join(cmd)}: cannot run qarch ({e}); build it or pass --qarch") from e
    except subprocess.TimeoutExpired as e:
        raise StudyError(f"{shlex.join(cmd)}: no answer within {timeout} s") from e
    if r.returncode != 0:
        raise StudyError(f"{shlex.join(cmd)} exited with status {r.returncode}:\n{r.stderr.strip()}")
    return r


def _cell(column, text):
    if text == "":
        return None
    if column in TEXT_COLUMNS:
        return text
    if _INT.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def read_layers_csv(path):
    """layers.csv as a list of dicts: numbers as int/float, empty cells as None."""
    with open(path, newline="") as f:
        return [{k: _cell(k, v) for k, v in row.items()} for row in csv.DictReader(f)]


def run_args(arch, workload, sets=(), functional=False, limit=None, dataset=DATASET, extra=()):
    """The arguments of `qarch run` (without --out) that qarch_run passes."""
    args = ["run", "--arch", str(arch), "--workload", str(workload)]
    for s in sets:
        args += ["--set", str(s)]
    if functional:
        args += ["--functional", "--dataset", str(dataset)]
        if limit is not None:
            args += ["--limit", str(int(limit))]
    return args + [str(a) for a in extra]


def qarch_run(arch, workload, sets=(), functional=False, limit=None, dataset=DATASET, extra=()):
    """Runs `qarch run --arch A --workload W --out TMP [--set k=v ...] [--functional --dataset D
    --limit N] [extra ...]` and returns {"summary": summary.json, "layers": layers.csv rows,
    "command": the command line with --out OUT}. limit and dataset only matter with functional.
    """
    args = run_args(arch, workload, sets, functional, limit, dataset, extra)
    with tempfile.TemporaryDirectory(prefix="qarch-study-") as out:
        run_qarch(args + ["--out", out])
        try:
            with open(os.path.join(out, "summary.json")) as f:
                summary = json.load(f)
            layers = read_layers_csv(os.path.join(out, "layers.csv"))
        except (OSError, ValueError) as e:
            raise StudyError(f"{command_text(args)}: unreadable results ({e})") from e
    return {"summary": summary, "layers": layers, "command": command_text(args + ["--out", "OUT"])}


def md_table(header, rows):
    """A GitHub markdown table; cells are str()'d, None is shown as '–', '|' is escaped."""
    def cell(v):
        return "–" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(f"row {i} has {len(row)} cells, the header {len(header)}")
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_text_atomic(path, text):
    """Writes text to path (parents created) under a temporary name in the same directory, then
    renames it: a reader never sees half a file, an error leaves the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _marker_span(path, doc, begin, end):
    """(start, stop) of the text between the begin line and the end line, or StudyError."""
    for marker in (begin, end):
        n = doc.count(marker)
        if n != 1:
            raise StudyError(f"{path}: marker {marker} occurs {n} times (expected once)")
    b, e = doc.index(begin), doc.index(end)
    if e < b:
        raise StudyError(f"{path}: marker {end} comes before {begin}")
    if "\n" not in doc[b:e]:
        raise StudyError(f"{path}: markers {begin} and {end} must be on separate lines")
    return doc.index("\n", b) + 1, doc.rindex("\n", 0, e) + 1


def _read_page(path):
    try:
        return Path(path).read_text()
    except OSError as e:
        raise StudyError(f"{path}: cannot read the page ({e})") from e


def check_markers(path, pairs):
    """Raises StudyError unless every (begin, end) pair occurs once, in order, in the file: call
    it before a long run so that a broken page fails at once, not after the work."""
    doc = _read_page(path)
    for begin, end in pairs:
        _marker_span(path, doc, begin, end)


def write_between_markers(path, begin, end, text):
    """Replaces what lies between the line holding `begin` and the line holding `end` with text
    (the marker lines stay). Raises StudyError if the file is missing, a marker is absent or
    repeated, or `end` comes before `begin`."""
    doc = _read_page(path)
    start, stop = _marker_span(path, doc, begin, end)
    if not text.endswith("\n"):
        text += "\n"
    write_text_atomic(path, doc[:start] + text + doc[stop:])


def parse_common_args(description, argv=None, extra=None):
    """Parses the options every study takes and returns the Namespace:

    --quick        tiny settings for smoke tests (limit QUICK_LIMIT unless --limit is given)
    --limit N      test images of functional runs (default DEFAULT_LIMIT)
    --qarch EXE    the qarch executable (default QARCH: env QARCH_EXE or the build tree's);
                   later run_qarch / qarch_run calls use it
    --dataset DIR  Fashion-MNIST directory (default DATASET)
    --out PAGE     write the page here instead of the study's docs/studies/ page
    --jobs N       qarch processes at once (default 2)

    extra: a callable that gets the ArgumentParser to add options of its own, or a list of
    (flags, kwargs) pairs, e.g. [("--plot", {"action": "store_true"})].
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="tiny settings for smoke tests")
    p.add_argument("--limit", type=int, default=None,
                   help=f"test images of functional runs (default {DEFAULT_LIMIT}, {QUICK_LIMIT} with --quick)")
    p.add_argument("--qarch", default=QARCH, help="qarch executable (default: env QARCH_EXE or build/)")
    p.add_argument("--dataset", default=DATASET, help="Fashion-MNIST IDX directory")
    p.add_argument("--out", default=None, help="write the page here instead of docs/studies/")
    p.add_argument("--jobs", type=int, default=2, help="qarch processes at once (default 2)")
    if callable(extra):
        extra(p)
    elif extra:
        for flags, kwargs in extra:
            flags = [flags] if isinstance(flags, str) else list(flags)
            p.add_argument(*flags, **(kwargs or {}))
    args = p.parse_args(argv)
    if args.limit is None:
        args.limit = QUICK_LIMIT if args.quick else DEFAULT_LIMIT
    if args.limit < 1:
        p.error("--limit must be at least 1")
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    use_qarch(args.qarch)
    return args


def parallel(jobs, fn, items):
    """fn over items with `jobs` threads (each qarch run is its own process); results in order."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, items))
