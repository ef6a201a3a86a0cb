#!/usr/bin/python3
"""Runs the points of a sweep spec on a Dask distributed cluster and writes the same
results.csv as `qarch sweep` (and resumes the same way).

  scripts/sweep_dask.py --spec configs/sweeps/array_dataflow.yaml --workers 2
  scripts/sweep_dask.py --spec SPEC --scheduler tcp://host:8786 --out DIR

--workers N starts a local cluster (a scheduler and N single-threaded worker processes on
127.0.0.1) for the run. With --scheduler, the workers must see the spec, the qarch executable
and DIR at the same paths. Needs Debian's python3-distributed.
"""

import argparse
import os
import sys

from qarch_dse import QarchError
from qarch_dse.dask_sweep import run_on_dask


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True, help="sweep spec YAML")
    parser.add_argument("--out", help="output directory (default: out/sweeps/<spec name>)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler")
    where.add_argument("--workers", type=int, default=2,
                       help="start a local cluster with this many worker processes (default 2)")
    parser.add_argument("--qarch", help="qarch executable (default: $QARCH_EXE or build/src/cli/qarch)")
    parser.add_argument("--timeout", type=float, help="seconds per point")
    parser.add_argument("--retry-failed", action="store_true", help="rerun failed points")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    out = args.out
    if out is None:
        import yaml

        with open(args.spec) as f:
            name = (yaml.safe_load(f) or {}).get("name") or os.path.splitext(os.path.basename(args.spec))[0]
        out = os.path.join("out", "sweeps", name)
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler, timeout=30)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
        with client:
            counts = run_on_dask(client, args.spec, out, qarch=args.qarch, timeout=args.timeout,
                                 retry_failed=args.retry_failed,
                                 log=lambda line: print(line, file=sys.stderr, flush=True))
        print(f"sweep_dask: ran {counts['ran']} points ({counts['ok']} ok, {counts['failed']} "
              f"failed) -> {counts['results']}", file=sys.stderr)
        return 0
    except QarchError as e:
        print(e.stderr.rstrip() if e.stderr else f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sweep_dask: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())
