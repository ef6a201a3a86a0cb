"""Sweeps through `qarch sweep`: plan, run or resume, run single points, collect, read results.csv."""

import json
import os
import tempfile
from pathlib import Path

from .runner import call


def _spec_file(spec, holder):
    """A spec path as is, or a spec dict written to a temporary YAML file kept in `holder`."""
    if isinstance(spec, (str, os.PathLike)):
        return str(spec)
    import yaml  # python3-yaml

    tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="qarch-sweep-", delete=False)
    with tmp:
        yaml.safe_dump(spec, tmp, sort_keys=False)
    holder.append(tmp.name)
    return tmp.name


def _default_out(spec_path):
    return str(Path(tempfile.gettempdir()) / "qarch-sweeps" / Path(spec_path).stem)


def plan(spec, out=None, qarch=None):
    """Every point of a spec: {"points": [{"index", "id", "values", "status", "dir",
    "command"}], "axes": [...], "results": path, ...} (qarch sweep --plan)."""
    holder = []
    try:
        path = _spec_file(spec, holder)
        out = out or _default_out(path)
        proc = call(["sweep", "--spec", path, "--out", out, "--plan"], qarch)
        return json.loads(proc.stdout)
    finally:
        for name in holder:
            os.unlink(name)


def load_results(path):
    """results.csv as a DataFrame: axis values as text (as the spec wrote them), metrics as
    numbers (NaN where empty), status and error as text."""
    import pandas as pd

    header = pd.read_csv(path, nrows=0).columns.tolist()
    axes = header[2:header.index("status")]
    dtypes = {name: str for name in axes + ["id", "status", "error"]}
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False,
                       na_values={c: [""] for c in header if c not in dtypes})


def sweep(spec, out=None, jobs=None, qarch=None, timeout=None, retry_failed=False,
          restart=False, quiet=True):
    """Runs (or resumes) a sweep with `qarch sweep` and returns results.csv as a DataFrame.

    `spec` is a spec file or a dict of the same shape (arch/workload paths in a dict are
    relative to the current directory unless absolute). Failed points are rows with status
    "failed" and their error, not exceptions; a bad spec raises QarchError. qarch's progress
    (stderr) is shown unless `quiet`; its stdout is shown always.
    """
    holder = []
    try:
        path = _spec_file(spec, holder)
        if holder:  # a dict: make relative paths relative to the current directory
            import yaml

            data = dict(spec)
            for key in ("arch", "workload"):
                data[key] = os.path.abspath(data[key])
            Path(path).write_text(yaml.safe_dump(data, sort_keys=False))
        out = out or _default_out(path if not holder else data.get("name", "sweep"))
        args = ["sweep", "--spec", path, "--out", out]
        if jobs:
            args += ["--jobs", jobs]
        if timeout:
            args += ["--timeout", timeout]
        if retry_failed:
            args.append("--retry-failed")
        if restart:
            args.append("--restart")
        if quiet:
            args.append("--quiet")
        call(args, qarch, capture_stdout=False, capture_stderr=quiet)
        return load_results(Path(out) / "results.csv")
    finally:
        for name in holder:
            os.unlink(name)


def run_points(spec_path, out, ids, qarch=None, timeout=None, retry_failed=False):
    """Runs just these point ids of a spec into `out` (qarch sweep --only); returns their
    status.json records by id. Used by the Dask and Optuna drivers."""
    args = ["sweep", "--spec", spec_path, "--out", out, "--quiet", "--jobs", "1",
            "--only", ",".join(ids)]
    if timeout:
        args += ["--timeout", timeout]
    if retry_failed:
        args.append("--retry-failed")
    call(args, qarch)
    return {i: json.loads((Path(out) / "points" / i / "status.json").read_text()) for i in ids}


def collect(spec_path, out, qarch=None):
    """Rewrites out/results.csv from the finished points (qarch sweep --collect)."""
    call(["sweep", "--spec", spec_path, "--out", out, "--collect"], qarch)
    return Path(out) / "results.csv"
