"""The points of a sweep spec on a Dask distributed cluster.

The client asks `qarch sweep --plan` for the points still to run, submits one task per point,
and each task runs `qarch sweep --only ID` on its worker -- one qarch process per point, which
records the point in the sweep directory exactly as a local `qarch sweep` would. results.csv is
then rebuilt with `qarch sweep --collect`, so it is byte-identical to a local sweep's, and
rerunning resumes the same way. Workers must see the spec, the qarch executable and the output
directory at the same paths (one machine, or a shared file system).
"""

import os
import time

from .runner import find_qarch
from .sweeps import collect, plan, run_points


def run_point(spec, out, point_id, qarch, timeout=None, retry_failed=False):
    """One point, on a worker. Returns (id, status, error)."""
    status = run_points(spec, out, [point_id], qarch, timeout, retry_failed)[point_id]
    return point_id, status["status"], status["error"]


def run_on_dask(client, spec, out, qarch=None, timeout=None, retry_failed=False,
                log=print, collect_every_s=2.0):
    """Runs the unfinished points of `spec` through `client` (a dask.distributed.Client).

    Returns {"ran": n, "ok": n, "failed": n, "results": path}. Failed points are recorded, not
    raised; a bad spec or a sweep directory of another spec raises QarchError.
    """
    from distributed import as_completed

    spec = os.path.abspath(spec)
    out = os.path.abspath(out)
    qarch = find_qarch(qarch)
    points = plan(spec, out, qarch)["points"]
    redo = {"failed", "timeout"} if retry_failed else set()
    todo = [p for p in points if p["status"] == "pending" or p["status"] in redo]
    log(f"sweep_dask: {len(points)} points, {len(points) - len(todo)} finished before, "
        f"{len(todo)} to run on {len(client.scheduler_info()['workers'])} workers")
    futures = [client.submit(run_point, spec, out, p["id"], qarch, timeout, retry_failed,
                             key=f"qarch-point-{p['id']}-{time.time_ns()}", pure=False)
               for p in todo]
    counts = {"ran": 0, "ok": 0, "failed": 0}
    last = time.monotonic()
    try:
        for future in as_completed(futures):
            point_id, status, error = future.result()
            counts["ran"] += 1
            counts["ok" if status == "ok" else "failed"] += 1
            log(f"[{counts['ran']}/{len(todo)}] {status:7} {point_id}" + (f": {error}" if error else ""))
            if time.monotonic() - last >= collect_every_s:
                collect(spec, out, qarch)
                last = time.monotonic()
    finally:
        for future in futures:
            future.cancel()
        counts["results"] = str(collect(spec, out, qarch))
    return counts
