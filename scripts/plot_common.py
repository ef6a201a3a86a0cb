"""Shared command-line plumbing of the plot_*.py scripts."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from qarch_dse import load_results  # noqa: E402
from qarch_dse.plots import PlotError  # noqa: E402


def parser(description, results=True):
    p = argparse.ArgumentParser(description=description)
    if results:
        p.add_argument("results", help="results.csv of a sweep")
    p.add_argument("--out", required=True, help="output prefix: writes PREFIX.png and PREFIX.svg")
    return p


def main(body):
    """Runs body(); PlotError and missing files become an `error:` line and exit 2."""
    try:
        for path in body():
            print(path)
        return 0
    except (PlotError, FileNotFoundError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


__all__ = ["parser", "main", "load_results"]
