"""The command line of the scripts that regenerate a table of the docs (scripts/*_table.py).

Each runs qarch on a list of design points, builds a Markdown table and writes it between two
markers of a docs page (<!-- NAME:begin --> and <!-- NAME:end -->), or prints it with
--print-only.
"""

import argparse
import os
import sys

from .paths import DATASET, ROOT
from .runner import QarchError, find_qarch


def parser(description, limit=10000, jobs=False):
    """--limit, --dataset, --qarch, --print-only (and --jobs) of a table script."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--limit", type=int, default=limit)
    if jobs:
        p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--dataset", default=DATASET)
    p.add_argument("--qarch", help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
    p.add_argument("--print-only", action="store_true", help="print the table, leave the docs alone")
    return p


def parse(p):
    """The arguments, with args.qarch resolved (exits with the error when there is none)."""
    args = p.parse_args()
    try:
        args.qarch = find_qarch(args.qarch)
    except QarchError as e:
        sys.exit(f"error: {e}")
    return args


def write(args, text, doc, name):
    """Prints `text` (--print-only) or puts it between the markers `name` of `doc`."""
    if args.print_only:
        print(text)
        return
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    with open(doc) as f:
        page = f.read()
    if begin not in page or end not in page:
        sys.exit(f"error: {doc} lacks the markers {begin} / {end}")
    before, rest = page.split(begin, 1)
    _, after = rest.split(end, 1)
    with open(doc, "w") as f:
        f.write(before + begin + "\n" + text + end + after)
    print(f"wrote the table into {os.path.relpath(doc, ROOT)}")
