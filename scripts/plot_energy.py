#!/usr/bin/python3
"""Stacked energy-per-inference bars by component, one bar per design point of a sweep.

  scripts/plot_energy.py out/sweeps/array_dataflow/results.csv --out plots/energy
"""
import os
import sys

from qarch_dse import load_results
from qarch_dse.plots import arg_parser, cli, energy_bars

if __name__ == "__main__":
    args = arg_parser(__doc__.split("\n\n")[0]).parse_args()
    sys.exit(cli(lambda: energy_bars(load_results(args.results), args.out,
                                     results_dir=os.path.dirname(os.path.abspath(args.results)))))
