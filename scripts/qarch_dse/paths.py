"""Where things are: the repository this package lives in, and Debian's Fashion-MNIST."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # scripts/qarch_dse/paths.py -> the repository
BUILT_QARCH = ROOT / "build" / "src" / "cli" / "qarch"  # what scripts/setup.sh builds
DATASET = "/usr/share/datasets/fashion-mnist"  # the dataset-fashion-mnist package's IDX files
