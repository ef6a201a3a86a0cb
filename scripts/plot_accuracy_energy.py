#!/usr/bin/python3
"""Accuracy (top1, from functional runs) against energy per inference, the front highlighted.

  scripts/plot_accuracy_energy.py results.csv --color pe_array.weight_format --out plots/acc
"""
import sys

from qarch_dse import load_results
from qarch_dse.plots import accuracy_energy, arg_parser, cli

if __name__ == "__main__":
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--accuracy", default="top1")
    p.add_argument("--energy", default="energy_pj")
    p.add_argument("--color", help="an axis column to colour points by")
    args = p.parse_args()
    sys.exit(cli(lambda: accuracy_energy(load_results(args.results), args.out, args.accuracy,
                                         args.energy, args.color)))
