"""Functional mode refuses a dataset that would give silently wrong numbers (issue 23): test labels
that are not classes, and a training split too small for the calibration it promises.

Run with:  PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/python
"""

import gzip
import shutil
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

import qarch_dse
from qarch_dse import DATASET

REPO = Path(__file__).resolve().parents[2]


def idx(magic_dims, payload):
    """An IDX file: zero, zero, type 0x08, the dimension count, the dimensions, the bytes."""
    return bytes([0, 0, 0x08, len(magic_dims)]) + b"".join(struct.pack(">I", d) for d in magic_dims) + payload


def images(count):
    """The first `count` Fashion-MNIST test images as an IDX file."""
    with gzip.open(Path(DATASET) / "t10k-images-idx3-ubyte.gz") as f:
        data = f.read()
    return idx([count, 28, 28], data[16:16 + count * 784])


class DatasetChecks(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="qarch-dataset-test-"))
        self.qarch = qarch_dse.find_qarch()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def dataset(self, test_labels, train_count):
        d = self.dir / f"d{len(list(self.dir.iterdir()))}"
        d.mkdir()
        (d / "t10k-images-idx3-ubyte").write_bytes(images(len(test_labels)))
        (d / "t10k-labels-idx1-ubyte").write_bytes(idx([len(test_labels)], bytes(test_labels)))
        (d / "train-images-idx3-ubyte").write_bytes(images(train_count))
        (d / "train-labels-idx1-ubyte").write_bytes(idx([train_count], bytes(train_count)))
        return d

    def run_on(self, dataset):
        return subprocess.run([self.qarch, "run", "--arch", str(REPO / "configs" / "int8.yaml"), "--workload",
                               str(REPO / "workloads" / "fashion" / "lenet5.yaml"), "--functional", "--quiet",
                               "--dataset", str(dataset)], capture_output=True, text=True)

    def test_a_good_small_dataset_runs(self):
        r = self.run_on(self.dataset([3, 1, 4, 1, 5, 9, 2, 6], 1000))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_label_that_is_not_a_class_is_an_error(self):
        r = self.run_on(self.dataset([3, 1, 4, 200, 5], 1000))
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("label 200 of image 3 in the t10k split is not one of the 10 classes", r.stderr)

    def test_a_training_split_smaller_than_the_calibration_is_an_error(self):
        r = self.run_on(self.dataset([3, 1, 4], 5))
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("the train split has 5 images; functional mode calibrates activation scales on its first 1000",
                      r.stderr)


if __name__ == "__main__":
    unittest.main()
