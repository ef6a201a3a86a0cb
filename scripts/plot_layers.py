#!/usr/bin/python3
"""Per-layer breakdown of one design point from its layers.csv (a sweep keeps one per point in
DIR/points/<id>/): energy per layer when the cost model filled it, else compute and stall
cycles.

  scripts/plot_layers.py out/sweeps/array_dataflow/points/<id>/layers.csv --out plots/layers
"""
import sys

from qarch_dse.plots import arg_parser, cli, layer_bars

if __name__ == "__main__":
    p = arg_parser(__doc__.split("\n\n")[0], results=False)
    p.add_argument("layers", help="a layers.csv")
    p.add_argument("--metric", help="a layers.csv column, or 'cycles' (default: energy_pj if "
                                    "computed, else cycles)")
    args = p.parse_args()
    sys.exit(cli(lambda: layer_bars(args.layers, args.out, metric=args.metric)))
