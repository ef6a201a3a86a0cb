"""The one place that runs the qarch executable.

    find_qarch(qarch=None)            the executable: the argument, $QARCH_EXE, or build/src/cli/qarch
    call(args, qarch=None, ...)       `qarch ARGS...`; QarchError when it cannot run or fails
    run(arch, workload, ...)          `qarch run` of one design point -> summary.json as a dict
    run_reports(arch, workload, ...)  the same -> {"summary", "layers" (typed layers.csv rows), "command"}
    run_args(arch, workload, ...)     the arguments of `qarch run` those two pass (without --out)
    command_text(args)                a command line as a reader would type it
    read_layers_csv(path)             layers.csv as a list of dicts, numbers typed

Every design point runs in its own qarch process (SystemC elaborates once per process); sweeps
(sweeps.py, dask_sweep.py) go through call() too. Relative paths in the arguments are relative
to `cwd` (default: this process's working directory).
"""

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from .paths import BUILT_QARCH, DATASET


class QarchError(RuntimeError):
    """qarch could not run, or it ended with a non-zero exit status.

    str(): the command and why it failed, with qarch's stderr (its "error: ..." lines).
    returncode: the exit status (None if qarch did not run or did not finish); stderr: qarch's
    stderr ("" when none was captured); command: the argument list run (None if none was).
    """

    def __init__(self, message, returncode=None, stderr="", command=None):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr or ""
        self.command = command

    @property
    def errors(self):
        """qarch's "error: " lines, without the prefix."""
        return [line[7:] for line in self.stderr.splitlines() if line.startswith("error: ")]


def find_qarch(qarch=None):
    """The absolute path of the qarch executable: `qarch` if given, else $QARCH_EXE, else the
    build tree's build/src/cli/qarch. A name without a slash is looked up on PATH. Raises
    QarchError saying where it looked when that is not an executable file."""
    if qarch:
        candidate, origin = str(qarch), "given"
    elif os.environ.get("QARCH_EXE"):
        candidate, origin = os.environ["QARCH_EXE"], "from $QARCH_EXE"
    else:
        candidate, origin = str(BUILT_QARCH), "the build tree's"
    found = shutil.which(candidate)
    if found is None:
        raise QarchError(f"no qarch executable at {candidate} ({origin}); build it with "
                         "scripts/setup.sh, set QARCH_EXE or pass the executable")
    return os.path.abspath(found)


def command_text(args, exe="qarch"):
    """The command line as a reader would type it (the executable shown as `exe`)."""
    return shlex.join([exe] + [str(a) for a in args])


def call(args, qarch=None, *, cwd=None, input=None, timeout=None, check=True,
         capture_stdout=True, capture_stderr=True):
    """Runs `qarch ARGS...` (each argument str()'d) in `cwd` and returns the CompletedProcess
    (text). Output not captured goes to this process's stdout/stderr. `input` is written to
    qarch's stdin. Raises QarchError when there is no executable, when it cannot be started,
    when `timeout` seconds pass, and, with `check`, on a non-zero exit status."""
    cmd = [find_qarch(qarch)] + [str(a) for a in args]
    pipe = subprocess.PIPE
    try:
        proc = subprocess.run(cmd, cwd=cwd, input=input, text=True, timeout=timeout,
                              stdout=pipe if capture_stdout else None,
                              stderr=pipe if capture_stderr else None)
    except subprocess.TimeoutExpired as e:
        raise QarchError(f"{shlex.join(cmd)}: no answer within {timeout} s", command=cmd) from e
    except OSError as e:
        raise QarchError(f"{shlex.join(cmd)}: cannot run qarch ({e})", command=cmd) from e
    if check and proc.returncode != 0:
        stderr = proc.stderr or ""
        raise QarchError(f"{shlex.join(cmd)} exited with status {proc.returncode}"
                         + (f":\n{stderr.strip()}" if stderr.strip() else ""),
                         proc.returncode, stderr, cmd)
    return proc


def _yaml_value(value):
    """A Python value as the YAML text `--set KEY=VALUE` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return str(value)


def set_options(overrides):
    """`--set` options: `overrides` maps config keys to values ({"pe_array.rows": 32}) or is a
    list of "KEY=VALUE" strings."""
    if not overrides:
        return []
    if isinstance(overrides, str):
        overrides = [overrides]
    if isinstance(overrides, dict):
        items = [f"{key}={_yaml_value(value)}" for key, value in overrides.items()]
    else:
        items = [str(item) for item in overrides]
    return [word for item in items for word in ("--set", item)]


def run_args(arch, workload, overrides=None, functional=False, limit=None, dataset=DATASET,
             extra_args=()):
    """The arguments of `qarch run` (without --out) that run and run_reports pass. `limit` and
    `dataset` only matter with `functional`."""
    args = ["run", "--arch", str(arch), "--workload", str(workload)] + set_options(overrides)
    if functional:
        args += ["--functional", "--dataset", str(dataset)]
        if limit is not None:
            args += ["--limit", str(int(limit))]
    return args + [str(a) for a in extra_args]


# layers.csv columns that hold text even when they look like numbers (names can be "1", "1e3").
TEXT_COLUMNS = {"name", "type", "input_shape", "output_shape", "weight_format", "activation_format",
                "accumulator_format", "multiplier", "accumulation_order"}
_INT = re.compile(r"^[+-]?\d+$")


def _cell(column, text):
    if text == "":
        return None
    if column in TEXT_COLUMNS:
        return text
    if _INT.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def read_layers_csv(path):
    """layers.csv as a list of dicts: numbers as int/float, empty cells as None."""
    with open(path, newline="") as f:
        return [{k: _cell(k, v) for k, v in row.items()} for row in csv.DictReader(f)]


def run_reports(arch, workload, overrides=None, functional=False, limit=None, dataset=DATASET,
                extra_args=(), out_dir=None, qarch=None, cwd=None, timeout=None):
    """Runs `qarch run` (run_args, then --out) and returns {"summary": summary.json,
    "layers": read_layers_csv(layers.csv), "command": the command line with --out OUT}.

    The reports go to `out_dir` (kept) or to a temporary directory (removed). Raises QarchError
    with qarch's messages when the point fails.
    """
    args = run_args(arch, workload, overrides, functional, limit, dataset, extra_args)
    with tempfile.TemporaryDirectory(prefix="qarch-run-") as tmp:
        out = os.path.abspath(out_dir) if out_dir is not None else tmp
        call(args + ["--out", out], qarch, cwd=cwd, timeout=timeout)
        try:
            summary = json.loads((Path(out) / "summary.json").read_text())
            layers = read_layers_csv(Path(out) / "layers.csv")
        except (OSError, ValueError) as e:
            raise QarchError(f"{command_text(args)}: unreadable results ({e})") from e
    return {"summary": summary, "layers": layers, "command": command_text(args + ["--out", "OUT"])}


def run(arch, workload, overrides=None, out_dir=None, extra_args=(), qarch=None, timeout=None,
        functional=False, limit=None, dataset=DATASET, cwd=None):
    """Runs one design point and returns its summary.json as a dict.

    `overrides` maps config keys to values ({"pe_array.rows": 32}) or lists "KEY=VALUE"
    strings; each becomes a --set. `functional` adds --functional --dataset DATASET [--limit N].
    The reports go to `out_dir` (kept) or to a temporary directory (removed). Raises QarchError
    with qarch's error messages when the point fails.
    """
    return run_reports(arch, workload, overrides, functional, limit, dataset, extra_args,
                       out_dir, qarch, cwd, timeout)["summary"]
