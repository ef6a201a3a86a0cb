#!/usr/bin/python3
"""Accuracy (top1, from functional runs) against energy per inference, the front highlighted.

  scripts/plot_accuracy_energy.py results.csv --color pe_array.weight_format --out plots/acc
"""
import sys

from plot_common import load_results, main, parser
from qarch_dse.plots import accuracy_energy

if __name__ == "__main__":
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--accuracy", default="top1")
    p.add_argument("--energy", default="energy_pj")
    p.add_argument("--color", help="an axis column to colour points by")
    args = p.parse_args()
    sys.exit(main(lambda: accuracy_energy(load_results(args.results), args.out, args.accuracy,
                                          args.energy, args.color)))
