"""qarch from Python: runs, sweeps, Pareto fronts, plots, fake quantization, QAT, the studies.

The package lives in scripts/, so the scripts there import it as they are; anything else puts
scripts/ on PYTHONPATH (ctest does), e.g. from the repository root:

    PYTHONPATH=scripts /usr/bin/python3 -m qarch_dse.studies.precision --quick

    import qarch_dse
    summary = qarch_dse.run("configs/tpu-like.yaml", "workloads/lenet5.yaml",
                            {"pe_array.rows": 16})
    df = qarch_dse.sweep("configs/sweeps/array_dataflow.yaml", jobs=2)

Modules (runner is the only one that starts the qarch executable: $QARCH_EXE, else
build/src/cli/qarch; every design point is its own qarch process):

    runner      find_qarch, call, run, run_reports, QarchError
    sweeps      plan, sweep, run_points, collect, load_results (qarch sweep)
    dask_sweep  a sweep's points on a Dask cluster
    pareto      Pareto fronts, the definition of `qarch pareto`
    plots       matplotlib figures of sweep results and study pages
    fakequant   qarch's number formats as a PyTorch fake-quantizer
    qat         quantization-aware training, exported as qarch workloads
    fashion     Fashion-MNIST, the training loop and the float networks of workloads/fashion/
    cnn         the ResNet and MobileNet of workloads/fashion/, BatchNorm folded at export
    studies     the study framework and the five studies of docs/studies/
    paths       ROOT (the repository), DATASET (Debian's Fashion-MNIST)

Importing the package needs no more than the standard library; pandas, matplotlib, numpy and
torch are imported by the functions and modules that use them.
"""

from .paths import DATASET, ROOT
from .pareto import dominates, pareto_indices, pareto_mask
from .runner import QarchError, call, find_qarch, run, run_reports
from .sweeps import collect, load_results, plan, run_points, sweep

__all__ = [
    "DATASET",
    "ROOT",
    "QarchError",
    "call",
    "find_qarch",
    "run",
    "run_reports",
    "collect",
    "load_results",
    "plan",
    "run_points",
    "sweep",
    "dominates",
    "pareto_indices",
    "pareto_mask",
]
