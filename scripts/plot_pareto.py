#!/usr/bin/python3
"""Pareto scatter of two results.csv columns, the front highlighted.

  scripts/plot_pareto.py results.csv --x energy_pj --y latency_s --out plots/pareto
  scripts/plot_pareto.py results.csv --x latency_s --y weight_bytes --color pe_array.dataflow ...
"""
import sys

from qarch_dse import load_results
from qarch_dse.plots import arg_parser, cli, pareto_scatter

if __name__ == "__main__":
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--x", default="energy_pj", help="column on the x axis (minimized)")
    p.add_argument("--y", default="latency_s", help="column on the y axis (minimized)")
    p.add_argument("--maximize-x", action="store_true")
    p.add_argument("--maximize-y", action="store_true")
    p.add_argument("--color", help="an axis column to colour points by")
    args = p.parse_args()
    sys.exit(cli(lambda: pareto_scatter(load_results(args.results), args.x, args.y, args.out,
                                        args.maximize_x, args.maximize_y, args.color)))
