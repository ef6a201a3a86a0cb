"""Thin wrappers over `qarch run` and `qarch sweep` (one process per design point)."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class QarchError(RuntimeError):
    """A qarch command failed; `stderr` holds its messages ("error: ..." lines)."""

    def __init__(self, message, returncode=None, stderr=""):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


def find_qarch(qarch=None):
    """The qarch executable: the argument, $QARCH_EXE, or build/src/cli/qarch."""
    candidate = qarch or os.environ.get("QARCH_EXE") or str(REPO / "build" / "src" / "cli" / "qarch")
    if not os.access(candidate, os.X_OK):
        raise QarchError(f"no qarch executable at {candidate}; build it (scripts/setup.sh) "
                         "or set QARCH_EXE")
    return candidate


def _call(args, qarch=None, timeout=None, check=True):
    proc = subprocess.run([find_qarch(qarch)] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        errors = [l[7:] for l in proc.stderr.splitlines() if l.startswith("error: ")]
        raise QarchError("; ".join(errors) or proc.stderr.strip() or f"exit code {proc.returncode}",
                         proc.returncode, proc.stderr)
    return proc


def _yaml_value(value):
    """A Python value as the YAML text `--set KEY=VALUE` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return str(value)


def run(arch, workload, overrides=None, out_dir=None, extra_args=(), qarch=None, timeout=None):
    """Runs one design point and returns its summary.json as a dict.

    `overrides` maps config keys to values ({"pe_array.rows": 32}); each becomes a --set.
    The reports go to `out_dir` (kept) or to a temporary directory (removed). Raises
    QarchError with qarch's error messages when the point fails.
    """
    args = ["run", "--arch", arch, "--workload", workload, "--format", "json"]
    for key, value in (overrides or {}).items():
        args += ["--set", f"{key}={_yaml_value(value)}"]
    args += list(extra_args)
    if out_dir is not None:
        _call(args + ["--out", out_dir], qarch, timeout)
        return json.loads((Path(out_dir) / "summary.json").read_text())
    with tempfile.TemporaryDirectory(prefix="qarch-run-") as tmp:
        _call(args + ["--out", tmp], qarch, timeout)
        return json.loads((Path(tmp) / "summary.json").read_text())


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
        proc = _call(["sweep", "--spec", path, "--out", out, "--plan"], qarch)
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
    "failed" and their error, not exceptions; a bad spec raises QarchError.
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
        proc = subprocess.run([find_qarch(qarch)] + [str(a) for a in args],
                              stderr=subprocess.PIPE if quiet else None, text=True)
        if proc.returncode != 0:
            stderr = proc.stderr or ""
            errors = [l[7:] for l in stderr.splitlines() if l.startswith("error: ")]
            raise QarchError("; ".join(errors) or f"qarch sweep ended with exit code "
                             f"{proc.returncode}", proc.returncode, stderr)
        return load_results(Path(out) / "results.csv")
    finally:
        for name in holder:
            os.unlink(name)


def run_points(spec_path, out, ids, qarch=None, timeout=None):
    """Runs just these point ids of a spec into `out` (qarch sweep --only); returns their
    status.json records by id. Used by the Dask and Optuna drivers."""
    args = ["sweep", "--spec", spec_path, "--out", out, "--quiet", "--jobs", "1",
            "--only", ",".join(ids)]
    if timeout:
        args += ["--timeout", timeout]
    _call(args, qarch)
    return {i: json.loads((Path(out) / "points" / i / "status.json").read_text()) for i in ids}


def collect(spec_path, out, qarch=None):
    """Rewrites out/results.csv from the finished points (qarch sweep --collect)."""
    _call(["sweep", "--spec", spec_path, "--out", out, "--collect"], qarch)
    return Path(out) / "results.csv"
