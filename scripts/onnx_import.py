#!/usr/bin/python3
"""Imports an ONNX model as a qarch workload: DIR/<name>.yaml plus float32 .npy weights.

Usage: /usr/bin/python3 scripts/onnx_import.py MODEL.onnx --out DIR [--name NAME]

Supported operators (docs/functional.md, "ONNX import"):
- Conv -> conv2d; Gemm and MatMul (by a constant) -> fc, an Add of a constant vector after a
  MatMul becoming its bias; Relu, Sigmoid, Tanh, Softmax -> activation; MaxPool, AveragePool,
  GlobalAveragePool -> maxpool / avgpool; Add of two activations -> add;
- Flatten and Reshape to (batch, -1) or (batch, features): qarch's fc flattens its input, so
  they only rename the tensor; the shape arithmetic PyTorch exports around Reshape (Shape,
  Gather, Unsqueeze, Concat, Constant, Squeeze, Slice, Cast) is evaluated at import;
- Identity and Dropout pass their input through;
- QuantizeLinear/DequantizeLinear pairs with a zero point of 0 and one scale: on a weight they
  set the layer's `weight_scale` (the weights written are the dequantized ones), on an
  activation the consuming layer's `activation_scale`.
The batch dimension may be dynamic (it is imported as 1). Any other operator, attribute value
or shape is an error naming the node. Needs Debian's python3-onnx and python3-numpy.
"""

import argparse
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper


class ImportError_(Exception):
    pass


def fail(node, message):
    name = node.name or f"#{node.op_type}"
    raise ImportError_(f"node '{name}' ({node.op_type}): {message}")


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class Act:
    """An activation tensor: the qarch layer that produces it and its per-sample shape."""

    def __init__(self, layer, shape, scale=None):
        self.layer = layer    # producing layer name, or "input"
        self.shape = shape    # (C, H, W)
        self.scale = scale    # activation scale from a Q/DQ pair, for the consumer


class Importer:
    def __init__(self, model, out_dir, name):
        self.model = model
        self.out_dir = out_dir
        self.name = name
        self.consts = {}      # tensor -> numpy array
        self.const_scale = {}  # tensor -> weight scale from a Q/DQ pair
        self.quantized = {}   # tensor -> (source tensor, scale) after QuantizeLinear
        self.acts = {}        # tensor -> Act
        self.layers = []      # dicts in execution order
        self.names = set()
        self.last = "input"

    # -- helpers ---------------------------------------------------------------------------
    def layer_name(self, node):
        base = re.sub(r"[^A-Za-z0-9_]+", "_", node.name or node.op_type.lower()).strip("_") or "layer"
        if base[0].isdigit():
            base = "l" + base
        name, i = base, 1
        while name in self.names or name == "input":
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        return name

    def act(self, node, tensor):
        if tensor not in self.acts:
            fail(node, f"input '{tensor}' must be an activation (a constant was given or it is unknown)")
        return self.acts[tensor]

    def const(self, node, tensor):
        if tensor not in self.consts:
            fail(node, f"input '{tensor}' must be a constant (initializer or folded shape arithmetic)")
        return self.consts[tensor]

    def add_layer(self, node, layer, inputs, out_shape, activation_scale=None):
        name = self.layer_name(node)
        entry = {"name": name}
        entry.update(layer)
        if len(inputs) == 2:
            entry["inputs"] = [a.layer for a in inputs]
        elif inputs[0].layer != self.last:
            entry["input"] = inputs[0].layer
        if activation_scale is not None:
            entry["activation_scale"] = activation_scale
        self.layers.append(entry)
        self.last = name
        self.acts[node.output[0]] = Act(name, out_shape)
        return entry

    def save(self, layer_name, kind, array):
        os.makedirs(os.path.join(self.out_dir, "weights"), exist_ok=True)
        rel = f"weights/{layer_name}_{kind}.npy"
        np.save(os.path.join(self.out_dir, rel), np.ascontiguousarray(array, dtype=np.float32))
        return rel

    # -- the graph -------------------------------------------------------------------------
    def run(self):
        g = self.model.graph
        for init in g.initializer:
            self.consts[init.name] = numpy_helper.to_array(init)
        inputs = [i for i in g.input if i.name not in self.consts]
        if len(inputs) != 1:
            raise ImportError_(f"expected one graph input, found {len(inputs)}")
        dims = []
        for d in inputs[0].type.tensor_type.shape.dim:
            dims.append(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None)
        if len(dims) == 4 and all(d is not None for d in dims[1:]):
            shape = tuple(dims[1:])
        elif len(dims) == 2 and dims[1] is not None:
            shape = (dims[1], 1, 1)
        else:
            raise ImportError_(f"graph input '{inputs[0].name}' must be (batch, C, H, W) or "
                               f"(batch, features) with known sizes, got {dims}")
        if dims[0] not in (None, 1):
            raise ImportError_(f"graph input '{inputs[0].name}' has batch {dims[0]}; export with "
                               "batch 1 or a dynamic batch dimension")
        self.input_shape = shape
        self.acts[inputs[0].name] = Act("input", shape)
        for node in g.node:
            handler = getattr(self, "op_" + node.op_type, None)
            if handler is None:
                fail(node, "operator not supported by qarch's importer (supported: Conv, Gemm, "
                           "MatMul, Relu, Sigmoid, Tanh, Softmax, MaxPool, AveragePool, "
                           "GlobalAveragePool, Add, Flatten, Reshape, Identity, Dropout, "
                           "QuantizeLinear/DequantizeLinear and shape arithmetic)")
            handler(node, attrs(node))
        outputs = [o.name for o in g.output]
        if len(outputs) != 1 or outputs[0] not in self.acts:
            raise ImportError_("the graph must have one output computed from its input")
        if self.acts[outputs[0]].layer != self.last:
            raise ImportError_("the graph output is not the last layer")

    # -- constants and shape arithmetic ----------------------------------------------------
    def op_Constant(self, node, a):
        if "value" not in a:
            fail(node, "only the 'value' attribute is supported")
        self.consts[node.output[0]] = numpy_helper.to_array(a["value"])

    def op_Shape(self, node, a):
        if node.input[0] in self.consts:
            self.consts[node.output[0]] = np.array(self.consts[node.input[0]].shape, dtype=np.int64)
        else:
            act = self.act(node, node.input[0])
            self.consts[node.output[0]] = np.array((1,) + tuple(act.shape), dtype=np.int64)

    def op_Gather(self, node, a):
        data, idx = self.const(node, node.input[0]), self.const(node, node.input[1])
        self.consts[node.output[0]] = np.take(data, idx, axis=a.get("axis", 0))

    def op_Unsqueeze(self, node, a):
        axes = a.get("axes")
        if axes is None:
            axes = [int(v) for v in self.const(node, node.input[1])]
        x = self.const(node, node.input[0])
        for ax in sorted(axes):
            x = np.expand_dims(x, ax)
        self.consts[node.output[0]] = x

    def op_Squeeze(self, node, a):
        axes = a.get("axes")
        if axes is None and len(node.input) > 1:
            axes = [int(v) for v in self.const(node, node.input[1])]
        self.consts[node.output[0]] = np.squeeze(self.const(node, node.input[0]),
                                                 axis=tuple(axes) if axes else None)

    def op_Concat(self, node, a):
        parts = [self.const(node, t) for t in node.input]
        self.consts[node.output[0]] = np.concatenate(parts, axis=a.get("axis", 0))

    def op_Cast(self, node, a):
        dtype = onnx.helper.tensor_dtype_to_np_dtype(a["to"])
        self.consts[node.output[0]] = self.const(node, node.input[0]).astype(dtype)

    def op_Slice(self, node, a):
        x = self.const(node, node.input[0])
        starts, ends = self.const(node, node.input[1]), self.const(node, node.input[2])
        axes = self.const(node, node.input[3]) if len(node.input) > 3 and node.input[3] else range(len(starts))
        steps = self.const(node, node.input[4]) if len(node.input) > 4 and node.input[4] else [1] * len(starts)
        index = [slice(None)] * x.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            index[int(ax)] = slice(int(s), int(e), int(st))
        self.consts[node.output[0]] = x[tuple(index)]

    # -- pass-through and reshaping ---------------------------------------------------------
    def op_Identity(self, node, a):
        if node.input[0] in self.consts:
            self.consts[node.output[0]] = self.consts[node.input[0]]
        else:
            self.acts[node.output[0]] = self.act(node, node.input[0])

    op_Dropout = op_Identity

    def flatten_to(self, node, act):
        c, h, w = act.shape
        self.acts[node.output[0]] = Act(act.layer, (c * h * w, 1, 1), act.scale)

    def op_Flatten(self, node, a):
        if a.get("axis", 1) != 1:
            fail(node, f"axis {a.get('axis')} is not supported (only 1: keep the batch)")
        self.flatten_to(node, self.act(node, node.input[0]))

    def op_Reshape(self, node, a):
        act = self.act(node, node.input[0])
        target = [int(v) for v in self.const(node, node.input[1])]
        c, h, w = act.shape
        n = c * h * w
        if len(target) == 2 and target[0] in (1, -1, 0) and target[1] in (-1, n):
            return self.flatten_to(node, act)
        if len(target) == 4 and target[0] in (1, -1, 0) and tuple(target[1:]) == tuple(act.shape):
            self.acts[node.output[0]] = act
            return
        fail(node, f"reshape of a {c}x{h}x{w} tensor to {target} is not supported "
                   "(only flattening to (batch, -1))")

    # -- quantization ----------------------------------------------------------------------
    def qdq_scale(self, node):
        scale = self.const(node, node.input[1])
        if scale.size != 1:
            fail(node, "per-channel scales are not supported (qarch takes one configured scale "
                       "per tensor; per-channel scales are calibrated with --per-channel)")
        if len(node.input) > 2 and node.input[2]:
            zp = self.const(node, node.input[2])
            if np.any(zp != 0):
                fail(node, "a non-zero zero point is not supported (qarch's scales are symmetric)")
        return float(scale.reshape(()))

    def op_QuantizeLinear(self, node, a):
        self.quantized[node.output[0]] = (node.input[0], self.qdq_scale(node))

    def op_DequantizeLinear(self, node, a):
        scale = self.qdq_scale(node)
        src = self.quantized.get(node.input[0])
        if src is None:
            if node.input[0] in self.consts:  # a pre-quantized integer weight
                self.consts[node.output[0]] = self.consts[node.input[0]].astype(np.float64) * scale
                self.const_scale[node.output[0]] = scale
                return
            fail(node, "DequantizeLinear must follow a QuantizeLinear or take a constant")
        tensor, q_scale = src
        if q_scale != scale:
            fail(node, f"the QuantizeLinear scale {q_scale} and DequantizeLinear scale {scale} differ")
        if tensor in self.consts:
            w = self.consts[tensor].astype(np.float64)
            self.consts[node.output[0]] = np.clip(np.round(w / scale), -128, 127) * scale
            self.const_scale[node.output[0]] = scale
        else:
            act = self.act(node, tensor)
            self.acts[node.output[0]] = Act(act.layer, act.shape, scale)

    # -- layers ----------------------------------------------------------------------------
    def op_Conv(self, node, a):
        x = self.act(node, node.input[0])
        w = self.const(node, node.input[1])
        if w.ndim != 4:
            fail(node, f"only 2-D convolutions are supported, weights have shape {w.shape}")
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            fail(node, "auto_pad is not supported; export with explicit pads")
        m, cg, kh, kw = w.shape
        groups = a.get("group", 1)
        c, h, wd = x.shape
        if cg * groups != c:
            fail(node, f"weights of shape {w.shape} with group {groups} do not fit {c} input channels")
        sh, sw = a.get("strides", [1, 1])
        dh, dw = a.get("dilations", [1, 1])
        pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
        e = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
        f = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
        layer = {"type": "conv2d", "filters": int(m), "kernel": [int(kh), int(kw)],
                 "stride": [int(sh), int(sw)], "padding": [int(pt), int(pb), int(pl), int(pr)]}
        if (dh, dw) != (1, 1):
            layer["dilation"] = [int(dh), int(dw)]
        if groups != 1:
            layer["groups"] = int(groups)
        entry = self.add_layer(node, layer, [x], (int(m), int(e), int(f)), x.scale)
        self.attach(entry, node.input[1], w, node.input[2] if len(node.input) > 2 else None)

    def attach(self, entry, w_tensor, w, b_tensor):
        entry["weights"] = self.save(entry["name"], "weight", w)
        if w_tensor in self.const_scale:
            entry["weight_scale"] = self.const_scale[w_tensor]
        if b_tensor:
            entry["bias"] = self.save(entry["name"], "bias", self.consts[b_tensor])

    def fc(self, node, x, w_out_in, w_tensor, bias_tensor):
        c, h, w = x.shape
        if w_out_in.shape[1] != c * h * w:
            fail(node, f"weights of shape {w_out_in.shape} (out, in) do not fit {c * h * w} inputs")
        out = int(w_out_in.shape[0])
        entry = self.add_layer(node, {"type": "fc", "out_features": out}, [x], (out, 1, 1), x.scale)
        self.attach(entry, w_tensor, w_out_in, bias_tensor)
        return entry

    def op_Gemm(self, node, a):
        x = self.act(node, node.input[0])
        w = self.const(node, node.input[1])
        if a.get("transA", 0) != 0 or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            fail(node, "only transA = 0, alpha = 1 and beta = 1 are supported")
        w = w if a.get("transB", 0) else w.T
        bias = node.input[2] if len(node.input) > 2 and node.input[2] else None
        if bias is not None:
            self.const(node, bias)
            if self.consts[bias].size != w.shape[0]:
                fail(node, f"bias of shape {self.consts[bias].shape} does not fit {w.shape[0]} outputs")
            self.consts[bias] = self.consts[bias].reshape(-1)
        self.fc(node, x, w, node.input[1], bias)

    def op_MatMul(self, node, a):
        x = self.act(node, node.input[0])
        w = self.const(node, node.input[1])
        if w.ndim != 2:
            fail(node, f"only a 2-D constant right operand is supported, got shape {w.shape}")
        entry = self.fc(node, x, w.T, node.input[1], None)
        entry["_matmul_output"] = node.output[0]

    def op_Add(self, node, a):
        left, right = node.input
        if left in self.consts and right in self.acts:
            left, right = right, left
        if right in self.consts:
            x = self.act(node, left)
            prev = self.layers[-1] if self.layers else None
            bias = self.consts[right].reshape(-1)
            if (prev is not None and prev.get("_matmul_output") == left and "bias" not in prev
                    and bias.size == prev["out_features"]):
                prev["bias"] = self.save(prev["name"], "bias", bias)
                self.acts[node.output[0]] = x
                return
            fail(node, "adding a constant is supported only as the bias of the preceding MatMul")
        a_act, b_act = self.act(node, left), self.act(node, right)
        if a_act.shape != b_act.shape:
            fail(node, f"operands of shapes {a_act.shape} and {b_act.shape} differ")
        self.add_layer(node, {"type": "add"}, [a_act, b_act], a_act.shape)

    def activation(self, node, function):
        x = self.act(node, node.input[0])
        self.add_layer(node, {"type": "activation", "function": function}, [x], x.shape)

    def op_Relu(self, node, a):
        self.activation(node, "relu")

    def op_Sigmoid(self, node, a):
        self.activation(node, "sigmoid")

    def op_Tanh(self, node, a):
        self.activation(node, "tanh")

    def op_Softmax(self, node, a):
        x = self.act(node, node.input[0])
        if x.shape[1:] != (1, 1):
            fail(node, "softmax is supported on (batch, features) tensors only")
        self.activation(node, "softmax")

    def pool(self, node, a, kind):
        x = self.act(node, node.input[0])
        if a.get("ceil_mode", 0):
            fail(node, "ceil_mode = 1 is not supported (qarch rounds output sizes down)")
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            fail(node, "auto_pad is not supported; export with explicit pads")
        kh, kw = a["kernel_shape"]
        sh, sw = a.get("strides", [1, 1])
        pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
        if kind == "avgpool" and any((pt, pl, pb, pr)) and a.get("count_include_pad", 0):
            fail(node, "count_include_pad = 1 is not supported (qarch excludes padding from the average)")
        if a.get("dilations", [1, 1]) != [1, 1]:
            fail(node, "dilated pooling is not supported")
        c, h, w = x.shape
        e = (h + pt + pb - kh) // sh + 1
        f = (w + pl + pr - kw) // sw + 1
        layer = {"type": kind, "kernel": [int(kh), int(kw)], "stride": [int(sh), int(sw)]}
        if any((pt, pl, pb, pr)):
            layer["padding"] = [int(pt), int(pb), int(pl), int(pr)]
        self.add_layer(node, layer, [x], (c, int(e), int(f)))

    def op_MaxPool(self, node, a):
        if len(node.output) > 1 and node.output[1]:
            fail(node, "the Indices output is not supported")
        self.pool(node, a, "maxpool")

    def op_AveragePool(self, node, a):
        self.pool(node, a, "avgpool")

    def op_GlobalAveragePool(self, node, a):
        x = self.act(node, node.input[0])
        self.add_layer(node, {"type": "avgpool", "global": True}, [x], (x.shape[0], 1, 1))

    # -- output ----------------------------------------------------------------------------
    def yaml(self, source):
        def value(v):
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, list):
                return "[" + ", ".join(value(x) for x in v) + "]"
            if isinstance(v, float):
                return repr(v)
            return str(v)
        c, h, w = self.input_shape
        lines = [f"# Imported from {os.path.basename(source)} by scripts/onnx_import.py.",
                 "# Weights and biases are float32 .npy files under weights/ (docs/functional.md).",
                 "", f"name: {self.name}", f"input: {{channels: {c}, height: {h}, width: {w}}}",
                 "batch: 1", "layers:"]
        for layer in self.layers:
            items = [f"{k}: {value(v)}" for k, v in layer.items() if not k.startswith("_")]
            lines.append("  - {" + ", ".join(items) + "}")
        return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--out", required=True)
    p.add_argument("--name", help="network name (default: the model file's stem)")
    args = p.parse_args()
    name = args.name or re.sub(r"[^A-Za-z0-9_]+", "_", os.path.splitext(os.path.basename(args.model))[0])
    try:
        model = onnx.load(args.model)
    except Exception as e:  # noqa: BLE001 - onnx raises many types for unreadable files
        print(f"error: {args.model}: cannot read the ONNX model ({e})", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    imp = Importer(model, args.out, name)
    try:
        imp.run()
    except ImportError_ as e:
        print(f"error: {args.model}: {e}", file=sys.stderr)
        return 2
    path = os.path.join(args.out, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(imp.yaml(args.model))
    print(f"wrote {path} ({len(imp.layers)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
