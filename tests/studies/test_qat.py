"""Tests of qarch_dse.qat: quantization-aware training exported to qarch.

The central check: a network trained and exported by qarch_dse.qat gets the same top-1 in qarch's
functional mode as qat's own float64 evaluation of the exported file under qarch's semantics
(reference_top1), image for image, for integer, power-of-two and binary (BatchNorm folded into
the bias) networks. Runs with: PYTHONPATH=scripts QARCH_EXE=<qarch> /usr/bin/python3 -m unittest discover -s tests/studies
Needs python3-torch, python3-numpy, python3-yaml and the Fashion-MNIST IDX files.
"""

import math
import os
import shutil
import tempfile
import unittest
from pathlib import Path

import qarch_dse
from qarch_dse import DATASET

REPO = Path(__file__).resolve().parents[2]

try:
    import numpy as np
    import torch
    import yaml
    from qarch_dse import qat
    from qarch_dse.qat import QuantSpec
    HAVE = os.path.isdir(DATASET)
except ImportError:  # pragma: no cover
    HAVE = False

IMAGES = 500


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def qarch_top1(arch, workload):
    return qarch_dse.run(REPO / "configs" / arch, workload, functional=True, limit=IMAGES, dataset=DATASET)["top1"]


@unittest.skipUnless(HAVE, "needs python3-torch, python3-yaml and dataset-fashion-mnist")
class ExportMatchesQarch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="qarch-qat-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def train(self, name, model, spec, **kw):
        kw.setdefault("epochs", 1)
        return qat.train(model, spec, os.path.join(self.dir, name), train_limit=2000, test_limit=IMAGES,
                         dataset=DATASET, **kw)

    def assert_same_top1(self, result, arch):
        self.assertEqual(qarch_top1(arch, result["workload"]), result["reference_top1"])

    def test_int4_learned_scales(self):
        r = self.train("int4", "lenet5", qat.qat_spec(QuantSpec("int4", "int4", accumulator="int24")))
        self.assert_same_top1(r, "int4.yaml")
        self.assertGreater(r["reference_top1"], 0.7)  # QAT from the shipped weights; PTQ int4 is ~0.83
        doc = load_yaml(r["workload"])
        conv1 = doc["layers"][0]
        self.assertEqual((conv1["weight_format"], conv1["activation_format"], conv1["accumulator_format"]),
                         ("int4", "int4", "int24"))
        self.assertGreater(conv1["weight_scale"], 0)

    def test_block_formats(self):
        # LeNet-5 in MXFP4: conv inputs quantized per im2col row; the MLP in NVFP4: tensor scales
        # per sample. Exported without scales (the blocks carry them). qat sums in float64, qarch
        # rounds each block into fp32: the predictions may differ on an image.
        for name, model, fmt in (("mxfp4", "lenet5", "mxfp4"), ("nvfp4", "mlp", "nvfp4")):
            r = self.train(name, model, QuantSpec(fmt, fmt, accumulator="fp32", multiplier="block_dot"))
            self.assertAlmostEqual(qarch_top1(f"{fmt}.yaml", r["workload"]), r["reference_top1"], delta=1.5 / IMAGES)
            self.assertGreater(r["reference_top1"], 0.8)
            for layer in load_yaml(r["workload"])["layers"]:
                if "weights" in layer:
                    self.assertEqual((layer["weight_format"], layer["multiplier"]), (fmt, "block_dot"))
                    self.assertNotIn("weight_scale", layer)
                    self.assertNotIn("activation_scale", layer)

    def test_pow2_scales_are_powers_of_two(self):
        r = self.train("fixed4", "mlp", qat.qat_spec(QuantSpec("int4", "int4", scale_mode="pow2")))
        self.assert_same_top1(r, "int4.yaml")
        for layer in load_yaml(r["workload"])["layers"]:
            for key in ("weight_scale", "activation_scale"):
                if key in layer:
                    exponent = math.log2(layer[key])
                    self.assertEqual(exponent, round(exponent), f"{layer['name']} {key} {layer[key]}")

    def test_pow2_weights_shift_add(self):
        spec = qat.qat_spec(QuantSpec("pow2_4", "int8", accumulator="int32", multiplier="shift_add"))
        r = self.train("pow2", "lenet5", spec)
        self.assert_same_top1(r, "pow2-shift-add.yaml")
        # every exported weight quantizes to 0 or a signed power of two times the scale
        layer = load_yaml(r["workload"])["layers"][0]
        w = np.load(os.path.join(os.path.dirname(r["workload"]), layer["weights"]))
        q = qat.fq.quantize(torch.from_numpy(w).double(), "pow2_4", layer["weight_scale"]) / layer["weight_scale"]
        mags = q.abs()[q != 0]
        self.assertTrue(torch.all(torch.log2(mags) == torch.round(torch.log2(mags))))

    def test_binary_network_folds_batchnorm(self):
        spec = QuantSpec("binary", "binary", accumulator="int16", multiplier="xnor_popcount",
                         first={"activation": "int8", "multiplier": "shift_add", "accumulator": "int32"})
        r = self.train("binary", "mlp", qat.qat_spec(spec), epochs=2)
        self.assert_same_top1(r, "binary-xnor.yaml")
        self.assertGreater(r["reference_top1"], 0.6)  # BinaryNet trains; post-training binary is 10 %
        layers = load_yaml(r["workload"])["layers"]
        self.assertNotIn("activation", [l["type"] for l in layers])  # no ReLU before a sign
        self.assertEqual(layers[0]["multiplier"], "shift_add")
        self.assertEqual([l["multiplier"] for l in layers[1:]], ["xnor_popcount"] * 2)

    def test_fold_keeps_the_sign_of_the_normalised_output(self):
        # sign((y - mu) / sigma + beta) == sign(y + folded bias - bias) for every channel
        spec = QuantSpec("binary", "binary", multiplier="xnor_popcount", accumulator="int16")
        net = qat.QNet("mlp", 0.25, spec)
        layer = net.qlayers["fc1"]
        with torch.no_grad():
            layer.bn.running_mean.uniform_(-2, 2)
            layer.bn.running_var.uniform_(0.1, 3)
            layer.bn_shift.uniform_(-1, 1)
        layer.eval()
        y = torch.randn(64, layer.weight.shape[0], dtype=torch.float64) * 3
        normalised = (y - layer.bn.running_mean.double()) / torch.sqrt(layer.bn.running_var.double() + layer.bn.eps) \
            + layer.bn_shift.detach().double()
        folded = y + layer.folded_bias() - layer.bias.detach().double()
        self.assertTrue(torch.equal(normalised >= 0, folded >= 0))

    def test_ptq_export_uses_qarchs_rule(self):
        r = self.train("ptq", "mlp", qat.ptq_spec(QuantSpec("int8", "int8")), epochs=0)
        layer = load_yaml(r["workload"])["layers"][0]
        w = np.load(os.path.join(os.path.dirname(r["workload"]), layer["weights"]))
        self.assertEqual(layer["weight_scale"], float(np.abs(w).max()) / 127)
        shipped = str(REPO / "workloads" / "fashion" / "mlp.yaml")
        # qarch calibrating by itself and qarch with the exported scales agree within an image or two
        self.assertAlmostEqual(qarch_top1("int8.yaml", shipped), qarch_top1("int8.yaml", r["workload"]),
                               delta=2.5 / IMAGES)

    def test_cyclic_schedule_steps_down_the_ladder(self):
        self.assertEqual(qat.ladder("int4"), ["int8"])
        self.assertEqual(qat.ladder("int2"), ["int8", "int4"])
        self.assertEqual(qat.ladder("binary"), ["int8", "int4", "int2"])
        spec = qat.qat_spec(QuantSpec("int4", "int4"))
        r = self.train("cyclic", "mlp", spec, epochs=1, schedule="cyclic", cycles=2, float_epochs=1)
        stages = [entry["stage"] for entry in r["log"]]
        self.assertEqual(stages, ["cycle1-int8", "cycle1-int4", "cycle2-float", "cycle2-int8", "cycle2-int4"])
        self.assert_same_top1(r, "int4.yaml")

    def test_results_are_deterministic(self):
        spec = qat.qat_spec(QuantSpec("int4", "int8"))
        a = self.train("det_a", "mlp", spec)
        b = self.train("det_b", "mlp", spec)
        self.assertEqual(a["reference_top1"], b["reference_top1"])
        wa = np.load(os.path.join(os.path.dirname(a["workload"]), "weights", "fc1_weight.npy"))
        wb = np.load(os.path.join(os.path.dirname(b["workload"]), "weights", "fc1_weight.npy"))
        self.assertTrue(np.array_equal(wa, wb))


if __name__ == "__main__":
    unittest.main()
