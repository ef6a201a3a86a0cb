#!/usr/bin/python3
"""Stacked energy-per-inference bars by component, one bar per design point of a sweep.

  scripts/plot_energy.py out/sweeps/array_dataflow/results.csv --out plots/energy
"""
import os
import sys

from plot_common import load_results, main, parser
from qarch_dse.plots import energy_bars

if __name__ == "__main__":
    args = parser(__doc__.split("\n\n")[0]).parse_args()
    sys.exit(main(lambda: energy_bars(load_results(args.results), args.out,
                                      results_dir=os.path.dirname(os.path.abspath(args.results)))))
