"""Tests of scripts/onnx_import.py (python3-onnx; the PyTorch export test also needs python3-torch).

Run: PYTHONPATH=scripts /usr/bin/python3 -m unittest discover -s tests/unit/func -p 'test_*.py'
(the PyTorch export test takes LeNet-5 from qarch_dse.fashion).
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[3]
SCRIPT = str(REPO / "scripts" / "onnx_import.py")

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def run_import(model, out):
    path = os.path.join(out, "model.onnx")
    onnx.save(model, path)
    return subprocess.run([sys.executable, SCRIPT, path, "--out", out, "--name", "net"],
                          capture_output=True, text=True)


def read_layers(out):
    import yaml
    with open(os.path.join(out, "net.yaml")) as f:
        return yaml.safe_load(f)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


class OnnxImport(unittest.TestCase):
    def test_pytorch_lenet_export_imports_to_the_shipped_layers_and_weights(self):
        if not HAVE_TORCH:
            self.skipTest("python3-torch is not installed")
        import torch
        from qarch_dse.fashion import LeNet5

        class ViewLeNet(LeNet5):  # x.view(x.size(0), -1): Shape/Gather/Unsqueeze/Concat/Reshape
            def forward(self, x):
                x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
                x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
                x = x.view(x.size(0), -1)
                x = torch.relu(self.fc1(x))
                x = torch.relu(self.fc2(x))
                return self.fc3(x)

        net = ViewLeNet()
        wdir = REPO / "workloads" / "fashion" / "weights"
        for layer in ("conv1", "conv2", "fc1", "fc2", "fc3"):
            m = getattr(net, layer)
            m.weight.data = torch.from_numpy(np.load(wdir / f"lenet5_{layer}_weight.npy"))
            m.bias.data = torch.from_numpy(np.load(wdir / f"lenet5_{layer}_bias.npy"))
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "lenet.onnx")
            torch.onnx.export(net, torch.zeros(1, 1, 28, 28), path, input_names=["x"],
                              output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                              opset_version=13)
            ops = {n.op_type for n in onnx.load(path).graph.node}
            self.assertTrue({"Shape", "Gather", "Reshape"} <= ops, ops)
            r = subprocess.run([sys.executable, SCRIPT, path, "--out", out, "--name", "net"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = read_layers(out)
            self.assertEqual(doc["input"], {"channels": 1, "height": 28, "width": 28})
            kinds = [(l["type"], l.get("filters", l.get("out_features", l.get("function"))))
                     for l in doc["layers"]]
            self.assertEqual(kinds, [("conv2d", 6), ("activation", "relu"), ("maxpool", None),
                                     ("conv2d", 16), ("activation", "relu"), ("maxpool", None),
                                     ("fc", 120), ("activation", "relu"), ("fc", 84),
                                     ("activation", "relu"), ("fc", 10)])
            self.assertEqual(doc["layers"][0]["padding"], [2, 2, 2, 2])
            computed = [l for l in doc["layers"] if "weights" in l]
            for l, name in zip(computed, ("conv1", "conv2", "fc1", "fc2", "fc3")):
                w = np.load(os.path.join(out, l["weights"]))
                b = np.load(os.path.join(out, l["bias"]))
                self.assertEqual(w.dtype, np.float32)
                np.testing.assert_array_equal(w, np.load(wdir / f"lenet5_{name}_weight.npy"))
                np.testing.assert_array_equal(b, np.load(wdir / f"lenet5_{name}_bias.npy"))

    def qdq_model(self, zero_point=0, extra=None):
        w = np.arange(12, dtype=np.float32).reshape(3, 4) / 10 - 0.5
        nodes = [
            helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["xq"], name="qx"),
            helper.make_node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"], name="dqx"),
            helper.make_node("QuantizeLinear", ["w", "sw", "zw"], ["wq"], name="qw"),
            helper.make_node("DequantizeLinear", ["wq", "sw", "zw"], ["wd"], name="dqw"),
            helper.make_node("MatMul", ["xd", "wd"], ["m"], name="mm"),
            helper.make_node("Add", ["m", "b"], ["y0"], name="bias_add"),
            helper.make_node("Relu", ["y0"], ["y"], name="relu"),
        ] + (extra or [])
        out = "y" if not extra else extra[-1].output[0]
        graph = helper.make_graph(
            nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
            [init("w", w.T.copy()), init("b", np.array([0.1, 0.2, 0.3], np.float32)),
             init("sx", np.float32(0.05)), init("zx", np.int8(zero_point)),
             init("sw", np.float32(0.01)), init("zw", np.int8(0))])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), w

    def test_qdq_pairs_become_scales_and_matmul_add_a_biased_fc(self):
        model, w = self.qdq_model()
        with tempfile.TemporaryDirectory() as out:
            r = run_import(model, out)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = read_layers(out)
            fc, relu = doc["layers"]
            self.assertEqual(fc["type"], "fc")
            self.assertEqual(fc["out_features"], 3)
            self.assertAlmostEqual(fc["weight_scale"], 0.01, places=7)
            self.assertAlmostEqual(fc["activation_scale"], 0.05, places=7)
            imported = np.load(os.path.join(out, fc["weights"]))
            np.testing.assert_allclose(imported, np.round(w / np.float32(0.01)) * 0.01, rtol=1e-6)
            np.testing.assert_allclose(np.load(os.path.join(out, fc["bias"])), [0.1, 0.2, 0.3])
            self.assertEqual(relu, {"name": "relu", "type": "activation", "function": "relu"})

    def test_errors_name_the_node(self):
        model, _ = self.qdq_model(zero_point=3)
        with tempfile.TemporaryDirectory() as out:
            r = run_import(model, out)
            self.assertEqual(r.returncode, 2)
            self.assertIn("node 'qx' (QuantizeLinear): a non-zero zero point", r.stderr)
        extra = [helper.make_node("LeakyRelu", ["y"], ["z"], name="leaky")]
        model, _ = self.qdq_model(extra=extra)
        with tempfile.TemporaryDirectory() as out:
            r = run_import(model, out)
            self.assertEqual(r.returncode, 2)
            self.assertIn("node 'leaky' (LeakyRelu): operator not supported", r.stderr)
            self.assertTrue(r.stderr.startswith("error: "), r.stderr)

    def test_residual_add_conv_and_global_pool(self):
        k = np.ones((2, 2, 3, 3), np.float32)
        nodes = [
            helper.make_node("Conv", ["x", "k"], ["c1"], name="c1", pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c1"], ["r1"], name="r1"),
            helper.make_node("Conv", ["r1", "k"], ["c2"], name="c2", pads=[1, 1, 1, 1]),
            helper.make_node("Add", ["c2", "x"], ["s"], name="sum"),
            helper.make_node("GlobalAveragePool", ["s"], ["g"], name="gap"),
            helper.make_node("Flatten", ["g"], ["f"], name="flat"),
            helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="head", transB=1),
        ]
        graph = helper.make_graph(
            nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
            [init("k", k), init("fw", np.ones((3, 2), np.float32)), init("fb", np.zeros(3, np.float32))])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        with tempfile.TemporaryDirectory() as out:
            r = run_import(model, out)
            self.assertEqual(r.returncode, 0, r.stderr)
            layers = read_layers(out)["layers"]
            self.assertEqual([l["name"] for l in layers], ["c1", "r1", "c2", "sum", "gap", "head"])
            self.assertEqual(layers[3]["inputs"], ["c2", "input"])
            self.assertEqual(layers[4], {"name": "gap", "type": "avgpool", "global": True})
            self.assertEqual(layers[5]["out_features"], 3)


if __name__ == "__main__":
    unittest.main()
