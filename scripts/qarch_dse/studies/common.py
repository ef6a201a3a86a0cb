"""The study framework: what every study module (qarch_dse.studies.*) shares.

Every study runs qarch through qarch_dse.runner (run_reports, call) with ROOT as the working
directory, so that commands quoted in the pages read `--arch configs/bf16.yaml`, reads what it
writes (summary.json, layers.csv; docs/reports.md) and rewrites the generated parts of its page
under docs/studies/ between marker comments.

    ROOT, DATASET                 repo root, the Fashion-MNIST directory
    StudyError                    a study cannot go on (qarch's own failures are QarchError)
    md_table(header, rows)        a GitHub markdown table
    write_between_markers(…)      replace the text between two marker lines of a file
    check_markers(path, pairs)    fail early if a page lacks a marker pair
    write_text_atomic(path, text) write a file under a temporary name and rename it
    parse_common_args(…)          --quick, --limit, --qarch, --dataset, --out, --jobs
    parallel(jobs, fn, items)     fn over items on `jobs` threads, results in order

Use /usr/bin/python3 (Debian's numpy, matplotlib and yaml).
"""

import argparse
import concurrent.futures
import os
import tempfile
from pathlib import Path

from ..paths import DATASET, ROOT
from ..runner import QarchError, find_qarch

__all__ = ["ROOT", "DATASET", "DEFAULT_LIMIT", "QUICK_LIMIT", "StudyError", "md_table",
           "write_text_atomic", "check_markers", "write_between_markers", "parse_common_args",
           "parallel"]

DEFAULT_LIMIT = 10000
QUICK_LIMIT = 200


class StudyError(Exception):
    """A study cannot go on: a page lacks its markers, a result is missing or contradicts the
    model. A qarch run that fails raises QarchError instead."""


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
    --qarch EXE    the qarch executable (default: $QARCH_EXE or build/src/cli/qarch); args.qarch
                   is its absolute path, checked here so that a study fails before its work
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
    p.add_argument("--qarch", default=None, help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
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
    try:
        args.qarch = find_qarch(args.qarch)
    except QarchError as e:
        p.error(str(e))
    return args


def parallel(jobs, fn, items):
    """fn over items with `jobs` threads (each qarch run is its own process); results in order."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, items))

