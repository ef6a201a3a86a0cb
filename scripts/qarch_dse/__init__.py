"""qarch design-space exploration from Python.

Importable with /usr/bin/python3 once scripts/ is on sys.path (the scripts here do that):

    import sys; sys.path.insert(0, "scripts")
    import qarch_dse
    summary = qarch_dse.run("configs/tpu-like.yaml", "workloads/lenet5.yaml",
                            {"pe_array.rows": 16})
    df = qarch_dse.sweep("configs/sweeps/array_dataflow.yaml", jobs=2)

Every design point runs in its own `qarch` process (SystemC elaborates once per process);
this package only drives the command line and reads its JSON and CSV outputs. The qarch
executable is $QARCH_EXE, else build/src/cli/qarch in this repository.
"""

from .core import QarchError, find_qarch, load_results, plan, run, run_points, sweep
from .pareto import dominates, pareto_indices, pareto_mask

__all__ = [
    "QarchError",
    "find_qarch",
    "load_results",
    "plan",
    "run",
    "run_points",
    "sweep",
    "dominates",
    "pareto_indices",
    "pareto_mask",
]
